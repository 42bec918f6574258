"""Security headers on every response, rate limits and the request size cap.

A Content-Security-Policy that allows only our own origin (plus the basemap's tile host
when one is set), no sniffing, no framing, no referrer leaks.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from gis.messages import msg
from webmap.db import EXTENSION
from webmap.errors import BadParameter
from webmap.rate_store import storage_uri

__all__ = ["PublicURL", "content_disposition", "hide_paths", "init_limits", "init_security"]

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
    "data.exceedances",
    "data.upload_measurements",
)


def init_limits(app: Flask, settings) -> None:
    """Rate limits on sign-in and heavy endpoints, and the request size cap.

    Flask-Limiter, counting where every process sees it: the database (``rate_limits``), or
    Redis when ``REDIS_URL`` is set (:func:`webmap.rate_store.storage_uri`). Call after the
    blueprints are registered.
    """
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes
    uri = storage_uri(settings)
    options = {} if settings.redis_url else {"database": app.extensions[EXTENSION]}
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=uri,
        storage_options=options,
        headers_enabled=True,
    )
    app.extensions["langnghe_limiter"] = limiter
    # Tiles carry no limit: spare their (warm, microsecond) path the limiter's lookups.
    limiter.request_filter(lambda: request.blueprint == "tiles")
    if "auth.login" in app.view_functions:
        # flask-limiter types its decorator's result as sync or async; our views are sync
        app.view_functions["auth.login"] = limiter.limit(settings.rate_login, methods=["POST"])(  # type: ignore[assignment]
            app.view_functions["auth.login"]
        )
    for endpoint in HEAVY:
        if endpoint in app.view_functions:
            # the same sync-or-async result type as above
            app.view_functions[endpoint] = limiter.limit(settings.rate_heavy)(  # type: ignore[assignment]
                app.view_functions[endpoint]
            )


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A ``Content-Disposition`` value with ``filename`` encoded as RFC 6266 asks.

    A plain ASCII ``filename`` (anything else becomes ``_``) for old clients, and
    ``filename*`` with the UTF-8 name percent-encoded: no quote, CR or LF of the name ever
    reaches the header.

    Examples
    --------
    >>> print(content_disposition('Bát Tràng".html'))
    attachment; filename="B_t_Tr_ng_.html"; filename*=UTF-8''B%C3%A1t%20Tr%C3%A0ng%22.html
    """
    from urllib.parse import quote

    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename) or "download"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


#: A file path (absolute, or relative from ``./`` or ``../``) not part of a URL: its last part.
_PATH = re.compile(r"(?<![\w.:/~-])(?:/|\.{1,2}/)(?:[^\s/'\"<>]+/)+([^\s/'\"<>]+)")


def hide_paths(value):
    """``value`` (JSON-like) with every server file path replaced by its file name.

    Examples
    --------
    >>> hide_paths({"dem": "/srv/data/dem.tif", "notes": ["../x/roads.gpkg: 3 lines"]})
    {'dem': 'dem.tif', 'notes': ['roads.gpkg: 3 lines']}
    >>> hide_paths("see https://example.org/a/b and 1/2")
    'see https://example.org/a/b and 1/2'
    """
    if isinstance(value, str):
        return _PATH.sub(r"\1", value)
    if isinstance(value, dict):
        return {key: hide_paths(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [hide_paths(item) for item in value]
    return value


class PublicURL:
    """WSGI middleware: every request is seen as made to ``public_url``.

    Absolute links (OGC API ``links``, ``Location``) then name the site's public address
    (``LANGNGHE_PUBLIC_URL``), never whatever ``Host`` header a client sent.
    """

    def __init__(self, wsgi_app, public_url: str) -> None:
        parts = urlsplit(public_url)
        self.wsgi_app = wsgi_app
        self.scheme, self.host, self.root = parts.scheme, parts.netloc, parts.path.rstrip("/")

    def __call__(self, environ, start_response):
        """Rewrite scheme, host and root of the request, then call the app."""
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.host
        environ.pop("HTTP_X_FORWARDED_HOST", None)
        if self.root:
            environ["SCRIPT_NAME"] = self.root
            path = environ.get("PATH_INFO", "")
            if path.startswith(self.root + "/") or path == self.root:
                environ["PATH_INFO"] = path[len(self.root) :]
        return self.wsgi_app(environ, start_response)


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
            raise BadParameter(msg("param.nul"))

    @app.after_request
    def headers(response):
        response.headers.setdefault(
            "Content-Security-Policy", export if request.path.startswith("/export/") else strict
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
