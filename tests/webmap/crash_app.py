"""The real app plus one route that fails unexpectedly, for the gunicorn logging test."""

from webmap.app import create_app

app = create_app()


@app.get("/_test/crash")
def crash():
    raise RuntimeError("boom: an unexpected failure for the logging test")
