"""Retention, legal hold and shredding (issue 9, item 3; docs/workflow.md "Retention")."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from case_builders import World
from case_builders import act
from case_builders import at_lima
from case_builders import build_world
from case_builders import file_case
from click.testing import CliRunner
from databases import read_database_file
from sqlalchemy import Engine
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import Session

from casework.cli import cli
from config import Settings
from core.law.enums import BlobKind
from core.law.enums import CaseState
from core.law.enums import Destination
from core.law.workflow import Act
from core.read.stats import build_report
from core.services import retention
from core.storage import blobs
from core.storage import migrate
from core.storage.db import make_engine
from core.storage.models import AuditEntry
from core.storage.models import Blob
from core.storage.models import BlobChunk
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Note

NOW = at_lima(2031, 6, 2)
OLD = (2020, 6, 1)  # a Monday
RECENT = (2024, 6, 3)  # a Monday


def _concluded(w: World, day: tuple[int, int, int], *, canary: bytes = b"") -> Case:
    y, m, d = day
    case = file_case(w, at_lima(y, m, d))
    report = blobs.store_bytes(
        w.session, canary + b"x" * 300, w.recipients, kind=BlobKind.REPORT, case_id=case.id
    )
    case.report_blob_id = report.id
    w.session.add(
        Note(case_id=case.id, officer_id=w.officer.id, body_sealed=report_bytes(w, report.id))
    )
    act(w, case, Act.VERIFY_REQUIREMENTS, at_lima(y, m, d + 1))
    act(w, case, Act.FORWARD, at_lima(y, m, d + 2), destination=Destination.STPAD)
    act(w, case, Act.CONCLUDE, at_lima(y, m, d + 3))
    return case


def report_bytes(w: World, blob_id: int) -> bytes:
    return b"".join(blobs.iter_ciphertext(w.session, blob_id))


def test_retention_shreds_expired_cases_keeps_tombstones_and_statistics(
    clean_engine: Engine,
) -> None:
    with Session(clean_engine, expire_on_commit=False) as s:
        w = build_world(s)
        old = _concluded(w, OLD, canary=b"CANARIO-RETENCION")
        held = _concluded(w, OLD)
        recent = _concluded(w, RECENT)
        retention.place_hold(
            s, case=held, officer=w.officer, reason="Requerimiento fiscal de conservación",
            office_recipients=w.recipients, now=NOW,
        )  # fmt: skip
        s.commit()
        stats_before = build_report(
            s, entity_id=w.entity.id, now=NOW,
            period_from=dt.date(2020, 1, 1), period_to=dt.date(2024, 12, 31),
        )  # fmt: skip

        due = retention.run(s, now=NOW)
        s.commit()
        assert [d.case.code for d in due] == [old.code]
        assert due[0].ended_on == dt.date(2020, 6, 4)
        assert due[0].keep_until == dt.date(2030, 6, 4)  # 10 years after conclusion

        s.expire_all()
        tomb = s.get_one(Case, old.id)
        assert tomb.shredded_at is not None and tomb.state is CaseState.CONCLUDED
        assert tomb.code == old.code and tomb.filed_at == at_lima(2020, 6, 1)
        assert tomb.report_blob_id is None and tomb.receipt_salt == b""
        assert s.scalars(select(Blob).where(Blob.case_id == old.id)).all() == []
        assert s.scalars(select(Note).where(Note.case_id == old.id)).all() == []
        events = s.scalars(select(CaseEvent).where(CaseEvent.case_id == old.id)).all()
        assert events and all(e.reasoning_sealed is None for e in events)
        # The held and the recent case keep everything.
        for kept in (held, recent):
            assert s.get_one(Case, kept.id).shredded_at is None
            assert s.scalars(select(Blob).where(Blob.case_id == kept.id)).all() != []
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "case.shredded")).one()
        assert json.loads(entry.detail) == {
            "code": old.code, "outcome": "concluida", "filed_on": "2020-06-01",
            "ended_on": "2020-06-04", "kept_until": "2030-06-04",
        }  # fmt: skip
        stats_after = build_report(
            s, entity_id=w.entity.id, now=NOW,
            period_from=dt.date(2020, 1, 1), period_to=dt.date(2024, 12, 31),
        )  # fmt: skip
        assert stats_after == stats_before
        # A second run finds nothing more; releasing the hold makes the held case due.
        assert retention.run(s, now=NOW) == []
        retention.release_hold(s, case=held, officer=w.head, now=NOW)
        assert [d.case.code for d in retention.run(s, now=NOW)] == [held.code]
        s.commit()


def test_entity_rules_override_the_defaults(db_session: Session) -> None:
    w = build_world(db_session)
    recent = _concluded(w, RECENT)
    assert retention.run(db_session, now=NOW, dry_run=True) == []
    retention.set_rule(db_session, entity_id=w.entity.id, outcome=CaseState.CONCLUDED, years=3)
    due = retention.run(db_session, now=NOW, dry_run=True)
    assert [d.case.code for d in due] == [recent.code]
    assert due[0].keep_until == dt.date(2027, 6, 6)
    assert db_session.get_one(Case, recent.id).shredded_at is None  # dry run
    with pytest.raises(ValueError):
        retention.set_rule(db_session, entity_id=w.entity.id, outcome=CaseState.FORWARDED, years=3)


def test_a_hold_needs_a_reason_and_only_one_is_active(db_session: Session) -> None:
    w = build_world(db_session)
    case = _concluded(w, OLD)
    with pytest.raises(retention.HoldRefused, match="reason_required"):
        retention.place_hold(
            db_session, case=case, officer=w.officer, reason="  ",
            office_recipients=w.recipients, now=NOW,
        )  # fmt: skip
    retention.place_hold(
        db_session, case=case, officer=w.officer, reason="Litigio en curso",
        office_recipients=w.recipients, now=NOW,
    )  # fmt: skip
    with pytest.raises(retention.HoldRefused, match="already_held"):
        retention.place_hold(
            db_session, case=case, officer=w.officer, reason="Otra",
            office_recipients=w.recipients, now=NOW,
        )  # fmt: skip
    actions = db_session.scalars(select(AuditEntry.action)).all()
    assert "case.legal_hold_placed" in actions
    assert b"Litigio" not in b"".join(
        r or b"" for r in db_session.scalars(select(BlobChunk.data)).all()
    )


def test_retention_run_command_lists_then_shreds(clean_engine: Engine, settings: Settings) -> None:
    with Session(clean_engine, expire_on_commit=False) as s:
        w = build_world(s)
        case = _concluded(w, OLD)
        s.commit()
    env = {
        "INTEGRA_ENV": "testing",
        "INTEGRA_DATA_DIR": str(settings.data_dir),
        "INTEGRA_DATABASE_URL": settings.database_url,
        "INTEGRA_KDF_PROFILE": "fast",
    }
    runner = CliRunner()
    rule = ["retention", "set", "--outcome", "concluida", "--years", "1"]
    assert runner.invoke(cli, rule, env=env, catch_exceptions=False).exit_code == 0
    dry = runner.invoke(cli, ["retention", "run", "--dry-run"], env=env, catch_exceptions=False)
    assert dry.exit_code == 0
    assert f"{case.code}: concluida, ended 2020-06-04, kept until 2021-06-04" in dry.output
    assert "1 cases due (dry run, nothing shredded)." in dry.output
    with Session(clean_engine) as s:
        assert s.get_one(Case, case.id).shredded_at is None
    real = runner.invoke(cli, ["retention", "run"], env=env, catch_exceptions=False)
    assert "1 cases shredded." in real.output
    with Session(clean_engine) as s:
        assert s.get_one(Case, case.id).shredded_at is not None


def test_sqlite_overwrites_shredded_ciphertext(tmp_path: Path) -> None:
    """secure_delete (core/storage/db.py): the shredded bytes are gone from the file itself.
    Always on SQLite, whatever INTEGRA_DATABASE_URL says: PostgreSQL has no such setting
    (docs/threat-model.md says what remains there)."""
    path = tmp_path / "retention.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)

    def on_disk(needle: bytes) -> bool:
        with engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        return any(needle in read_database_file(f) for f in (path, Path(f"{path}-wal")))

    try:
        with Session(engine, expire_on_commit=False) as s:
            w = build_world(s)
            case = _concluded(w, OLD)
            s.commit()
            ciphertext = report_bytes(w, case.report_blob_id)  # type: ignore[arg-type]
            assert on_disk(ciphertext[100:164])
            assert [d.case.id for d in retention.run(s, now=NOW)] == [case.id]
            s.commit()
        assert not on_disk(ciphertext[100:164])
    finally:
        engine.dispose()
