"""Revision 0013: blobs record their framing; blobs stored before it hold their plaintext as
is ("") and still open; a blob written afterwards through the model can be framed."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from databases import create_test_database
from databases import drop_test_database
from sqlalchemy import Engine
from sqlalchemy import text
from sqlalchemy.orm import Session

import crypto
from core.law.enums import BlobKind
from core.storage import blobs
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


def test_blobs_written_before_0013_keep_opening(engine: Engine) -> None:
    identity = crypto.X25519Identity.generate()
    sealed = crypto.encrypt(b"evidencia anterior al relleno", [identity.recipient()])
    # Given a database at 0007 holding one sealed blob (rows written as that schema had them)
    migrate.upgrade(engine, "0007")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO blobs (kind, size, sha256, created_at) "
                "VALUES ('attachment', :n, '', :now)"
            ),
            {"n": len(sealed), "now": NOW},
        )
        old_id = conn.execute(text("SELECT max(id) FROM blobs")).scalar_one()
        conn.execute(
            text("INSERT INTO blob_chunks (blob_id, seq, data) VALUES (:i, 0, :d)"),
            {"i": old_id, "d": sealed},
        )
    # When the schema is upgraded
    migrate.upgrade(engine)
    with engine.connect() as conn:
        framing = conn.execute(text("SELECT framing FROM blobs WHERE id = :i"), {"i": old_id})
        assert framing.scalar_one() == ""
    with Session(engine) as session:
        # Then the old blob opens as it was, and a new framed one opens to its file
        assert blobs.read_plaintext(session, old_id, [identity]) == b"evidencia anterior al relleno"
        new = blobs.store_stream(
            session,
            io.BytesIO(b"nuevo"),
            [identity.recipient()],
            kind=BlobKind.ATTACHMENT,
            file=("nuevo.txt", 5),
        )
        session.commit()
        assert new.framing == "tar"
        assert blobs.read_plaintext(session, new.id, [identity]) == b"nuevo"
    # And the downgrade drops the column, keeping the rows
    migrate.downgrade(engine, "0007")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM blobs")).scalar_one() == 2
