"""Progress reporting without a user interface: a callback that long operations call.

Library code (``layers``, ``planning``) knows nothing of terminals or bars: a long
operation takes ``progress: Progress | None`` and calls it with the fraction done and a
short label. The command line turns the calls into a tqdm bar, a job into its stored
progress.

Examples
--------
>>> seen = []
>>> report = counter(4, "rows", lambda f, m: seen.append((f, m)))
>>> report(2); report(4)
>>> seen
[(0.5, 'rows'), (1.0, 'rows')]
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Progress", "counter", "silent"]

#: ``progress(fraction, label)``: ``fraction`` in [0, 1], ``label`` names what is done
#: (a layer, a step); it is data, not a sentence for users.
Progress = Callable[[float, str], None]


def silent(fraction: float, label: str) -> None:
    """A progress callback that ignores every call."""


def counter(total: int, label: str, progress: Progress | None) -> Callable[[int], None]:
    """A function that reports ``done`` out of ``total`` items through ``progress``.

    Parameters
    ----------
    total : int
        Number of items; zero reports completion at once.
    label : str
        Passed to ``progress`` with each fraction.
    progress : Progress or None
        The callback; None reports nothing.

    Returns
    -------
    Callable[[int], None]
        Call it with the number of items done so far.
    """
    callback = progress or silent

    def report(done: int) -> None:
        callback(min(1.0, done / total) if total else 1.0, label)

    return report
