"""Revision 0008: the day of receipt of a complaint from another channel, on a database that
holds cases (they keep their web channel and no day of receipt)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from databases import create_test_database
from databases import drop_test_database
from sqlalchemy import Engine
from sqlalchemy import inspect
from sqlalchemy import text

from core.storage import migrate
from core.storage.db import make_engine

NOW = dt.datetime(2026, 11, 10, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url, token = create_test_database(tmp_path)
    eng = make_engine(url)
    yield eng
    eng.dispose()
    drop_test_database(url, token)


def test_existing_cases_keep_their_channel_and_get_no_day_of_receipt(engine: Engine) -> None:
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
        row = conn.execute(text("SELECT channel, received_on FROM cases")).one()
    assert tuple(row) == ("web", None)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE cases SET channel = 'verbal', received_on = :d"), {"d": NOW.date()}
        )
    migrate.downgrade(engine, "0006")
    assert "received_on" not in {c["name"] for c in inspect(engine).get_columns("cases")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT code FROM cases")).scalar() == "D-2026-000001"
