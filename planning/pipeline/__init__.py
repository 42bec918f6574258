"""The part of ``planning`` with IO: one module per workflow.

Each workflow fetches its inputs through ``layers``, calls a pure ``planning`` function
and saves the result through ``layers``. None of them commits: the CLI command, job or
request that runs a workflow owns its transaction (``gis.db.transaction``).

Modules: ``siting``, ``compliance``, ``allocation``, ``scenarios`` (planners);
``air`` (VN_AQI, QCVN 05 exceedances), ``water`` (QCVN 08 / 40), ``surfaces``,
``zones``, ``exposure``, ``alerts`` (environment); ``tours`` (tourists).
"""

from __future__ import annotations

import logging

__all__: list[str] = []

logging.getLogger(__name__).addHandler(logging.NullHandler())
