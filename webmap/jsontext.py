"""Request bodies decoded as JSON that every later step can take (no NUL, no NaN, bounded).

PostgreSQL text cannot hold NUL characters or lone surrogates, JSON has no ``NaN`` or
``Infinity`` (Python's decoder accepts them), a number of thousands of digits or a body
nested thousands of levels deep makes the decoder itself fail: each is refused here with a
400 that names what is wrong, before any model sees the body.
"""

from __future__ import annotations

import json
import math
from typing import Any

from gis.messages import msg
from webmap.errors import BadParameter

__all__ = ["MAX_DEPTH", "MAX_DIGITS", "decode_json"]

#: Deepest nesting a body may have (a GeoJSON MultiPolygon inside a Feature needs 6).
MAX_DEPTH = 20
#: Longest number (in digits) a body may hold; no column takes more.
MAX_DIGITS = 40


def _reject_constant(name: str) -> Any:
    raise BadParameter(msg("body.not_finite", value=name))


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise BadParameter(msg("body.number_too_long", digits=len(text), maximum=MAX_DIGITS))
    return int(text)


def _bounded_float(text: str) -> float:
    if len(text) > 2 * MAX_DIGITS:
        raise BadParameter(msg("body.number_too_long", digits=len(text), maximum=MAX_DIGITS))
    value = float(text)
    if not math.isfinite(value):  # 1e999
        raise BadParameter(msg("body.not_finite", value=text[:40]))
    return value


def _check_text(text: str, where: str) -> None:
    if "\x00" in text:
        raise BadParameter(msg("body.nul", field=where or "body"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (``"\\ud800"``)
        raise BadParameter(msg("body.bad_text", field=where or "body")) from None


def _check_tree(document: Any) -> None:
    """Refuse NUL characters, lone surrogates and nesting deeper than ``MAX_DEPTH``."""
    stack: list[tuple[Any, str, int]] = [(document, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BadParameter(msg("body.too_deep", depth=MAX_DEPTH))
        if isinstance(value, str):
            _check_text(value, where)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, where)
                stack.append((item, f"{where}.{key}" if where else key, depth + 1))
        elif isinstance(value, list):
            stack.extend(
                (item, f"{where}.{i}" if where else str(i), depth + 1)
                for i, item in enumerate(value)
            )


def decode_json(data: bytes | str) -> Any:
    r"""A request body as JSON that every later step can take.

    Refused with a 400 naming what is wrong: text that is not UTF-8 or not JSON, ``NaN`` and
    ``Infinity``, numbers longer than ``MAX_DIGITS`` digits, nesting deeper than
    ``MAX_DEPTH``, NUL characters and lone surrogates in any string or key (PostgreSQL text
    cannot hold them).

    Examples
    --------
    >>> decode_json(b'{"p": 2}')
    {'p': 2}
    >>> decode_json('{"name": "a\\u0000b"}')
    Traceback (most recent call last):
    ...
    webmap.errors.BadParameter: body.nul(field='name')
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BadParameter(msg("body.not_utf8", byte=exc.start)) from None
    try:
        document = json.loads(
            data,
            parse_constant=_reject_constant,
            parse_int=_bounded_int,
            parse_float=_bounded_float,
        )
    except json.JSONDecodeError as exc:
        raise BadParameter(
            msg("body.not_json", detail=exc.msg, line=exc.lineno, column=exc.colno)
        ) from None
    except RecursionError:
        raise BadParameter(msg("body.too_deep", depth=MAX_DEPTH)) from None
    _check_tree(document)
    return document
