"""The report every import ends with, on the command line and on the web alike.

An :class:`ImportReport` holds what one import did as data (counts, problems, the
column mapping, the encoding, units, likely duplicates, checks against stored data) and
lays it out as :meth:`ImportReport.sections`: a fixed list of titled sections of
messages. ``webmap`` renders those sections in the user's language, as indented text
for ``langnghe import`` and as headed lists after a web upload, so both show the same
report.

Where each family adds to it:

- the generic importer (:mod:`layers.importer`) fills the counts, ``problems``,
  ``mapped``/``ignored`` and ``encoding``;
- measurements add ``units`` (the unit each value column was read in, and from where);
- the duplicate check (:mod:`layers.duplicates`) fills ``duplicates``, ``set_aside`` and
  ``duplicates_checked``, and adds a ``likely_duplicate`` warning per pair, which the
  duplicates section shows (not the warnings section);
- checks against stored data (administrative levels, province names) add to ``checks``;
- anything else worth a line goes to ``notes``.

Examples
--------
>>> r = ImportReport("villages", "a.csv", total=2, inserted=2, mapped={"ten": "name"})
>>> [title.code for title, _ in r.sections()]
['report.counts', 'report.fields', 'report.ignored', 'report.rejected']
>>> r.sections()[1][1]
[Message(code='report.field_pair', params={'column': 'ten', 'field': 'name'})]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gis.encodings import Decoding
from gis.messages import Message, msg
from gis.validate import Problem

__all__ = ["SECTIONS", "ImportReport", "Section"]

#: The sections of a report, in order (each title's code is ``report.<name>``).
SECTIONS = (
    "counts",
    "encoding",
    "fields",
    "ignored",
    "units",
    "rejected",
    "warnings",
    "duplicates",
    "checks",
    "notes",
)

#: A section: its title and its lines.
Section = tuple[Message, list[Message]]

_SEVERITY = {"error": msg("severity.error"), "warning": msg("severity.warning")}
#: The kinds of problem the importers give (``Problem.code``), said in the reader's words in
#: the counts by kind (``problem.kind.<code>`` in the catalogue).
KINDS = frozenset(
    {
        "area_measured",
        "area_mismatch",
        "area_out_of_range",
        "area_outlier",
        "bad_coordinate",
        "bad_wkt",
        "choice",
        "craft_inferred",
        "duplicate",
        "duplicate_coordinates",
        "empty_geometry",
        "existing_key_skipped",
        "geometry_type",
        "invalid_geometry",
        "latlon_swapped",
        "likely_duplicate",
        "negative",
        "no_coordinates",
        "non_finite",
        "nul",
        "out_of_range",
        "outside_stated_district",
        "outside_stated_province",
        "outside_vietnam",
        "province_normalised",
        "province_unchecked",
        "range",
        "required",
        "test_row",
        "too_long",
        "too_many_vertices",
        "type",
        "unit",
        "unknown_category",
        "unknown_station",
        "unknown_village",
        "wrong_level",
    }
)


def _kind(code: str) -> Message | str:
    return msg("problem.kind." + code) if code in KINDS else code


#: The warning :mod:`layers.duplicates` gives each likely duplicate.
_DUPLICATE = "likely_duplicate"


@dataclass
class ImportReport:
    """Counts, row-level problems and notes (messages) of one import.

    Parameters
    ----------
    layer, path : str
        What was imported, from where (the file as the user named it).
    total, inserted, updated, unchanged : int
        Rows read, and what became of those not rejected.
    problems : list of Problem
        Row-level (and file-level, ``row=None``) errors and warnings.
    mapped : dict
        ``{source column: field}`` the import read.
    ignored : list of str
        Source columns the import did not read.
    encoding : Decoding, optional
        How the file's text was decoded (``None`` for rows that came from no file).
    units : dict
        Measurements: ``{value column: (unit, source)}``, source one of ``option``
        (``--unit COLUMN=UNIT``), ``all`` (one ``--unit`` for every column), ``row`` (the
        file's units row), ``column`` (a unit column) or ``canonical`` (none stated: the
        parameter's canonical unit).
    duplicates : list of dict
        Likely duplicates of stored features (:meth:`layers.duplicates.Duplicate.as_dict`).
    set_aside : int
        Rows not written because of ``on_duplicate`` (merged into a stored feature, skipped).
    duplicates_checked : bool
        Whether the import looked for duplicates (the section shows "none found" then).
    checks : list of Message
        Findings of checks against stored data (administrative levels, names).
    notes : list of Message
        Anything else the user should read.
    """

    layer: str
    path: str
    total: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)
    mapped: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    encoding: Decoding | None = None
    units: dict[str, tuple[str, str]] = field(default_factory=dict)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    set_aside: int = 0
    duplicates_checked: bool = False
    checks: list[Message] = field(default_factory=list)
    #: Rows another table gained on the way (the stations a measurements file creates):
    #: ``{"id", "ref", "name", "positioned"}``.
    created: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rejected_rows(self) -> list[int]:
        """Rows rejected by at least one error, sorted."""
        return sorted({p.row for p in self.problems if p.severity == "error" and p.row is not None})

    @property
    def rejected(self) -> int:
        """How many rows were rejected."""
        return len(self.rejected_rows)

    def count(self, code: str, severity: str | None = None) -> int:
        """How many rows have a problem of ``code`` (and ``severity`` when given)."""
        return len(
            {
                p.row
                for p in self.problems
                if p.code == code and (severity is None or p.severity == severity)
            }
        )

    def summary(self) -> Message:
        """The counts as one message."""
        return msg(
            "import.summary_dry_run" if self.dry_run else "import.summary",
            layer=self.layer,
            path=self.path,
            total=self.total,
            inserted=self.inserted,
            updated=self.updated,
            unchanged=self.unchanged,
            rejected=self.rejected,
        )

    def sections(self, *, max_problems: int = 40) -> list[Section]:
        """The report laid out: ``(title, lines)`` in the order of :data:`SECTIONS`.

        Counts, fields, columns not read and rejected rows always appear (``none`` when
        empty); the encoding when the rows came from a file; units, warnings, checks and
        notes when there are some; duplicates when they were checked.
        """
        none = [msg("word.none")]
        found: dict[str, list[Message] | None] = {
            "counts": [self.summary()],
            "encoding": [self.encoding.message()] if self.encoding is not None else None,
            "fields": [msg("report.field_pair", column=c, field=f) for c, f in self.mapped.items()]
            or none,
            "ignored": (
                [msg("report.columns", columns=list(self.ignored))] if self.ignored else none
            ),
            "units": [
                msg("report.unit", column=c, unit=u, source=msg(f"report.unit_from_{s}"))
                for c, (u, s) in self.units.items()
            ]
            or None,
            "rejected": self._problem_lines("error", max_problems) or none,
            "warnings": self._problem_lines("warning", max_problems) or None,
            "duplicates": self._duplicate_lines(),
            "checks": self.checks or None,
            "notes": self.notes or None,
        }
        return [(msg(f"report.{name}"), lines) for name, lines in found.items() if lines]

    def _duplicate_lines(self) -> list[Message] | None:
        """The likely duplicates by action, then each pair; ``None`` when not looked for."""
        if not self.duplicates:
            return [msg("report.no_duplicates")] if self.duplicates_checked else None
        actions = [d["action"] for d in self.duplicates]
        summary = msg(
            "import.duplicates_summary",
            found=len(actions),
            merged=actions.count("merge"),
            skipped=actions.count("skip"),
            kept=actions.count("keep"),
        )
        pairs = sorted((p for p in self.problems if p.code == _DUPLICATE), key=lambda p: p.row or 0)
        return [summary, *(p.message for p in pairs)]

    def _problem_lines(self, severity: str, max_problems: int) -> list[Message]:
        """Counts per problem code, then each problem (up to ``max_problems``).

        Likely duplicates are left to their own section.
        """
        chosen = [p for p in self.problems if p.severity == severity and p.code != _DUPLICATE]
        by_code: dict[str, set[int | None]] = {}
        for p in chosen:
            by_code.setdefault(p.code, set()).add(p.row)
        level = _SEVERITY[severity]
        lines = [
            msg("import.code_rows", severity=level, problem_code=_kind(code), rows=len(rows))
            if None not in rows
            else msg("import.code_file", severity=level, problem_code=_kind(code))
            for code, rows in sorted(by_code.items())
        ]
        ordered = sorted(chosen, key=lambda p: p.row or 0)
        lines += [msg("import.problem", severity=level, problem=p.message) for p in ordered]
        if len(ordered) > max_problems:
            del lines[len(by_code) + max_problems :]
            lines.append(msg("import.more_problems", more=len(ordered) - max_problems))
        return lines

    def messages(self, *, max_problems: int = 40) -> list[Message]:
        """The report as messages, one a line: the counts, then each section's title and lines."""
        sections = self.sections(max_problems=max_problems)
        lines = list(sections[0][1])
        for title, items in sections[1:]:
            lines.append(title)
            lines += items
        return lines

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``--report FILE``, the web's answer); reasons stay messages."""
        return {
            "layer": self.layer,
            "path": self.path,
            "total": self.total,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "dry_run": self.dry_run,
            "notes": self.notes,
            "fields": dict(self.mapped),
            "ignored_columns": list(self.ignored),
            "encoding": self.encoding.as_dict() if self.encoding is not None else None,
            "units": {c: {"unit": u, "source": s} for c, (u, s) in self.units.items()},
            "duplicates": list(self.duplicates),
            "set_aside": self.set_aside,
            "created": list(self.created),
            "checks": self.checks,
            "problems": [p.as_dict() for p in self.problems],
        }
