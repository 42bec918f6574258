"""Flask app factory: settings, the connection pool, per-request connections."""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify

from gis.db import Database
from gis.settings import Settings, get_settings

__all__ = ["create_app", "get_conn"]

logger = logging.getLogger(__name__)


def get_conn():
    """The request's database connection, borrowed from the pool on first use."""
    from flask import current_app

    if "conn" not in g:
        g.conn = current_app.extensions["langnghe_db"].getconn()
    return g.conn


def _release(_exc: BaseException | None) -> None:
    from flask import current_app

    conn = g.pop("conn", None)
    if conn is not None:
        broken = bool(conn.closed)
        if not broken:
            try:
                conn.rollback()
            except Exception:  # a connection killed by a server restart cannot roll back
                broken = True
        current_app.extensions["langnghe_db"].putconn(conn, broken=broken)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app; the pool is created here, connections are borrowed per request."""
    from webmap import api, data_api, editing, jobs, pages, planners, tiles, tours
    from webmap.errors import register_error_handlers
    from webmap.i18n import init_i18n

    settings = settings or get_settings()
    app = Flask(__name__)
    app.config["LANGNGHE"] = settings
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.url_map.merge_slashes = False
    app.extensions["langnghe_db"] = Database(settings)
    app.extensions["langnghe_tiles"] = tiles.TileCache(settings.tile_cache_bytes)
    app.teardown_appcontext(_release)
    init_i18n(app)
    from webmap.auth import init_auth

    init_auth(app, settings)
    from webmap.security import init_security

    init_security(app, settings)
    register_error_handlers(app)
    app.extensions["langnghe_jobs"] = jobs.JobRunner(settings)
    for blueprint in (
        pages.bp,
        api.bp,
        tiles.bp,
        data_api.bp,
        tours.bp,
        jobs.bp,
        planners.bp,
        editing.bp,
    ):
        app.register_blueprint(blueprint)
    from webmap.security import init_limits

    init_limits(app, settings)

    @app.get("/healthz")
    def healthz():
        from layers.collections import COLLECTIONS

        with get_conn().cursor() as cur:
            cur.execute("SELECT layer, version FROM layer_versions ORDER BY layer")
            versions = dict(cur.fetchall())
        return jsonify(status="ok", collections=list(COLLECTIONS), layer_versions=versions)

    return app
