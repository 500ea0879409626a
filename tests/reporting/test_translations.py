"""Every Spanish msgid used by the intake has a non-empty English translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "reporting" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}


def _used_msgids() -> set[str]:
    found: set[str] = set()
    sources = [
        (ROOT / "reporting", [("**.py", "python")]),
        (ROOT / "reporting" / "templates", [("**.html", "jinja2")]),
    ]
    for directory, method_map in sources:
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            str(directory), method_map, keywords=KEYWORDS
        ):
            ids = message if isinstance(message, tuple) else (message,)
            found.update(m for m in ids if m)
    return found


def test_every_msgid_has_english():
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    english = {str(m.id): m.string for m in catalog if m.id}
    used = _used_msgids()
    assert len(used) > 200
    missing = sorted(m for m in used if not english.get(m))
    assert missing == [], (
        f"msgids without English (run reporting/translations/update.py): {missing}"
    )


def test_pages_render_in_english_on_request(client):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "File a complaint safely" in html
    assert 'lang="en"' in html
    spanish = client.get("/", headers={"Accept-Language": "es-PE"}).get_data(as_text=True)
    assert "Presente una denuncia de forma segura" in spanish
    english = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "File a complaint safely" in english
