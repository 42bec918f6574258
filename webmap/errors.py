"""The one place where errors become HTTP responses: a status table and JSON bodies.

The API (``/api``, the OGC endpoints, tiles) always answers JSON. A person's browser asking
for a page gets a page instead: a signed-out visitor is sent to the sign-in page (and comes
back after signing in), other errors are an HTML page in the visitor's language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import psycopg2
from flask import Flask, current_app, jsonify, redirect, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import Forbidden, HTTPException, Unauthorized

from gis.errors import (
    ConflictError,
    CRSError,
    DatabaseUnavailableError,
    ImportFailedError,
    JobTooLargeError,
    LangNgheError,
    LayerNotFoundError,
    NotFoundError,
    StaleVersionError,
    ValidationError,
    VersionRequiredError,
)
from gis.messages import Message, msg
from webmap.i18n import current_lang
from webmap.logs import request_id
from webmap.messages import message_json, render

__all__ = [
    "STATUS_CODES",
    "BadParameter",
    "BodyTooLarge",
    "Forbidden",
    "NotFound",
    "Unauthorized",
    "register_error_handlers",
    "wants_page",
]

logger = logging.getLogger(__name__)


class BadParameter(ValidationError):
    """A request parameter that is malformed or out of range."""


class BodyTooLarge(BadParameter):
    """A request body over the endpoint's byte limit (refused before it is read)."""


class NotFound(NotFoundError):
    """A feature or resource that does not exist."""


#: Exception class -> (HTTP status, code shown to clients). Most specific first.
STATUS_CODES: tuple[tuple[type[Exception], int, str], ...] = (
    (StaleVersionError, 412, "PreconditionFailed"),
    (VersionRequiredError, 428, "PreconditionRequired"),
    (ConflictError, 409, "Conflict"),
    (LayerNotFoundError, 404, "NotFound"),
    (NotFoundError, 404, "NotFound"),
    (BodyTooLarge, 413, "PayloadTooLarge"),
    (JobTooLargeError, 422, "JobTooLarge"),
    (BadParameter, 400, "InvalidParameterValue"),
    (CRSError, 400, "InvalidParameterValue"),
    (ValidationError, 400, "InvalidParameterValue"),
    (ImportFailedError, 400, "InvalidParameterValue"),
    (DatabaseUnavailableError, 503, "ServiceUnavailable"),
    (psycopg2.OperationalError, 503, "ServiceUnavailable"),
)


#: Paths that are always API answers (JSON), whatever the client accepts.
API_PREFIXES = (
    "/api/",
    "/collections",
    "/conformance",
    "/tiles/",
    "/search",
    "/healthz",
    "/static/",
)

#: HTTP statuses with a text of their own; others use ``http.error``.
_HTTP_TEXTS = {400, 401, 403, 404, 405, 413, 429, 500, 503}


def wants_page() -> bool:
    """Whether this request is a person's browser asking for a page (not an API client)."""
    path = request.path
    if path == "/api" or path.startswith(API_PREFIXES):
        return False
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def _http_message(status: int) -> Message:
    return msg(f"http.{status}" if status in _HTTP_TEXTS else "http.error", status=status)


def _page(status: int, message: Message | None = None):
    """An HTML error page in the visitor's language: the status's title and what happened."""
    render_page = current_app.extensions["langnghe_page_renderer"]
    title = _http_message(status)
    if message is None:
        message = msg(f"http.{status}_detail") if status in (403, 404) else title
    lang = current_lang()
    html = render_page(
        "error.html",
        page="error",
        status=status,
        title=render(title, lang),
        text=render(message, lang),
    )
    return html, status


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
                unavailable = msg("http.database_unavailable")
                if wants_page():
                    return _page(status, unavailable)
                return _body(status, code, render(unavailable, current_lang()), unavailable)
            message = getattr(exc, "message", None)
            if wants_page():
                return _page(status, message if isinstance(message, Message) else None)
            if isinstance(message, Message):
                return _body(status, code, render(message, current_lang()), message)
            return _body(status, code, str(exc))
    return _handle_unexpected(exc)


def _handle_http(exc: HTTPException):
    status = exc.code or 500
    if wants_page():
        if status == 401:
            target = request.full_path if request.query_string else request.path
            return redirect(url_for("auth.login", next=target))
        return _page(status)
    if isinstance(exc, CSRFError):
        refused = msg("http.csrf")
        return _body(status, "CSRFError", render(refused, current_lang()), refused)
    custom = exc.description and exc.description != type(exc).description
    if custom:
        return _body(status, exc.name.replace(" ", ""), str(exc.description))
    message = _http_message(status)
    response = _body(status, exc.name.replace(" ", ""), render(message, current_lang()), message)
    if exc.response is None and status == 405:
        allowed = getattr(exc, "valid_methods", None)
        if allowed:
            response.headers["Allow"] = ", ".join(allowed)
    return response


def _handle_unexpected(exc: BaseException):
    # Never leak SQL, paths or stack traces: log them, answer a generic message.
    logger.error("unexpected error in request %s", request_id(), exc_info=exc)
    internal = msg("http.500_logged", request_id=request_id())
    if wants_page():
        return _page(500, internal)
    return _body(500, "ServerError", render(internal, current_lang()), internal)


def register_error_handlers(app: Flask, page_renderer: Callable[..., str]) -> None:
    """Register the table on ``app``; ``page_renderer`` draws the HTML error pages.

    The renderer is handed in (``webmap.pages.render_page``) rather than imported, so that
    this module stays below the blueprints that raise its errors.
    """
    app.extensions["langnghe_page_renderer"] = page_renderer
    for cls, _, _ in STATUS_CODES:
        app.register_error_handler(cls, _handle_domain)
    app.register_error_handler(LangNgheError, _handle_domain)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(psycopg2.Error, _handle_unexpected)
    app.register_error_handler(Exception, _handle_unexpected)
