"""Revision 0008: the day of receipt of a complaint from another channel and the RG 4.9 flag,
on a database that holds cases (they keep their web channel, no day of receipt, and stay with
the OII)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from databases import create_test_database
from databases import drop_test_database
from sqlalchemy import Engine
from sqlalchemy import inspect
from sqlalchemy import text

from core.storage import migrate
from core.storage.db import make_engine

# The revision 0008 follows (the chain is relinked when branches merge).
BEFORE = str(
    ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    .get_revision("0008")
    .down_revision
)

NOW = dt.datetime(2026, 11, 10, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url, token = create_test_database(tmp_path)
    eng = make_engine(url)
    yield eng
    eng.dispose()
    drop_test_database(url, token)


def test_existing_cases_keep_their_channel_and_get_no_day_of_receipt(engine: Engine) -> None:
    # Cases as they were written at 0006 (the revision 0008 was assigned to follow); the
    # revisions merged in between (e.g. 0012's regime) fill their own columns on the way up.
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
        conn.execute(
            text(
                "INSERT INTO cases (id, entity_id, code, modality, motive_1, state, channel, "
                "filed_at, protection_requested, reserve_only, receipt_lookup, receipt_salt, "
                "complainant_recipient, report_sha256, acknowledgement_signature, updated_at) "
                "VALUES (1, 1, 'D-2026-000001', 'anonima', 'otros_actos', 'registrada', 'web', "
                ":now, :f, :f, 'lookup-1', :b, 'age1c', '0', :b, :now)"
            ),
            {"now": NOW, "f": False, "b": b"s"},
        )
    migrate.upgrade(engine, "0008")
    with engine.connect() as conn:
        row = conn.execute(text("SELECT channel, received_on, against_oii FROM cases")).one()
    # A case filed before RG 4.9 routing existed stays with the OII (against_oii false)
    assert (row[0], row[1], bool(row[2])) == ("web", None, False)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE cases SET channel = 'verbal', received_on = :d"), {"d": NOW.date()}
        )
    migrate.downgrade(engine, BEFORE)
    columns = {c["name"] for c in inspect(engine).get_columns("cases")}
    assert "received_on" not in columns and "against_oii" not in columns
    with engine.connect() as conn:
        assert conn.execute(text("SELECT code FROM cases")).scalar() == "D-2026-000001"
