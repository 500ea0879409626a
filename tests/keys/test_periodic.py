"""`integra periodic`: isolated named steps, exit status, purges (issue 9, items 5 and 6)."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from factories import TEST_WRAP_WORK_FACTOR
from factories import make_entity
from factories import make_officer
from sqlalchemy import Engine
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from casework.cli import cli
from config import Settings
from core.access import keysessions
from core.law.enums import BlobKind
from core.services import periodic
from core.storage import blobs
from core.storage.db import utcnow
from core.storage.models import Blob
from core.storage.models import NonWorkingDay
from core.storage.models import OfficerSession


def _invoke(settings: Settings) -> tuple[int, str]:
    env = {
        "INTEGRA_ENV": "testing",
        "INTEGRA_DATA_DIR": str(settings.data_dir),
        "INTEGRA_DATABASE_URL": settings.database_url,
        "INTEGRA_KDF_PROFILE": "fast",
        "INTEGRA_WRAP_WORK_FACTOR": str(TEST_WRAP_WORK_FACTOR),
    }
    result = CliRunner().invoke(cli, ["periodic"], env=env, catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def leftovers(clean_engine: Engine, settings: Settings) -> dict[str, int]:
    """A stale and a fresh draft file, an expired and a live officer session."""
    now = utcnow()
    with Session(clean_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        ana = make_officer(s, settings, ent, username="ana")
        key = crypto.X25519Identity.generate().recipient()
        stale = blobs.store_bytes(s, b"draft", [key], kind=BlobKind.ATTACHMENT)
        stale.created_at = now - blobs.DRAFT_MAX_AGE - dt.timedelta(minutes=1)
        fresh = blobs.store_bytes(s, b"draft", [key], kind=BlobKind.ATTACHMENT)
        old = keysessions.open_session(
            s, officer=ana.officer, identities={}, now=now - dt.timedelta(hours=2)
        )
        live = keysessions.open_session(s, officer=ana.officer, identities={}, now=now)
        s.commit()
        return {
            "stale": stale.id,
            "fresh": fresh.id,
            "entity": ent.entity.id,
            "old_session": old.row.id,  # type: ignore[dict-item]
            "live_session": live.row.id,  # type: ignore[dict-item]
        }


def test_periodic_purges_stale_drafts_and_expired_sessions(
    clean_engine: Engine, settings: Settings, leftovers: dict[str, int]
) -> None:
    code, output = _invoke(settings)
    assert code == 0, output
    assert "drafts: ok: 1 abandoned draft files deleted" in output
    assert "officer-sessions: ok: 1 expired officer sessions deleted" in output
    assert "retention: ok: 0 expired cases shredded" in output
    assert "checkpoint: ok: checkpoint issued at size" in output  # issue 15: at least daily
    with Session(clean_engine) as s:
        assert set(s.scalars(select(Blob.id))) == {leftovers["fresh"]}
        assert set(s.scalars(select(OfficerSession.id))) == {leftovers["live_session"]}


def test_a_failing_step_is_reported_rolled_back_and_does_not_stop_the_others(
    clean_engine: Engine,
    settings: Settings,
    leftovers: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(session: Session, settings: Settings, now: dt.datetime) -> str:
        session.add(NonWorkingDay(entity_id=leftovers["entity"], day=dt.date(2026, 12, 24)))
        session.flush()
        raise RuntimeError("simulated failure")

    steps = [periodic.Step("broken", broken), *periodic.STEPS]
    monkeypatch.setattr(periodic, "STEPS", steps)
    code, output = _invoke(settings)
    assert code == 1
    assert "broken: FAILED: failed: RuntimeError" in output
    assert "drafts: ok: 1 abandoned" in output and "officer-sessions: ok: 1" in output
    with Session(clean_engine) as s:
        assert s.scalars(select(NonWorkingDay)).all() == []  # its writes were rolled back


def test_register_appends_and_replaces_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(periodic, "STEPS", list(periodic.STEPS))
    names = [s.name for s in periodic.STEPS]
    periodic.register(periodic.Step("extra", periodic.purge_drafts))
    periodic.register(periodic.Step("drafts", periodic.purge_officer_sessions))
    assert [s.name for s in periodic.STEPS] == [*names, "extra"]
    drafts = next(s for s in periodic.STEPS if s.name == "drafts")
    assert drafts.run is periodic.purge_officer_sessions
