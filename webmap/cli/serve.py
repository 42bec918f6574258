"""``langnghe serve``: the development web server."""

from __future__ import annotations

import click

__all__ = ["serve"]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
def serve(host: str, port: int) -> None:
    """Serve the web map (development server; see README for gunicorn)."""
    import os

    from gis.settings import get_settings
    from webmap.app import create_app

    settings = get_settings()
    if not ({"LANGNGHE_ENV", "LANGNGHE_ENVIRONMENT"} & set(os.environ)):
        settings = settings.model_copy(update={"environment": "development"})
    from webmap.cli.options import say

    say("cli.serve.listening", url=f"http://{host}:{port}/")
    create_app(settings).run(host=host, port=port, threaded=True)
