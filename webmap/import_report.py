"""The import report in the user's language: headed lists for the web, text for the CLI.

Both come from :meth:`layers.import_report.ImportReport.sections`, so ``langnghe import``
and a web upload end with the same report.
"""

from __future__ import annotations

from typing import Any

from layers.import_report import ImportReport
from webmap.messages import render

__all__ = ["report_json", "report_lines"]


def report_json(report: ImportReport, lang: str) -> list[dict[str, Any]]:
    """The sections as ``[{"section", "title", "lines"}]``, texts rendered in ``lang``."""
    return [
        {
            "section": title.code.removeprefix("report."),
            "title": render(title, lang),
            "lines": [render(line, lang) for line in lines],
        }
        for title, lines in report.sections()
    ]


def report_lines(report: ImportReport, lang: str) -> list[str]:
    """The report as text lines: the counts, then each section's title and indented lines."""
    sections = report_json(report, lang)
    out = list(sections[0]["lines"])
    for section in sections[1:]:
        out.append(f"  {section['title']}:")
        out += [f"    {line}" for line in section["lines"]]
    return out
