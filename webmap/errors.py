"""The one place where errors become HTTP responses: a status table and JSON bodies."""

from __future__ import annotations

import logging

import psycopg2
from flask import Flask, jsonify
from werkzeug.exceptions import Forbidden, HTTPException, Unauthorized

from gis.errors import (
    ConflictError,
    CRSError,
    DatabaseUnavailableError,
    ImportFailedError,
    LangNgheError,
    LayerNotFoundError,
    NotFoundError,
    StaleVersionError,
    ValidationError,
    VersionRequiredError,
)
from gis.messages import Message
from webmap.i18n import current_lang
from webmap.logs import request_id
from webmap.messages import message_json, render

__all__ = [
    "STATUS_CODES",
    "BadParameter",
    "Forbidden",
    "NotFound",
    "Unauthorized",
    "register_error_handlers",
]

logger = logging.getLogger(__name__)


class BadParameter(ValidationError):
    """A request parameter that is malformed or out of range."""


class NotFound(NotFoundError):
    """A feature or resource that does not exist."""


#: Exception class -> (HTTP status, code shown to clients). Most specific first.
STATUS_CODES: tuple[tuple[type[Exception], int, str], ...] = (
    (StaleVersionError, 412, "PreconditionFailed"),
    (VersionRequiredError, 428, "PreconditionRequired"),
    (ConflictError, 409, "Conflict"),
    (LayerNotFoundError, 404, "NotFound"),
    (NotFoundError, 404, "NotFound"),
    (BadParameter, 400, "InvalidParameterValue"),
    (CRSError, 400, "InvalidParameterValue"),
    (ValidationError, 400, "InvalidParameterValue"),
    (ImportFailedError, 400, "InvalidParameterValue"),
    (DatabaseUnavailableError, 503, "ServiceUnavailable"),
    (psycopg2.OperationalError, 503, "ServiceUnavailable"),
)


def _body(status: int, code: str, description: str, message: Message | None = None):
    extra = {} if message is None else {"message": message_json(message, current_lang())}
    response = jsonify(code=code, description=description, request_id=request_id(), **extra)
    response.status_code = status
    return response


def _handle_domain(exc: BaseException):
    for cls, status, code in STATUS_CODES:
        if isinstance(exc, cls):
            if status >= 500:
                logger.warning("%s: %s", code, exc)
                return _body(
                    status, code, "the database is not reachable right now; try again shortly"
                )
            message = getattr(exc, "message", None)
            if isinstance(message, Message):
                return _body(status, code, render(message, current_lang()), message)
            return _body(status, code, str(exc))
    return _handle_unexpected(exc)


def _handle_http(exc: HTTPException):
    return _body(exc.code or 500, exc.name.replace(" ", ""), exc.description or exc.name)


def _handle_unexpected(exc: BaseException):
    # Never leak SQL, paths or stack traces: log them, answer a generic message.
    logger.error("unexpected error in request %s", request_id(), exc_info=exc)
    return _body(500, "ServerError", f"internal error; it has been logged as {request_id()}")


def register_error_handlers(app: Flask) -> None:
    """Register the table on ``app``."""
    for cls, _, _ in STATUS_CODES:
        app.register_error_handler(cls, _handle_domain)
    app.register_error_handler(LangNgheError, _handle_domain)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(psycopg2.Error, _handle_unexpected)
    app.register_error_handler(Exception, _handle_unexpected)
