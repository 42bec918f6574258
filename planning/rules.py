"""Rules as data: which record is in force on a local date, and where a result comes from.

Every regulation value in ``data/regulations/*.yaml`` is a record with its document,
article or clause, effective dates and a ``verified`` flag. This module reads those
records the same way everywhere (pure: parsed documents in, answers out):

- a record without ``verified`` is unverified (only values checked against the primary
  text carry ``verified: true``);
- a record's own ``effective_from`` / ``effective_to`` override its document's (QCVN
  05:2023 changes the PM2.5 24-hour limit on 01/01/2026 inside one document);
- the day a rule is chosen by is the **local** (Asia/Ho_Chi_Minh) date of the thing
  checked, never its UTC date;
- :func:`source` is the message every result carries: document, article (or "article
  not recorded"), effective dates and the verified flag, rendered in either language.

Examples
--------
>>> rec = {"document": "QCVN 05:2023/BTNMT", "effective_from": "2023-09-12"}
>>> in_force(rec, dt.date(2023, 9, 11)), in_force(rec, dt.date(2023, 9, 12))
(False, True)
>>> is_verified({"value": 50})
False
>>> round_half_up(64.5), round_half_up(65.4), round_half_up(59.35)
(65, 65, 59)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from gis.errors import ValidationError
from gis.messages import Message, msg

__all__ = [
    "LOCAL_TZ",
    "citation",
    "document_name",
    "effective_dates",
    "in_force",
    "is_verified",
    "local_date",
    "merged",
    "round_half_up",
    "source",
]

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_FIELDS = ("document", "article", "effective_from", "effective_to", "verified", "source")


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def local_date(when: Any) -> dt.date:
    """The Asia/Ho_Chi_Minh calendar date of ``when`` (naive times are taken as local).

    >>> local_date(dt.datetime(2025, 12, 31, 17, 30, tzinfo=dt.UTC))
    datetime.date(2026, 1, 1)
    >>> local_date("2025-12-31")
    datetime.date(2025, 12, 31)
    >>> local_date("2025-12-31T18:00:00+00:00")
    datetime.date(2026, 1, 1)
    """
    if isinstance(when, str) and len(when) > 10:
        when = pd.Timestamp(when)
    if isinstance(when, dt.datetime | pd.Timestamp):
        stamp = pd.Timestamp(when)
        day: dt.date = (stamp.tz_convert(LOCAL_TZ) if stamp.tzinfo else stamp).date()
        return day
    result = _date(when)
    if result is None:
        raise ValidationError(msg("rule.date_needed"))
    return result


def merged(record: Mapping[str, Any], *parents: Mapping[str, Any]) -> dict[str, Any]:
    """The record with the provenance fields it does not state taken from its parents."""
    out = dict(record)
    for parent in parents:
        for key in _FIELDS:
            if out.get(key) is None and parent.get(key) is not None:
                out[key] = parent[key]
    return out


def effective_dates(record: Mapping[str, Any]) -> tuple[dt.date | None, dt.date | None]:
    """(first day, last day) of a record; ``None`` for an open or unknown end."""
    return _date(record.get("effective_from")), _date(record.get("effective_to"))


def in_force(record: Mapping[str, Any], day: dt.date) -> bool:
    """Whether the record applies on local date ``day`` (an unknown start never applies)."""
    start, end = effective_dates(record)
    if start is None:
        return False
    return start <= day and (end is None or day <= end)


def is_verified(record: Mapping[str, Any]) -> bool:
    """``True`` only where the record says ``verified: true`` (the default is unverified)."""
    return record.get("verified") is True


def source(record: Mapping[str, Any]) -> Message:
    """The provenance message of a (merged) rule record."""
    start, end = effective_dates(record)
    article = record.get("article")
    params = {
        "document": document_name(str(record.get("document") or "")),
        "article": citation(str(article)) if article else msg("rule.article_not_recorded"),
        "effective_from": start,
        "verified": msg("rule.verified" if is_verified(record) else "rule.unverified"),
    }
    if end is None:
        return msg("rule.source_open", **params)
    return msg("rule.source", **params, effective_to=end)


_DOCUMENT_KINDS = {
    "Decree": "cite.decree",
    "Circular": "cite.circular",
    "Decision": "cite.decision",
}

_ARTICLE = re.compile(
    r"^Art\. (?P<article>[0-9]+[a-z]?)(?: cl\. (?P<clause>[0-9]+))?"
    r"(?:, Appendix (?P<appendix>[IVX]+))?$"
)


def document_name(name: str) -> Message | str:
    """A document's name as a message, so that "Decree" reads "Nghị định" in Vietnamese.

    QCVN codes and unknown names are language-neutral and stay text.

    Examples
    --------
    >>> document_name("Decree 32/2024/NĐ-CP")
    Message(code='cite.decree', params={'number': '32/2024/NĐ-CP'})
    >>> document_name("QCVN 05:2023/BTNMT")
    'QCVN 05:2023/BTNMT'
    """
    kind, _, number = name.partition(" ")
    if kind in _DOCUMENT_KINDS and number:
        return msg(_DOCUMENT_KINDS[kind], number=number)
    if name == "LangNghe planning option (not law)":
        return msg("cite.planning_option")
    return name


def citation(article: str) -> Message | str:
    """An article, clause, appendix or table reference as a message in either language.

    Examples
    --------
    >>> citation("Art. 2 cl. 1")
    Message(code='cite.article_clause', params={'article': '2', 'clause': '1'})
    >>> citation("Table 2")
    Message(code='cite.table', params={'table': '2'})
    """
    if article.startswith("Table ") and article[6:].strip():
        return msg("cite.table", table=article[6:].strip())
    found = _ARTICLE.match(article)
    if found is None:
        return article
    if found["clause"]:
        return msg("cite.article_clause", article=found["article"], clause=found["clause"])
    if found["appendix"]:
        return msg("cite.article_appendix", article=found["article"], appendix=found["appendix"])
    return msg("cite.article", article=found["article"])


def round_half_up(value: float) -> int:
    """Round to the nearest integer, halves upwards (Decision 1459; not banker's rounding)."""
    return int(math.floor(value + 0.5))
