"""Invariant 2: the intake holds no private key of the office or the vault."""

from __future__ import annotations

import re
from pathlib import Path

from intake_helpers import file_complaint
from sqlalchemy import select

from core.storage.models import Entity

ROOT = Path(__file__).resolve().parents[2]


def test_intake_code_never_touches_wrapped_keys():
    sources = [*(ROOT / "reporting").rglob("*.py"), ROOT / "core" / "services" / "intake.py"]
    sources += [
        ROOT / "core" / "services" / "followup.py",
        ROOT / "core" / "services" / "messages.py",
    ]
    forbidden = re.compile(
        r"unwrap_identity|WrappedKey|keysessions|unwrap_for_officer|OfficerSession"
    )
    for path in sources:
        assert not forbidden.search(path.read_text()), path


def test_app_state_and_config_hold_no_identity(app, client, session_for):
    file_complaint(client)
    state = app.extensions["integra"]
    blob = repr(app.config) + repr(state.settings)
    assert "AGE-SECRET-KEY" not in blob
    for ent in session_for.scalars(select(Entity)):
        assert ent.office_recipient.startswith("age1")
        assert ent.vault_recipient.startswith("age1")
