"""Security headers on every response, rate limits and the request size cap.

A Content-Security-Policy that allows only our own origin (plus the basemap's tile host
when one is set), no sniffing, no framing, no referrer leaks.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from webmap.errors import BadParameter

__all__ = ["init_limits", "init_security"]

#: Endpoints limited by ``rate_heavy`` (analyses that cost seconds of CPU).
HEAVY = (
    "planners.start_siting",
    "planners.start_allocation",
    "planners.check_cluster",
    "tours.tour",
    "tours.tour_gpx_download",
    "tours.tour_geojson_download",
    "tours.printable",
    "data.exposure",
    "data.upload_measurements",
)


def init_limits(app: Flask, settings) -> None:
    """Rate limits on sign-in and heavy endpoints, and the request size cap.

    Flask-Limiter, in memory per process. Call after the blueprints are registered.
    """
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", headers_enabled=True)
    app.extensions["langnghe_limiter"] = limiter
    if "auth.login" in app.view_functions:
        app.view_functions["auth.login"] = limiter.limit(settings.rate_login, methods=["POST"])(  # type: ignore[assignment]
            app.view_functions["auth.login"]
        )
    for endpoint in HEAVY:
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = limiter.limit(settings.rate_heavy)(  # type: ignore[assignment]
                app.view_functions[endpoint]
            )


def _tile_origin(url: str) -> str:
    """``https://{s}.tile.example.org/{z}/...`` -> ``https://*.tile.example.org``."""
    if not url:
        return ""
    parts = urlsplit(url.replace("{s}", "a"))
    host = parts.netloc if "{s}" not in url else "*." + parts.netloc.split(".", 1)[1]
    return f"{parts.scheme}://{host}"


def init_security(app: Flask, settings) -> None:
    """Add the security headers to every response of ``app``."""
    tiles = _tile_origin(settings.basemap_url)
    base = (
        "default-src 'self'; img-src 'self' data: blob: {tiles}; style-src 'self' 'unsafe-inline'; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action "
        "'self'; "
        "frame-ancestors 'none'; script-src 'self'{extra}"
    )
    strict = base.format(tiles=tiles, extra="").replace("  ", " ")
    # The folium exports are standalone files with inline scripts; still nothing from elsewhere.
    export = base.format(tiles=tiles, extra=" 'unsafe-inline'").replace("  ", " ")

    @app.before_request
    def no_nul_bytes():
        """PostgreSQL text cannot hold NUL: refuse it up front with a clear 400, never a 500."""
        if "\x00" in request.path or any(
            "\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)
        ):
            raise BadParameter("the request contains a NUL character")

    @app.after_request
    def headers(response):
        response.headers.setdefault(
            "Content-Security-Policy", export if request.path.startswith("/export/") else strict
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
