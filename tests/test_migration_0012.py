"""Revision 0012: every case records its regime; existing cases get the current one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from databases import create_test_database
from databases import drop_test_database
from sqlalchemy import Engine
from sqlalchemy import exc
from sqlalchemy import inspect
from sqlalchemy import text

from core.law.regime import regime_at_filing
from core.law.regime import regime_by_id
from core.storage import migrate
from core.storage.db import make_engine

NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
_CASE = (
    "INSERT INTO cases (id, entity_id, code, modality, motive_1, state, channel, "
    "filed_at, protection_requested, reserve_only, receipt_lookup, receipt_salt, "
    "complainant_recipient, report_sha256, acknowledgement_signature, updated_at{extra}) "
    "VALUES (:id, 1, :code, 'anonima', 'otros_actos', :state, 'web', :now, "
    ":f, :f, :lookup, :b, 'age1c', '0', :b, :now{extra_value})"
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url, token = create_test_database(tmp_path)
    eng = make_engine(url)
    yield eng
    eng.dispose()
    drop_test_database(url, token)


def _case(conn, case_id: int, state: str, *, regime: str | None = None) -> None:  # type: ignore[no-untyped-def]
    extra = ", regime" if regime is not None else ""
    conn.execute(
        text(_CASE.format(extra=extra, extra_value=", :regime" if regime is not None else "")),
        {
            "id": case_id,
            "code": f"D-2026-{case_id:06d}",
            "state": state,
            "now": NOW,
            "f": False,
            "lookup": f"lookup-{case_id}",
            "b": b"s",
            "regime": regime,
        },
    )


def test_existing_cases_get_the_regime_in_force_and_new_rows_must_name_one(
    engine: Engine,
) -> None:
    # Given a database at 0006 holding two cases (one still open, one concluded) and a clock
    migrate.upgrade(engine, "0006")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO entities (id, slug, name, office_recipient, vault_recipient, "
                "signing_public_key, signing_key_sealed, case_prefix, created_at) "
                "VALUES (1, 'e', 'E', 'age1x', 'age1y', :b, :b, 'D', :now)"
            ),
            {"b": b"k", "now": NOW},
        )
        _case(conn, 1, "en_verificacion")
        _case(conn, 2, "concluida")
        conn.execute(
            text(
                "INSERT INTO deadlines (id, entity_id, case_id, kind, party, rule_version, "
                "starts_on, due_on) VALUES (1, 1, 1, 'verify_requirements', 'office', "
                "'DS-002-2020-JUS', :d, :due)"
            ),
            {"d": dt.date(2026, 3, 2), "due": dt.date(2026, 3, 4)},
        )

    migrate.upgrade(engine, "0012")

    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, regime FROM cases ORDER BY id")).all()
        due = conn.execute(text("SELECT due_on FROM deadlines")).scalar_one()
    # Both were filed under D.S. 002-2020-JUS (in force from 6 Feb 2020), the regime the code
    # knows for a filing on 2 March 2026; the clock already running is untouched.
    assert [tuple(r) for r in rows] == [(1, "DS-002-2020-JUS"), (2, "DS-002-2020-JUS")]
    assert regime_by_id(rows[0][1]) is regime_at_filing(dt.date(2026, 3, 2))
    assert due in (dt.date(2026, 3, 4), "2026-03-04")
    with pytest.raises(exc.IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE cases SET regime = NULL WHERE id = 1"))
    if engine.dialect.name != "sqlite":
        # PostgreSQL keeps no default: a row must name its regime (SQLite keeps the default,
        # see the revision).
        with pytest.raises(exc.IntegrityError), engine.begin() as conn:
            _case(conn, 3, "registrada")
    with engine.begin() as conn:
        _case(conn, 3, "registrada", regime="DS-002-2020-JUS")

    # Downgrading drops the column and keeps the cases.
    migrate.downgrade(engine, "0006")
    assert "regime" not in {c["name"] for c in inspect(engine).get_columns("cases")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar_one() == 3
