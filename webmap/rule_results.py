"""Rule results for people: stored rule checks with their messages rendered in a language.

Decree 32/2024 cluster checks (and the other rule families) are stored as data.

A rule check is stored as data (``planning.compliance.RuleResult.as_dict``: status, rule,
message, source and caveats as ``{"code", "params"}``); the planner map, the report and the
command line read it through :func:`rendered`. Results stored before messages existed
(``message`` a plain string) are shown as they are.

Examples
--------
>>> row = {"rule": "x", "status": "unknown", "document": "D", "article": None,
...        "message": {"code": "decree32.residents_unknown", "params": {}},
...        "source": None, "caveats": [], "verified": False}
>>> rendered([row], "en")[0]["text"]
'No residential land data for this place'
>>> rendered([row], "vi")[0]["status_text"]
'chưa rõ'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gis.messages import Message
from webmap.messages import render

__all__ = ["rendered", "text_of"]


def text_of(value: Any, lang: str) -> str:
    """A message, its stored JSON form (``{"code", "params"}``) or a plain string, as text."""
    return _text(value, lang)


def _text(value: Any, lang: str) -> str:
    if isinstance(value, Message):
        return render(value, lang)
    if isinstance(value, Mapping) and "code" in value:
        return render(Message.from_dict(value), lang)
    return "" if value is None else str(value)


def rendered(results: Iterable[Mapping[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Each result with ``text``, ``source_text``, ``caveats_text`` and ``status_text``."""
    out = []
    for row in results:
        source = row.get("source")
        if source is None:  # stored before provenance messages: document and article
            source = ", ".join(str(v) for v in (row.get("document"), row.get("article")) if v)
        out.append(
            {
                **row,
                "text": _text(row.get("message"), lang),
                "source_text": _text(source, lang),
                "caveats_text": [_text(c, lang) for c in row.get("caveats") or ()],
                "status_text": _text(Message(f"status.{row.get('status')}"), lang),
            }
        )
    return out
