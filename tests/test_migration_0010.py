"""Revision 0010: an existing audit chain becomes the first leaves of the Merkle tree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from databases import create_test_database
from databases import drop_test_database
from sqlalchemy import Engine
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.storage import audit
from core.storage import migrate
from core.storage import tree
from core.storage.db import make_engine
from crypto import tlog

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url, token = create_test_database(tmp_path)
    eng = make_engine(url)
    yield eng
    eng.dispose()
    drop_test_database(url, token)


def test_existing_entries_become_leaves_and_new_ones_follow(engine: Engine) -> None:
    # Given a database at 0003 whose audit chain holds 11 entries
    migrate.upgrade(engine, "0003")
    prev = audit.GENESIS
    leaves = []
    with engine.begin() as conn:
        for seq in range(1, 12):
            at = T0 + dt.timedelta(minutes=seq)
            fields = {
                "seq": seq,
                "at": at,
                "action": f"case.viewed.{seq}",
                "actor": "system",
                "officer_id": None,
                "entity_id": None,
                "case_id": None,
                "detail": f'{{"n":{seq}}}',
            }
            digest = audit.compute_hash(prev_hash=prev, **fields)
            conn.execute(
                text(
                    "INSERT INTO audit_entries (seq, at, action, actor, officer_id, entity_id, "
                    "case_id, detail, prev_hash, hash) VALUES (:seq, :at, :action, :actor, "
                    ":officer_id, :entity_id, :case_id, :detail, :prev, :hash)"
                ),
                {**fields, "prev": prev, "hash": digest},
            )
            leaves.append(tlog.leaf_hash(audit.leaf_data(**fields)))
            prev = digest
    # When the migration applies
    migrate.upgrade(engine, "0010")
    # Then the tree holds those entries, the chain still verifies, and appends continue it
    expected = tlog.RootBuilder()
    expected.extend(leaves)
    with Session(engine) as session:
        assert tree.size(session) == 11
        assert tree.root(session, 11) == expected.root()
        assert audit.verify_chain(session).entries == 11
        entry = audit.record(session, action="after.upgrade", now=T0 + dt.timedelta(hours=1))
        expected.add(tlog.leaf_hash(audit.entry_leaf_data(entry)))
        assert tree.root(session, 12) == expected.root()
        session.commit()
    migrate.downgrade(engine, "0003")
    migrate.upgrade(engine, "0010")
