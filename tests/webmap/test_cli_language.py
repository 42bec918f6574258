"""The command line speaks the user's language: every line it prints is a message.

``langnghe`` prints through :func:`webmap.cli.options.say` / ``text`` with message codes;
no command echoes an English sentence of its own, and every code it uses has a text.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from gis.messages import Message
from webmap.messages import TEXTS, render

CLI = Path(__file__).resolve().parents[2] / "webmap" / "cli"
WORD = re.compile(r"[A-Za-z]{3,}")


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(CLI.glob("*.py"))]


def _literal_text(node: ast.AST) -> str:
    """The literal characters of a string constant or f-string (placeholders left out)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_literal_text(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _literal_text(node.left) + _literal_text(node.right)
    return ""


def test_no_command_echoes_an_english_sentence():
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in {"echo", "secho", "confirm", "BadParameter", "UsageError", "fail"}:
                continue
            words = WORD.findall(_literal_text(node.args[0]))
            if words:
                found.append(f"{path.name}:{node.lineno}: {' '.join(words)}")
    assert not found, "English text printed by the CLI (use say/text with a code):\n" + "\n".join(
        found
    )


def _codes() -> set[str]:
    codes = set()
    for _path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                first = node.args[0]
                if name in {"say", "text", "_text", "msg"} and isinstance(first, ast.Constant):
                    codes.add(first.value)
    return codes


def test_every_code_the_cli_uses_has_a_text_in_both_languages():
    codes = _codes() | {
        "cli.db.mode_embedded",
        "cli.db.mode_external",
        "cli.level.province",
        "cli.level.district",
        "cli.level.commune",
    }
    assert len(codes) > 50
    missing = sorted(c for c in codes if c not in TEXTS)
    assert not missing
    for code in codes:
        english = TEXTS[code]
        fields = dict.fromkeys(re.findall(r"\{(\w+)\}", english), "X")
        vi = render(Message(code, fields), "vi")
        # a Vietnamese text exists (the catalogue answers something other than the English)
        wordless = not WORD.search(re.sub(r"\{\w+\}", "", english))
        assert vi != render(Message(code, fields), "en") or wordless, code


@pytest.mark.parametrize(
    ("article", "vi", "en"),
    [
        ("Art. 2 cl. 1", "khoản 1 Điều 2", "Art. 2 cl. 1"),
        ("Art. 35, Appendix II", "Điều 35, Phụ lục II", "Art. 35, Appendix II"),
        ("Table 2", "Bảng 2", "Table 2"),
    ],
)
def test_citations_read_in_the_language(article, vi, en):
    from planning.rules import citation

    cited = citation(article)
    assert render(cited, "vi") == vi and render(cited, "en") == en


def test_document_names_read_in_the_language():
    from planning.rules import document_name

    assert render(document_name("Decree 32/2024/NĐ-CP"), "vi") == "Nghị định 32/2024/NĐ-CP"
    assert render(document_name("Circular 06/2025/TT-BTNMT"), "vi") == "Thông tư 06/2025/TT-BTNMT"
    assert document_name("QCVN 05:2023/BTNMT") == "QCVN 05:2023/BTNMT"
