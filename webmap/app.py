"""Flask app factory: settings, the connection pool, blueprints, error table."""

from __future__ import annotations

import logging
import math
from typing import Any

from flask import Flask, Response, jsonify
from flask.json.provider import DefaultJSONProvider

from gis.db import refuse_insecure_server
from gis.settings import Settings, get_settings
from layers.collections import COLLECTIONS, layer_versions
from webmap import (
    api,
    data_api,
    db,
    editing,
    env_alerts,
    env_stations,
    env_surfaces,
    env_trends,
    env_zones,
    jobs,
    login,
    pages,
    planners,
    tiles,
    tours,
)
from webmap.auth import init_auth
from webmap.cli.db import db as db_commands
from webmap.errors import register_error_handlers
from webmap.i18n import init_i18n
from webmap.logs import init_logging
from webmap.security import PublicURL, init_limits, init_security

__all__ = ["create_app"]

logger = logging.getLogger(__name__)


def _healthz() -> Response:
    """The collections served, each table's change counter, and this process's replica use."""
    versions = layer_versions(db.get_conn())
    pool = db.replica()
    replica = None
    if pool is not None:
        replica = {"down": pool.down, "served": pool.served, "behind": pool.behind}
        replica["fallbacks"], replica["cut"] = pool.fallbacks, pool.cut
    return jsonify(
        status="ok", collections=list(COLLECTIONS), layer_versions=versions, replica=replica
    )


def _finite(value: Any) -> Any:
    """``value`` with every non-finite float (``inf``, ``nan``) as ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


class _FiniteJSONProvider(DefaultJSONProvider):
    """JSON that stays valid: a stored ``inf`` becomes ``null``, not ``Infinity``.

    No browser parses ``Infinity``, so one bad value would break a page for everyone.
    """

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        try:
            return super().dumps(obj, allow_nan=False, **kwargs)
        except ValueError:
            logger.warning("non-finite numbers in a JSON answer were sent as null")
            return super().dumps(_finite(obj), allow_nan=False, **kwargs)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app; the pool is created here, connections are borrowed per request."""
    settings = settings or get_settings()
    if settings.environment == "production":
        refuse_insecure_server(settings)
    app = Flask(__name__)
    init_logging(app, level=settings.log_level)
    app.config["LANGNGHE"] = settings
    app.json = _FiniteJSONProvider(app)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.url_map.merge_slashes = False
    db.init_app(app, settings)
    app.extensions["langnghe_tiles"] = tiles.TileCache(
        settings.tile_cache_bytes, version_ttl_s=settings.tile_version_ttl_s
    )
    init_i18n(app)
    init_auth(app, settings)
    init_security(app, settings)
    if settings.public_url:
        app.wsgi_app = PublicURL(app.wsgi_app, settings.public_url)  # type: ignore[method-assign]
    elif settings.environment == "production":
        logger.warning("LANGNGHE_PUBLIC_URL is unset: absolute links use the request's Host")
    register_error_handlers(app, pages.render_page)
    app.extensions["langnghe_jobs"] = runner = jobs.JobRunner(settings)
    app.extensions[db.EXTENSION].on_close.append(runner.close)  # its in-process worker
    for blueprint in (
        login.bp,
        pages.bp,
        api.bp,
        tiles.bp,
        data_api.bp,
        env_stations.bp,
        tours.bp,
        jobs.bp,
        planners.bp,
        editing.bp,
        env_alerts.bp,
        env_surfaces.bp,
        env_trends.bp,
        env_zones.bp,
    ):
        app.register_blueprint(blueprint)
    init_limits(app, settings)
    app.add_url_rule("/healthz", "healthz", _healthz, methods=["GET"])
    app.cli.add_command(db_commands)  # ``flask --app webmap db migrate``, as ``langnghe db``
    return app
