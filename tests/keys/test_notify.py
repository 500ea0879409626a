"""Deadline notices by e-mail, against real SMTP servers started here (aiosmtpd) with
STARTTLS and authentication (issue 9, item 4; docs/operations.md "Deadline notices")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from case_factory import make_case
from click.testing import CliRunner
from factories import make_entity
from factories import make_officer
from smtp_server import PASSWORD
from smtp_server import USER
from smtp_server import smtp_server
from sqlalchemy import Engine
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cli import cli
from config import Settings
from core.law.calendar import local_day
from core.storage.db import utcnow
from core.storage.models import Case
from core.storage.models import Deadline
from core.storage.models import Entity
from core.storage.models import Officer

CANARY = "CANARIO-AVISO-facts"


def _notify(settings: Settings, port: int, ca: Path) -> Any:
    env = {
        "INTEGRA_ENV": "testing",
        "INTEGRA_DATA_DIR": str(settings.data_dir),
        "INTEGRA_DATABASE_URL": settings.database_url,
        "INTEGRA_KDF_PROFILE": "fast",
        "INTEGRA_SMTP_HOST": "127.0.0.1",
        "INTEGRA_SMTP_PORT": str(port),
        "INTEGRA_SMTP_USER": USER,
        "INTEGRA_SMTP_PASSWORD": PASSWORD,
        "INTEGRA_SMTP_TIMEOUT": "10",
        "INTEGRA_SMTP_FROM": "oii@entidad.gob.pe",
        "INTEGRA_SMTP_CA_FILE": str(ca),
        "INTEGRA_SMTP_RETRY_SECONDS": "0.05",
    }
    return CliRunner().invoke(cli, ["notify"], env=env, catch_exceptions=False)


def _office_with_a_clock_due_tomorrow(engine: Engine, settings: Settings) -> tuple[str, str]:
    """Ana opted in; Luis did not. A complaint (with a canary in its facts) assigned to Ana
    has a clock due tomorrow. Returns (case code, ana's address)."""
    with Session(engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        ana = make_officer(s, settings, ent, username="ana")
        make_officer(s, settings, ent, username="luis")
        case = make_case(s, settings, ent, facts=CANARY, identified=True).case
        s.commit()
        officer = s.get_one(Officer, ana.officer.id)
        officer.notify_opt_in = True
        officer.notify_email = "ana@entidad.gob.pe"
        s.get_one(Case, case.id).assigned_officer_id = officer.id
        tomorrow = local_day(utcnow()) + dt.timedelta(days=1)
        for clock in s.scalars(select(Deadline).where(Deadline.case_id == case.id)):
            clock.officer_id = officer.id
            clock.due_on = tomorrow
        s.commit()
        return case.code, "ana@entidad.gob.pe"


def test_digest_for_a_clock_due_tomorrow_arrives_with_codes_and_no_content(
    clean_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    code, address = _office_with_a_clock_due_tomorrow(clean_engine, settings)
    with smtp_server(tmp_path) as (box, port, ca):
        result = _notify(settings, port, ca)
    assert result.exit_code == 0, result.output
    assert "notify: ok: 1 digests sent, 0 failed" in result.output
    assert len(box.messages) == 1  # Luis did not opt in
    recipients, body = box.messages[0]
    assert recipients == [address]
    assert "Plazos por vencer pronto: 1: " + code in body
    assert "Clocks due soon: 1: " + code in body
    for secret in (CANARY, "Rosa Quispe", "40000001", "rosa@example.org", "contrataciones"):
        assert secret not in body
    assert PASSWORD not in result.output

    with Session(clean_engine) as s:
        s.scalars(select(Entity)).one().notify_counts_only = True
        s.commit()
    with smtp_server(tmp_path) as (box, port, ca):
        assert _notify(settings, port, ca).exit_code == 0
    body = box.messages[0][1]
    assert "Plazos por vencer pronto: 1" in body and code not in body


def test_a_refusing_server_is_retried_and_reported_without_crashing(
    clean_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _office_with_a_clock_due_tomorrow(clean_engine, settings)
    with smtp_server(tmp_path, refuse=True) as (box, port, ca):
        result = _notify(settings, port, ca)
    assert result.exit_code == 1
    assert "notify: FAILED: 0 digests sent, 1 failed" in result.output
    assert "SMTPRecipientsRefused" in result.output
    assert box.attempts == 3 and box.messages == []
