"""The page scripts as source: ES modules whose imports match what each page declares, the
strings each module uses and no others (from the gettext catalogue, with Vietnamese text),
no markup built from strings, no globals, no polling for globals.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from webmap.page_strings import CHOICES, MODULE_STRINGS, PAGES, page_texts

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "webmap" / "static" / "js"
TEMPLATES = ROOT / "webmap" / "templates"
PO = ROOT / "webmap" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
IMPORT = re.compile(r"""^import\s[^;]*?\sfrom\s+["']\./([a-z_]+)\.js["'];""", re.MULTILINE)
KEY = re.compile(r"\bT\.([A-Za-z_]\w*)")
SCRIPT = re.compile(r"<script\b([^>]*)>")
BASEMAP_OFF = {
    "en": "Basemap off: showing our layers only",
    "vi": "Đã tắt bản đồ nền: chỉ hiển thị các lớp dữ liệu",
}
#: The key of the edit form's choices, which page_strings adds from CHOICES.
EDIT_KEYS = {"choices"}


def _source(module: str) -> str:
    return (JS / f"{module}.js").read_text(encoding="utf-8")


def _modules() -> list[str]:
    return sorted(path.stem for path in JS.glob("*.js"))


def _closure(entry: str) -> set[str]:
    seen, todo = set(), [entry]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(IMPORT.findall(_source(module)))
    return seen


def _leaves(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _leaves(item)]
    return [value]


@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_page_loads_its_entry_module_only(page):
    html = (TEMPLATES / f"{page}.html").read_text(encoding="utf-8")
    ours = [attrs for attrs in SCRIPT.findall(html) if "filename='js/" in attrs]
    assert len(ours) == 1, ours
    assert 'type="module"' in ours[0] and f"js/{PAGES[page].modules[0]}.js" in ours[0]


def test_no_template_loads_a_classic_script_of_ours():
    for path in TEMPLATES.glob("*.html"):
        for attrs in SCRIPT.findall(path.read_text(encoding="utf-8")):
            if "filename='js/" in attrs:
                assert 'type="module"' in attrs, f"{path.name}: {attrs}"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_modules_are_what_its_entry_imports(page):
    modules = PAGES[page].modules
    assert len(set(modules)) == len(modules)
    assert _closure(modules[0]) == set(modules)


@pytest.mark.parametrize("module", _modules())
def test_module_strings_are_the_ones_its_script_uses(module):
    used = set(KEY.findall(_source(module)))
    declared = set(MODULE_STRINGS.get(module, {}))
    if module == "editing":
        declared |= EDIT_KEYS
    assert used == declared, f"used, not declared: {used - declared}; unused: {declared - used}"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_page_gets_only_its_modules_strings(page):
    used = set().union(*(KEY.findall(_source(m)) for m in PAGES[page].modules))
    assert set(page_texts(page)) == used


def test_a_key_means_one_text_on_every_page():
    for page in PAGES:
        merged: dict[str, Any] = {}
        for module in PAGES[page].modules:
            for key, text in MODULE_STRINGS.get(module, {}).items():
                if key in merged and not isinstance(text, dict):
                    assert merged[key] == text, f"{page}: {key} is {merged[key]!r} and {text!r}"
                merged[key] = text


def test_edit_form_choices_are_the_declared_ones():
    from layers.collections import COLLECTIONS
    from layers.registry import LAYERS

    editable, declared = set(), {}
    for coll in COLLECTIONS.values():
        layer = LAYERS[coll.layer]
        if layer.edit_form:
            editable.add(coll.id)
            widgets = {name: layer.column(name).widget for name in layer.edit_form}
            choices = {name: w for name, w in widgets.items() if isinstance(w, list)}
            if choices:
                declared[coll.id] = choices
    labelled = {c: {f: list(v) for f, v in fields.items()} for c, fields in CHOICES.items()}
    assert labelled == declared
    for page in PAGES.values():
        assert set(page.editable) <= editable


def test_every_script_string_has_vietnamese_text():
    with PO.open("rb") as handle:
        vi = {m.id: m.string for m in read_po(handle) if m.id}
    texts = _leaves(MODULE_STRINGS) + _leaves(CHOICES)
    missing = sorted({t for t in texts if not vi.get(t)})
    assert missing == []


@pytest.mark.parametrize("module", _modules())
def test_no_markup_is_built_from_strings(module):
    source = _source(module)
    for api in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "DOMParser"):
        assert api not in source, f"{module}.js uses {api}: build nodes with dom.js"
    # Leaflet sets a string content as HTML: popups and tooltips get nodes or functions.
    strings = re.findall(r"\.(?:bindPopup|bindTooltip|setContent)\(\s*[\"'`]", source)
    assert strings == [], f"{module}.js gives Leaflet markup as a string"
    assert not re.search(r"\bT\[", source), "look strings up as T.<key> (nested for data)"


@pytest.mark.parametrize("module", _modules())
def test_no_globals_and_no_polling(module):
    source = _source(module)
    assert '"use strict"' not in source  # modules are strict already
    uses = set(re.findall(r"\bwindow\.(\w+)", source))
    assert uses <= {"addEventListener", "location", "print"}, uses
    assert "setInterval" not in source
    assert not re.search(r"while\s*\(\s*!\s*window", source), "wait on promises or events"


@pytest.mark.postgis
@pytest.mark.parametrize("page", ["planner", "environment", "tour"])
def test_rendered_page_carries_its_strings_in_its_language(client, page):
    path = {"planner": "/?f=html", "environment": "/environment", "tour": "/tour"}[page]
    for lang in ("vi", "en"):
        html = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}").text
        block = re.search(r'<script type="application/json" id="config">(.*?)</script>', html)
        assert block
        strings = json.loads(block.group(1))["strings"]
        assert set(strings) == set(page_texts(page))
        assert strings["basemap_off"] == BASEMAP_OFF[lang]
