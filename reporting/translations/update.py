"""Regenerate the English catalog: extract msgids, fill msgstrs from en.tsv, write the .po.

Run: .venv/bin/python reporting/translations/update.py  (then `make translations` compiles it).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from babel.messages.pofile import write_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def main() -> int:
    pot = HERE / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "extract",
            "-F",
            str(ROOT / "reporting" / "babel.cfg"),
            "-k",
            "_l",
            "--no-location",
            "--sort-output",
            "-o",
            str(pot),
            "reporting",
            "reporting/templates",
        ],
        check=True,
        cwd=ROOT,
    )
    english = dict(
        line.split("\t", 1)
        for line in (HERE / "en.tsv").read_text(encoding="utf-8").splitlines()
        if "\t" in line
    )
    with pot.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    missing = []
    for message in catalog:
        if message.id:
            message.string = english.get(str(message.id), "")
            if not message.string:
                missing.append(message.id)
    out = HERE / "en" / "LC_MESSAGES" / "messages.po"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        write_po(fh, catalog, width=0)
    for msgid in missing:
        print(f"missing English: {msgid!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
