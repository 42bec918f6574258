"""Logging for any server: the app factory configures it, each request gets an id.

Under gunicorn (or any WSGI server) nobody configures Python's root logger, and the
packages' ``NullHandler`` would swallow every record, so :func:`init_logging` adds one
stderr handler when the root logger has none. Each request carries an id (a valid
``X-Request-ID`` from a proxy, else a random one) that is in every log line, in the
``X-Request-ID`` response header and in error bodies.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid

from flask import Flask, g, has_request_context, request

__all__ = ["FORMAT", "init_logging", "request_id"]

FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_id() -> str:
    """The current request's id, ``-`` outside a request."""
    return g.get("request_id", "-") if has_request_context() else "-"


class _RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record, so any format may use it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


def _assign_id() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _VALID_ID.fullmatch(incoming) else uuid.uuid4().hex[:16]


def _echo_id(response):
    response.headers["X-Request-ID"] = request_id()
    return response


def init_logging(app: Flask, *, level: str = "INFO") -> None:
    """A request id per request, and a stderr handler unless logging is configured already."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
        root.setLevel(level)
    for each in root.handlers:
        if not any(isinstance(f, _RequestIdFilter) for f in each.filters):
            each.addFilter(_RequestIdFilter())
    app.before_request(_assign_id)
    app.after_request(_echo_id)
