"""Render :class:`gis.messages.Message` objects in the user's language.

``TEXTS`` maps every message code to its English template (marked with ``N_`` so that
``pybabel extract`` collects it); the Vietnamese text is in the gettext catalogue
(``webmap/translations/vi/LC_MESSAGES/messages.po``), the one source of truth for both
Python and JavaScript strings. Templates use ``str.format`` fields named after the
message's parameters, with no format specs: numbers, dates and nested messages are
formatted here, per language.

The same renderer serves the web (the request's language) and the command line
(``--lang``); it needs no Flask application context.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from gis.messages import Message
from webmap.i18n import LANGUAGES, TRANSLATIONS

__all__ = ["TEXTS", "N_", "message_json", "render", "render_all", "translations"]

logger = logging.getLogger(__name__)

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def N_(text: str) -> str:  # noqa: N802 (gettext's conventional name for "mark only")
    """Mark a string for extraction without translating it now."""
    return text


# Every code a message below webmap/ may carry, with its English template. Keep sorted by code.
TEXTS: dict[str, str] = {
    "error.internal": N_("Internal error: the request could not be completed"),
    "word.no": N_("no"),
    "word.unknown": N_("unknown"),
    "word.yes": N_("yes"),
}


@functools.cache
def translations(lang: str) -> NullTranslations:
    """The gettext catalogue of a language (English is the source text)."""
    if lang == "en" or lang not in LANGUAGES:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [lang])


def _number(value: float | int, lang: str) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return format_decimal(int(value), format="#,##0", locale=Locale.parse(lang))
    return format_decimal(value, format="#,##0.###", locale=Locale.parse(lang))


def _param(value: Any, lang: str) -> str:
    if isinstance(value, Message):
        return render(value, lang)
    if isinstance(value, bool):
        return render(Message("word.yes" if value else "word.no"), lang)
    if isinstance(value, int | float):
        return _number(value, lang)
    if isinstance(value, dt.datetime):
        local = value.astimezone(LOCAL_TZ) if value.tzinfo else value
        pattern = "dd/MM/yyyy HH:mm" if lang == "vi" else "yyyy-MM-dd HH:mm"
        return f"{format_datetime(local, pattern, locale=lang)} ({_tz_label(local)})"
    if isinstance(value, dt.date):
        return format_date(value, "dd/MM/yyyy" if lang == "vi" else "yyyy-MM-dd", locale=lang)
    if isinstance(value, tuple | list):
        return ", ".join(_param(v, lang) for v in value)
    if value is None:
        return render(Message("word.unknown"), lang)
    return str(value)


def _tz_label(value: dt.datetime) -> str:
    offset = value.utcoffset()
    if offset is None:
        return "?"
    hours = int(offset.total_seconds() // 3600)
    return f"UTC{hours:+d}"


def render(message: Message, lang: str) -> str:
    """The message as a sentence in ``lang`` ('vi' or 'en').

    An unknown code is a programming error: it is logged and rendered as the generic
    internal-error text, never as the raw code.
    """
    template = TEXTS.get(message.code)
    if template is None:
        logger.error("message code without a text: %s", message.code)
        template = TEXTS["error.internal"]
    text = translations(lang).gettext(template)
    values = {k: _param(v, lang) for k, v in message.params.items()}
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        logger.exception("message %s does not fit its template", message.code)
        return translations(lang).gettext(TEXTS["error.internal"])


def render_all(messages: Iterable[Message], lang: str) -> list[str]:
    """Render several messages."""
    return [render(m, lang) for m in messages]


def message_json(message: Message, lang: str) -> dict[str, Any]:
    """The API form of a message: its code, its parameters and its text in ``lang``."""
    return {**message.as_dict(), "text": render(message, lang)}
