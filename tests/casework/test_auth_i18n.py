"""The English catalog of the auth/admin/audit/stats views is complete and compiles."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "casework" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
TEMPLATES = [
    ROOT / "casework" / "templates" / name
    for name in ("base.html", "login.html", "auth", "admin", "audit", "stats")
]
_MSG = re.compile(r"""_\(\s*"((?:[^"\\]|\\.)*)"|_\(\s*'((?:[^'\\]|\\.)*)'""")


def _template_msgids() -> set[str]:
    found: set[str] = set()
    for path in TEMPLATES:
        files = [path] if path.is_file() else sorted(path.rglob("*.html"))
        for file in files:
            for match in _MSG.finditer(file.read_text(encoding="utf-8")):
                found.add(match.group(1) or match.group(2))
    return found


def test_every_template_message_has_an_english_translation():
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id: m.string for m in catalog if m.id}
    missing = sorted(m for m in _template_msgids() if not translated.get(m))
    assert not missing, missing


def test_no_empty_translation():
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    assert [m.id for m in catalog if m.id and not m.string] == []
