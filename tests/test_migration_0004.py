"""Revision 0004: case codes unique per entity, on a database that holds cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from databases import create_test_database
from databases import drop_test_database
from sqlalchemy import Engine
from sqlalchemy import exc
from sqlalchemy import text

from core.storage import migrate
from core.storage.db import make_engine

NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url, token = create_test_database(tmp_path)
    eng = make_engine(url)
    yield eng
    eng.dispose()
    drop_test_database(url, token)


def _entity(conn, entity_id: int) -> None:  # type: ignore[no-untyped-def]
    conn.execute(
        text(
            "INSERT INTO entities (id, slug, name, office_recipient, vault_recipient, "
            "signing_public_key, signing_key_sealed, case_prefix, created_at) "
            "VALUES (:id, :slug, 'E', 'age1x', 'age1y', :b, :b, 'D', :now)"
        ),
        {"id": entity_id, "slug": f"e{entity_id}", "b": b"k", "now": NOW},
    )


def _case(conn, case_id: int, entity_id: int, code: str) -> None:  # type: ignore[no-untyped-def]
    conn.execute(
        text(
            "INSERT INTO cases (id, entity_id, code, modality, motive_1, state, channel, "
            "filed_at, protection_requested, reserve_only, receipt_lookup, receipt_salt, "
            "complainant_recipient, report_sha256, acknowledgement_signature, updated_at) "
            "VALUES (:id, :e, :code, 'anonima', 'otros_actos', 'registrada', 'web', :now, "
            ":f, :f, :lookup, :b, 'age1c', '0', :b, :now)"
        ),
        {
            "id": case_id,
            "e": entity_id,
            "code": code,
            "now": NOW,
            "f": False,
            "lookup": f"lookup-{case_id}",
            "b": b"s",
        },
    )


def test_a_second_entity_can_use_the_same_code_after_the_upgrade(engine: Engine) -> None:
    migrate.upgrade(engine, "0003")
    with engine.begin() as conn:
        _entity(conn, 1)
        _entity(conn, 2)
        _case(conn, 1, 1, "D-2026-000001")
    with pytest.raises(exc.IntegrityError), engine.begin() as conn:
        _case(conn, 2, 2, "D-2026-000001")  # the defect: a global unique code
    migrate.upgrade(engine, "0004")
    with engine.begin() as conn:
        _case(conn, 2, 2, "D-2026-000001")
    with pytest.raises(exc.IntegrityError), engine.begin() as conn:
        _case(conn, 3, 1, "D-2026-000001")  # still unique within an entity
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT entity_id, code FROM cases ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(1, "D-2026-000001"), (2, "D-2026-000001")]
