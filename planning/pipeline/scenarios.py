"""Scenarios side by side: the headline figures of several runs of one kind.

Storage (save, list, read, export, delete) is ``layers.scenarios``.
"""

from __future__ import annotations

import logging
from typing import Any

from gis.errors import ValidationError
from gis.messages import msg
from layers.scenarios import get_scenario

__all__ = ["COMPARE_KEYS", "compare_scenarios"]

logger = logging.getLogger(__name__)

#: What a comparison shows of each scenario kind.
COMPARE_KEYS = {
    "allocation": (
        "model",
        "p",
        "sites_chosen",
        "demand_covered_pct",
        "villages_served",
        "mean_commute_min",
        "max_commute_min",
        "cost",
    ),
    "siting": (
        "kind",
        "threshold",
        "candidates",
        "mean_suitability",
        "leader_stable",
        "weights_from",
    ),
    "compliance": ("verdict",),
}


def compare_scenarios(conn: Any, ids: list[int]) -> list[dict[str, Any]]:
    """The headline figures of several scenarios of one kind, side by side."""
    scenarios = [get_scenario(conn, i) for i in ids]
    kinds = {s["kind"] for s in scenarios}
    if len(kinds) != 1:
        raise ValidationError(msg("scenario.compare_kinds", kinds=sorted(kinds)))
    keys = COMPARE_KEYS.get(kinds.pop(), ())
    return [
        {"id": s["id"], "name": s["name"], **{k: s["results"].get(k) for k in keys}}
        for s in scenarios
    ]
