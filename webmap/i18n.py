"""Vietnamese and English, by ``?lang=``, a cookie, or the browser's Accept-Language.

Flask-Babel does the work.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, g, request, session
from flask_babel import Babel, get_locale

__all__ = ["LANGUAGES", "current_lang", "init_i18n", "select_locale"]

LANGUAGES = ("vi", "en")
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def select_locale() -> str:
    """The explicit choice (query, then cookie), else the best Accept-Language, else Vietnamese."""
    for chosen in (request.args.get("lang"), request.cookies.get("lang")):
        if chosen in LANGUAGES:
            return chosen
    return request.accept_languages.best_match(LANGUAGES) or "vi"


def current_lang() -> str:
    """The language of the current request ('vi' or 'en'); Vietnamese outside a request."""
    try:
        chosen = str(get_locale() or "vi")
    except RuntimeError:  # no application or request context (a worker, the command line)
        return "vi"
    return chosen if chosen in LANGUAGES else "vi"


def _remember(response: Response) -> Response:
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax")
    if g.get("same_for_everyone"):
        # A tile: the same bytes in every language and for every visitor, so a CDN keeps one
        # copy (no Vary). Flask-Login's after-request hook read the session, and Flask would
        # add ``Vary: Cookie`` for that; this answer does not depend on it.
        session.accessed = False
        return response
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


def init_i18n(app: Flask) -> None:
    """Attach Flask-Babel with the project's catalogues."""
    Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS))
    app.after_request(_remember)
