"""Recipes in the docs keep working: they are run here against the real thing."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from case_factory import make_case
from factories import make_entity
from sqlalchemy.orm import Session

from config import Settings
from core.services import intake

ROOT = Path(__file__).resolve().parent.parent


def python_block_after(doc: Path, heading: str) -> str:
    text = doc.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, f"no python block under {heading!r}"
    return match.group(1)


def test_offline_acknowledgement_recipe_verifies_and_catches_tampering(
    db_session: Session, settings: Settings, tmp_path: Path
) -> None:
    recipe = python_block_after(
        ROOT / "docs" / "operations.md", "## Verifying an acknowledgement (acuse de recibo) offline"
    )
    script = tmp_path / "verify.py"
    script.write_text(recipe, encoding="utf-8")
    ent = make_entity(db_session, settings)
    ack = intake.acknowledgement_for(make_case(db_session, settings, ent).case, settings)

    def run(document: dict[str, str]) -> subprocess.CompletedProcess[str]:
        path = tmp_path / "acuse.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return subprocess.run(
            [sys.executable, str(script), str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    good = run(ack)
    assert good.returncode == 0, good.stderr
    assert f"valid acuse for {ack['case_code']}" in good.stdout
    forged = run({**ack, "filed_at": "2020-01-01T00:00:00+00:00"})
    assert forged.returncode != 0
    assert "InvalidSignature" in forged.stderr
    renamed = run({**ack, "entity_name": "Otra entidad"})  # v2 signs the name too
    assert renamed.returncode != 0
    assert "InvalidSignature" in renamed.stderr
