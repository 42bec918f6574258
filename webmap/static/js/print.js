/* The report's Print link (no inline handlers: the Content-Security-Policy forbids them). */
document.getElementById("print").addEventListener("click", (event) => { event.preventDefault(); window.print(); });
