"""Likely duplicates: staged features that the layer already stores under another key.

Two sources seldom share keys: the sample's ``HN-BAT-TRANG`` and a national list's
``cvpms:10249`` ("Làng nghề gốm Bát Tràng") are one village. An import compares each staged
feature with the stored ones of its layer: the names without their "Làng nghề ..." prefix
(one must end with the other, word by word, without diacritics), the same province (codes
when both have one, else the names without "Tỉnh"/"Thành phố") and a distance below the
rule's (or the import's) limit. What then happens is the import's ``on_duplicate``:

``merge`` (the default)
    The stored feature stays, its empty fields filled from the new row; the new row is not
    inserted. Rows of the same natural key are updated as always.
``skip``
    The new row is left out; rows whose natural key is stored already are left out too.
``keep``
    The new row is inserted beside the stored one; the pair is reported.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from psycopg2 import sql

from gis.errors import ValidationError
from gis.messages import msg
from gis.text import admin_key, fold
from gis.validate import Problem
from layers._sql import query

__all__ = [
    "ON_DUPLICATE",
    "Duplicate",
    "DuplicateRule",
    "duplicate_key",
    "names_match",
    "resolve_duplicates",
]

logger = logging.getLogger(__name__)

#: What an import does with a likely duplicate (``--on-duplicate``); the first is the default.
ON_DUPLICATE = ("merge", "skip", "keep")


@dataclass(frozen=True)
class DuplicateRule:
    """How a layer's imports find likely duplicates.

    Parameters
    ----------
    name : str
        The column compared (after :func:`duplicate_key`).
    province : tuple of (str, str), optional
        The province code and name columns that must agree where both sides have them.
    same : tuple of str
        Columns that must be equal (a point of interest's category).
    prefix : str
        A regular expression over the folded name: the generic words removed first.
    distance_m : float
        The largest distance between two features of one place, metres.
    """

    name: str = "name"
    province: tuple[str, str] | None = None
    same: tuple[str, ...] = ()
    prefix: str = r"^(lang nghe|lang)\s+"
    distance_m: float = 1500.0


@dataclass(frozen=True)
class Duplicate:
    """A staged row and the stored feature it likely repeats."""

    row: int
    name: str
    stored_id: int
    stored_key: str
    stored_name: str
    distance_m: float
    action: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (the import report)."""
        return {
            "row": self.row,
            "name": self.name,
            "stored_id": self.stored_id,
            "stored_key": self.stored_key,
            "stored_name": self.stored_name,
            "distance_m": round(self.distance_m, 1),
            "action": self.action,
        }


def duplicate_key(name: str, prefix: str = DuplicateRule.prefix) -> str:
    """The name as duplicates compare it: folded, without the rule's generic prefix.

    Examples
    --------
    >>> duplicate_key("Làng nghề gốm Bát Tràng")
    'gom bat trang'
    >>> duplicate_key("Bát Tràng")
    'bat trang'
    """
    return re.sub(prefix, "", fold(name)).strip()


def names_match(a: str, b: str) -> bool:
    """Whether two duplicate keys name one place: equal, or one ends with the other's words.

    Examples
    --------
    >>> names_match("go my nghe dong ky", "dong ky"), names_match("dong ky", "dong ky")
    (True, True)
    >>> names_match("phu khe", "khe"), names_match("dong ky", "dong")
    (True, False)
    """
    if not a or not b:
        return False
    short, long_ = sorted((a, b), key=len)
    return long_ == short or long_.endswith(" " + short)


def _same_province(rule: DuplicateRule, new: tuple[Any, Any], old: tuple[Any, Any]) -> bool:
    if rule.province is None:
        return True
    (new_code, new_name), (old_code, old_name) = new, old
    if new_code and old_code:
        return str(new_code) == str(old_code)
    if new_name and old_name:
        return admin_key(str(new_name)) == admin_key(str(old_name))
    return True  # one side does not say: the name and the distance decide


def _candidates(cur: Any, layer: Any, rule: DuplicateRule, distance_m: float) -> list[tuple]:
    """Pairs (staged row, stored feature) of another key closer than ``distance_m``."""
    code, pname = (
        (sql.SQL("s.{}").format(sql.Identifier(c)) for c in rule.province)
        if rule.province
        else (sql.NULL, sql.NULL)
    )
    tcode, tpname = (
        (sql.SQL("t.{}").format(sql.Identifier(c)) for c in rule.province)
        if rule.province
        else (sql.NULL, sql.NULL)
    )
    key = sql.SQL(", ").join(sql.SQL("o.{}").format(sql.Identifier(k)) for k in layer.key)
    stored_key = sql.SQL(" || '/' || ").join(
        sql.SQL("coalesce(t.{}::text, '')").format(sql.Identifier(k)) for k in layer.key
    )
    same = sql.SQL("").join(
        sql.SQL(" AND t.{c} IS NOT DISTINCT FROM s.{c}").format(c=sql.Identifier(c))
        for c in rule.same
    )
    statement = sql.SQL(query("likely_duplicates")).format(
        table=sql.Identifier(layer.table),
        name=sql.Identifier(rule.name),
        code=code,
        pname=pname,
        tcode=tcode,
        tpname=tpname,
        key=key,
        skey=sql.SQL(", ").join(sql.SQL("s.{}").format(sql.Identifier(k)) for k in layer.key),
        tkey=sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(k)) for k in layer.key),
        stored_key=stored_key,
        same=same,
    )
    cur.execute(statement, {"distance_m": float(distance_m)})
    return list(cur.fetchall())


