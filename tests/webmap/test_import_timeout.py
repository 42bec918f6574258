"""Import commands run with their own, longer statement timeout (issue 15, leftovers)."""

from __future__ import annotations

import pytest

from gis.db import session
from gis.settings import Settings
from webmap.cli import imports

pytestmark = pytest.mark.postgis


def test_import_commands_get_the_longer_timeout(settings: Settings, monkeypatch) -> None:
    assert Settings().import_statement_timeout_ms == 3_600_000 > Settings().statement_timeout_ms
    chosen = settings.model_copy(
        update={"statement_timeout_ms": 60_000, "import_statement_timeout_ms": 5_400_000}
    )
    monkeypatch.setattr(imports, "get_settings", lambda: chosen)
    with session(imports.import_settings()) as conn, conn.cursor() as cur:
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone()[0] == "90min"
    with session(chosen) as conn, conn.cursor() as cur:  # everything else keeps 60 s
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone()[0] == "1min"
