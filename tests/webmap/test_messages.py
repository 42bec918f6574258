"""Every message code has an English template and a Vietnamese text; every code used exists."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from gis.messages import Message, msg
from webmap.messages import TEXTS, render

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "webmap" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
# A literal code in msg("...") / Message("...") / SomeError("...") calls below webmap/.
CODE = re.compile(r"""\b(?:msg|Message)\(\s*["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""")


def _vi() -> dict[str, str]:
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str)}


def test_every_code_has_vietnamese_text():
    vi = _vi()
    missing = [code for code, text in TEXTS.items() if not vi.get(text)]
    assert missing == [], f"message codes without Vietnamese text: {missing}"


def test_every_code_used_below_webmap_has_a_text():
    used: dict[str, str] = {}
    for package in ("gis", "layers", "planning"):
        for path in (ROOT / package).rglob("*.py"):
            if path.name == "messages.py" and package == "gis":
                continue  # its docstring shows examples
            for code in CODE.findall(path.read_text(encoding="utf-8")):
                used.setdefault(code, str(path.relative_to(ROOT)))
    unknown = {code: where for code, where in used.items() if code not in TEXTS}
    assert unknown == {}, f"codes with no text in webmap.messages.TEXTS: {unknown}"


@pytest.mark.parametrize("code", sorted(TEXTS))
def test_templates_name_only_plain_fields(code):
    for field in re.findall(r"{([^{}]*)}", TEXTS[code]):
        assert re.fullmatch(r"[a-z_][a-z0-9_]*", field), (
            f"{code}: field {{{field}}} has a format spec"
        )


def test_render_formats_per_language():
    m = msg("word.yes")
    assert render(m, "vi") == "có"
    assert render(m, "en") == "yes"


def test_unknown_code_is_never_shown_raw():
    text = render(Message("no.such_code"), "vi")
    assert "no.such_code" not in text
    assert text == "Lỗi nội bộ: không thể hoàn tất yêu cầu"


def test_numbers_and_dates_follow_the_language():
    from webmap.messages import _param

    assert _param(11.05, "vi") == "11,05"
    assert _param(11.05, "en") == "11.05"
    assert _param(12500, "vi") == "12.500"
    assert _param(dt.date(2026, 1, 31), "vi") == "31/01/2026"
    when = dt.datetime(2026, 1, 31, 8, 0, tzinfo=dt.UTC)
    assert _param(when, "vi") == "31/01/2026 15:00 (UTC+7)"


def test_every_pipeline_step_has_a_text():
    """A job shows its current step (``progress(f, "overlay")``) as the message ``step.overlay``."""
    step = re.compile(r"""\bprogress\([^,()]+(?:\([^()]*\))?[^,()]*,\s*["']([a-z0-9_]+)["']\)""")
    labels = {
        label
        for path in (ROOT / "planning" / "pipeline").glob("*.py")
        for label in step.findall(path.read_text(encoding="utf-8"))
    }
    assert {"grid", "overlay", "travel_times", "decree32"} <= labels
    assert sorted(label for label in labels if f"step.{label}" not in TEXTS) == []


def test_new_codes_of_the_planning_pipeline_render_in_both_languages():
    """A sample of the codes issue 11 added: rendered, no code or field left in either text."""
    samples = [
        msg("tour.method_straight_line", detour_factor=1.35, speed_kmh=25.0),
        msg("tour.method_network", network="default", mode=msg("mode.motorbike")),
        msg("siting.grid", crs="EPSG:32648", cell_m=60.0, width=10, height=12),
        msg("allocation.no_network", network="default"),
        msg("edit.position_out_of_range", lon=200, lat=21),
        msg("db.unreachable"),
        msg("exposure.no_zones_on", day=dt.date(2026, 1, 31)),
    ]
    for m in samples:
        vi, en = render(m, "vi"), render(m, "en")
        assert vi != en and "{" not in vi + en and m.code not in vi + en, (m, vi, en)
    assert render(samples[0], "vi").startswith("đường chim bay")
    assert "31/01/2026" in render(samples[-1], "vi")


def test_a_layer_parameter_reads_as_the_layer_title():
    summary = msg(
        "import.summary",
        layer="measurements",
        path="a.csv",
        total=3,
        inserted=3,
        updated=0,
        unchanged=0,
        rejected=0,
    )
    assert render(summary, "vi").startswith("Số liệu quan trắc từ a.csv")
    assert render(summary, "en").startswith("Measurements from a.csv")
    # a name that is no declared layer is left as it is
    assert "lớp nosuch" in render(msg("edit.no_feature", fid=3, layer="nosuch"), "vi")
