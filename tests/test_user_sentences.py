"""No English sentence for users is built below ``webmap/`` (issue 11, item 6).

``gis``, ``layers`` and ``planning`` tell the user things through ``gis.messages.Message``
objects (a code and its parameters) that ``webmap/`` renders in the user's language. This
test parses every module with ``ast`` and fails on a sentence (a string literal or f-string
with a space between words) where a user would read it:

- an argument of ``raise SomeError(...)``;
- an argument of ``<name>.append(...)`` / ``.extend(...)`` / ``.insert(...)`` where the
  name says it collects notes, problems, warnings or messages;
- the value of a ``"method"``, ``"note"``, ``"notes"`` or ``"message"`` key in a dict.

Programmer errors that no user can trigger (a layer declared wrongly, an impossible
argument inside the code) are listed in ``ALLOWED`` with their reason.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("gis", "layers", "planning")
#: Names of the lists that collect what the user will read.
COLLECTORS = re.compile(r"(notes|problems|warnings|messages|caveats)$")
#: Dict keys whose values are shown to users.
SHOWN_KEYS = {"method", "note", "notes", "message"}
#: A sentence: two words (letters) with a space between them.
SENTENCE = re.compile(r"[A-Za-zÀ-ỹ]{2,}\s+[A-Za-zÀ-ỹ{]")

#: (module, start of the sentence) -> why it may stay English.
ALLOWED: dict[tuple[str, str], str] = {
    ("layers/layer.py", "layer "): "a wrong declaration in the code: a programmer error",
    ("layers/importer.py", "layer "): "a wrong declaration in the code: a programmer error",
    ("layers/collections.py", "layer "): "a wrong declaration in the code: a programmer error",
    ("planning/allocation.py", "OR-Tools was built"): "a broken installation, for the log",
    ("gis/localdb.py", ""): "the embedded cluster's set-up (`langnghe db start`), for admins",
    ("gis/pgroles.py", ""): "the embedded cluster's roles (`langnghe db start`), for admins",
    ("gis/replica.py", ""): "a streaming replica started by the tests and bench/, for admins",
    ("gis/db.py", "no DATABASE_REPLICA_URL"): "a wrong call in the code (the pool needs the URL)",
    ("gis/validate.py", "check_geometries expects"): "a wrong call in the code",
    (
        "gis/settings.py",
        "",
    ): "settings validation: an administrator's LANGNGHE_* value, at start-up",
    ("gis/network.py", "weight must be"): "a wrong call in the code (weights are ours)",
}


def _text(node: ast.AST) -> str | None:
    """The literal text of a string constant or f-string (placeholders as ``{}``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp):  # "a " + x + " b"
        left, right = _text(node.left), _text(node.right)
        return (left or "{}") + (right or "{}") if (left or right) else None
    return None


def _sentences(node: ast.AST) -> Iterator[str]:
    """Sentences among the arguments of a call (nested calls other than msg() included)."""
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in ("msg", "Message", "getLogger"):
            return
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            yield from _sentences(arg)
        return
    text = _text(node)
    if text is not None and SENTENCE.search(text):
        yield text


def _collector(call: ast.Call) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in ("append", "extend", "insert"):
        return False
    target = func.value
    name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
        name = str(target.slice.value)
    return bool(COLLECTORS.search(name))


def _findings(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            for text in _sentences(node.exc):
                yield node.lineno, text
        elif isinstance(node, ast.Call) and _collector(node):
            for arg in node.args:
                for text in _sentences(arg):
                    yield node.lineno, text
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in SHOWN_KEYS:
                    for text in _sentences(value):
                        yield node.lineno, text


def _allowed(module: str, text: str) -> bool:
    return any(module == m and text.startswith(start) for (m, start) in ALLOWED)


def test_no_english_sentence_for_users_below_webmap():
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = str(path.relative_to(ROOT))
            for line, text in _findings(path):
                if not _allowed(module, text):
                    found.append(f"{module}:{line}: {text!r}")
    assert found == [], "English sentences for users below webmap/ (use msg(...)):\n" + (
        "\n".join(found)
    )


def test_the_check_finds_a_sentence(tmp_path):
    """The check can fail: a raise, a note and a method built as sentences are all found."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def f(notes, x):\n"
        "    notes.append(f'no roads near {x}')\n"
        "    result = {'method': 'straight line ' + x}\n"
        "    raise ValueError('the body must be JSON')\n"
        "def g(notes):\n"
        "    notes.append(msg('roads.none', near=1))\n"
        "    raise ValidationError(msg('edit.not_json', line=1))\n",
        encoding="utf-8",
    )
    lines = [line for line, _ in _findings(bad)]
    assert sorted(lines) == [2, 3, 4]
