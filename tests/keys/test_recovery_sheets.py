"""Recovery sheets at init (issue 9, item 6): printable HTML with a QR code, owner-only."""

from __future__ import annotations

import re
from pathlib import Path

from test_cli import fresh_db  # noqa: F401 (fixtures shared with tests/test_cli.py)
from test_cli import run  # noqa: F401


def test_init_writes_one_sheet_per_key(run, tmp_path: Path) -> None:  # noqa: F811
    sheets = tmp_path / "usb"
    sheets.mkdir()
    result = run("init", "--entity", "Municipalidad de Prueba", "--sheet-dir", str(sheets))
    assert result.exit_code == 0, result.output
    printed = dict(re.findall(r"^  (office|vault):\s+(AGE-SECRET-KEY-\S+)$", result.output, re.M))
    assert set(printed) == {"office", "vault"}
    for purpose, secret in printed.items():
        path = sheets / f"municipalidad-de-prueba-{purpose}-recovery.html"
        page = path.read_text()
        assert secret in page and "<svg" in page
        assert path.stat().st_mode & 0o777 == 0o600
    # Refuses to overwrite an existing sheet rather than lose one.
    again = run("init", "--entity", "Municipalidad de Prueba", "--sheet-dir", str(sheets))
    assert again.exit_code == 0  # the entity exists: keys untouched, no sheet written
