"""Flask app factory: settings, the connection pool, per-request connections."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g, jsonify, render_template

from gis.db import Database
from gis.errors import DatabaseUnavailableError
from gis.settings import Settings, get_settings

__all__ = ["create_app", "get_conn"]

logger = logging.getLogger(__name__)

_COUNTS = (
    ("craft_villages", "Làng nghề", "Craft villages"),
    ("ocop_products", "Sản phẩm OCOP", "OCOP products"),
    ("industrial_clusters", "Cụm công nghiệp", "Industrial clusters"),
    ("monitoring_stations", "Trạm quan trắc", "Monitoring stations"),
    ("measurements", "Số liệu quan trắc", "Measurements"),
    ("tourism_routes", "Tuyến du lịch", "Tourism routes"),
    ("admin_units", "Đơn vị hành chính", "Administrative units"),
)


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
        if not conn.closed:
            conn.rollback()
        current_app.extensions["langnghe_db"].putconn(conn)


def _layer_counts(conn) -> list[dict[str, Any]]:
    from psycopg2 import sql

    rows = []
    with conn.cursor() as cur:
        for table, vi, en in _COUNTS:
            cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            rows.append({"table": table, "vi": vi, "en": en, "count": cur.fetchone()[0]})
    return rows


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app; the pool is created here, connections are borrowed per request."""
    settings = settings or get_settings()
    app = Flask(__name__)
    app.config["LANGNGHE"] = settings
    app.extensions["langnghe_db"] = Database(settings)
    app.teardown_appcontext(_release)

    @app.get("/")
    def index():
        return render_template("index.html", layers=_layer_counts(get_conn()))

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok", layers={r["table"]: r["count"] for r in _layer_counts(get_conn())})

    @app.errorhandler(DatabaseUnavailableError)
    def _db_down(exc: DatabaseUnavailableError):
        logger.warning("database unavailable: %s", exc)
        return jsonify(error="database unavailable", detail="the database is not reachable; try again shortly"), 503

    return app
