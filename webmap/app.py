"""Flask app factory: settings, the connection pool, blueprints, error table."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify

from gis.db import refuse_insecure_server
from gis.settings import Settings, get_settings
from layers.collections import COLLECTIONS, layer_versions
from webmap import api, data_api, db, editing, jobs, login, pages, planners, tiles, tours
from webmap.auth import init_auth
from webmap.cli.db import db as db_commands
from webmap.errors import register_error_handlers
from webmap.i18n import init_i18n
from webmap.security import init_limits, init_security

__all__ = ["create_app"]

logger = logging.getLogger(__name__)


def _healthz() -> Response:
    """The collections served and each table's change counter."""
    versions = layer_versions(db.get_conn())
    return jsonify(status="ok", collections=list(COLLECTIONS), layer_versions=versions)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app; the pool is created here, connections are borrowed per request."""
    settings = settings or get_settings()
    if settings.environment == "production":
        refuse_insecure_server(settings)
    app = Flask(__name__)
    app.config["LANGNGHE"] = settings
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.url_map.merge_slashes = False
    db.init_app(app, settings)
    app.extensions["langnghe_tiles"] = tiles.TileCache(settings.tile_cache_bytes)
    init_i18n(app)
    init_auth(app, settings)
    init_security(app, settings)
    register_error_handlers(app)
    app.extensions["langnghe_jobs"] = jobs.JobRunner(settings)
    for blueprint in (
        login.bp,
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
    init_limits(app, settings)
    app.add_url_rule("/healthz", "healthz", _healthz, methods=["GET"])
    app.cli.add_command(db_commands)  # ``flask --app webmap db migrate``, as ``langnghe db``
    return app
