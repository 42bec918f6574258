"""Craft-village rules: a village's recognition and its craft in Decree 08/2022 Appendix II.

Fetches the village's facts through ``layers.villages`` and the decrees through
``layers.regulations``; judges them with the pure ``planning.craft_rules``. Nothing is
written.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from gis.settings import Settings
from layers.regulations import load_document
from layers.villages import recognition_facts
from planning.craft_rules import VillageFacts, appendix2_status, recognition_check
from planning.rules import local_date

__all__ = ["village_rules"]

logger = logging.getLogger(__name__)


def village_rules(
    conn: Any, settings: Settings, ref: str, *, on: dt.date | None = None
) -> dict[str, Any]:
    """A village's recorded recognition against the Decree 52/2018 Art. 5 criteria.

    Parameters
    ----------
    conn : psycopg2 connection
        The caller's.
    settings : Settings
        The regulations folder.
    ref : str
        The village.
    on : date, optional
        The day the rules are those of (default: today, local time).

    Returns
    -------
    dict
        ``recognition``: each criterion its data meets (pass / fail / unknown / confirm);
        ``appendix2``: whether Decree 08/2022 Appendix II lists its craft.

    Raises
    ------
    NotFoundError
        When there is no village ``ref``.
    """
    row = recognition_facts(conn, ref)
    workers = row.pop("workers")
    facts = VillageFacts(**row, still_practised=True if workers else None)
    folder = settings.sample_data / "regulations"
    day = on or local_date(dt.datetime.now(dt.UTC))
    checks = recognition_check(facts, load_document(folder, "decree52_craft_villages"), on=day)
    return {
        "ref": ref,
        "craft": facts.craft,
        "checked_on": day.isoformat(),
        "recognition": [r.as_dict() for r in checks],
        "appendix2": appendix2_status(facts.craft, load_document(folder, "decree08_appendix2")),
    }