def find_duplicates(
    cur: Any, layer: Any, *, distance_m: float | None = None, action: str = "merge"
) -> list[Duplicate]:
    """The staged rows (table ``_stage``) that likely repeat a stored feature, nearest first.

    Parameters
    ----------
    cur : psycopg2 cursor
        In the import's savepoint, with ``_stage`` filled.
    layer : Layer
        The declaration; its ``duplicates`` rule says what is compared.
    distance_m : float, optional
        Overrides the rule's distance (metres).
    action : str
        Recorded on each pair (one of :data:`ON_DUPLICATE`).
    """
    rule: DuplicateRule = layer.duplicates
    found: dict[int, Duplicate] = {}
    limit = rule.distance_m if distance_m is None else distance_m
    for row in _candidates(cur, layer, rule, limit):
        staged, name, code, pname, stored_id, skey, sname, scode, spname, dist = row
        if staged in found or not name or not sname:
            continue
        if not names_match(duplicate_key(name, rule.prefix), duplicate_key(sname, rule.prefix)):
            continue
        if not _same_province(rule, (code, pname), (scode, spname)):
            continue
        found[staged] = Duplicate(staged, name, stored_id, skey, sname, float(dist), action)
    return sorted(found.values(), key=lambda d: d.row)


def _merge(cur: Any, layer: Any, pairs: list[Duplicate]) -> None:
    """Fill the stored features' empty fields from their staged duplicates."""
    columns = [c for c in layer.columns if c not in layer.key]
    fill = sql.SQL(", ").join(
        sql.SQL("{c} = coalesce(t.{c}, s.{c})").format(c=sql.Identifier(c)) for c in columns
    )
    stamp = sql.SQL(", updated_at = now()") if layer.touches_updated_at else sql.SQL("")
    changed = sql.SQL(" OR ").join(
        sql.SQL("(t.{c} IS NULL AND s.{c} IS NOT NULL)").format(c=sql.Identifier(c))
        for c in columns
    )
    statement = sql.SQL(
        "UPDATE {table} t SET {fill}{stamp} FROM _stage s "
        "WHERE s._row = %(row)s AND t.id = %(id)s AND ({changed})"
    ).format(table=sql.Identifier(layer.table), fill=fill, stamp=stamp, changed=changed)
    for pair in pairs:
        cur.execute(statement, {"row": pair.row, "id": pair.stored_id})


def _problem(pair: Duplicate) -> Problem:
    reason = msg(
        f"import.duplicate_{pair.action}",
        name=pair.name,
        stored=pair.stored_name,
        key=pair.stored_key,
        distance_m=round(pair.distance_m),
    )
    return Problem(pair.row, "name", "likely_duplicate", reason, "warning")


def resolve_duplicates(
    cur: Any, layer: Any, *, action: str = "merge", distance_m: float | None = None
) -> tuple[list[Duplicate], list[Problem]]:
    """Find the staged likely duplicates and do ``action`` with them (see the module).

    Returns the pairs and one warning per pair (``likely_duplicate``), plus one per staged
    row left out because its natural key is stored already (``skip`` only).
    """
    if action not in ON_DUPLICATE:
        raise ValidationError(msg("import.bad_on_duplicate", value=action, choices=ON_DUPLICATE))
    problems: list[Problem] = []
    if action == "skip":
        statement = sql.SQL(
            "DELETE FROM _stage s USING {table} t WHERE ({tkey}) = ({skey}) RETURNING s._row"
        ).format(
            table=sql.Identifier(layer.table),
            tkey=sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(k)) for k in layer.key),
            skey=sql.SQL(", ").join(sql.SQL("s.{}").format(sql.Identifier(k)) for k in layer.key),
        )
        cur.execute(statement)
        field = ",".join(layer.key)
        problems += [
            Problem(row, field, "existing_key_skipped", msg("import.key_skipped"), "warning")
            for (row,) in cur.fetchall()
        ]
    pairs = (
        []
        if layer.duplicates is None
        else find_duplicates(cur, layer, distance_m=distance_m, action=action)
    )
    if pairs and action == "merge":
        _merge(cur, layer, pairs)
    if pairs and action in ("merge", "skip"):
        cur.execute("DELETE FROM _stage WHERE _row = ANY(%s)", ([p.row for p in pairs],))
    problems += [_problem(p) for p in pairs]
    logger.info("%s: %d likely duplicates (%s)", layer.name, len(pairs), action)
    return pairs, problems
