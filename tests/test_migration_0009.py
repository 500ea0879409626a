"""Revision 0009: directory fields on a database that already holds entities and cases."""

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

from core.access import directory
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


def test_existing_entities_become_searchable_and_stay_active(engine: Engine) -> None:
    # Given a database at 0006 with two entities made by `integra init` and a case
    migrate.upgrade(engine, "0006")
    with engine.begin() as conn:
        for entity_id, slug, name in (
            (1, "ministerio-de-educacion", "Ministerio de Educación"),
            (2, "municipalidad-de-ate", "Municipalidad de Ate"),
        ):
            conn.execute(
                text(
                    "INSERT INTO entities (id, slug, name, office_recipient, vault_recipient, "
                    "signing_public_key, signing_key_sealed, case_prefix, created_at, "
                    "notify_counts_only) VALUES (:id, :slug, :name, 'age1x', 'age1y', :b, :b, "
                    "'D', :now, :f)"
                ),
                {"id": entity_id, "slug": slug, "name": name, "b": b"k", "now": NOW, "f": False},
            )
        conn.execute(
            text(
                "INSERT INTO cases (id, entity_id, code, modality, motive_1, state, channel, "
                "filed_at, protection_requested, reserve_only, receipt_lookup, receipt_salt, "
                "complainant_recipient, report_sha256, acknowledgement_signature, updated_at) "
                "VALUES (1, 1, 'D-2026-000001', 'anonima', 'otros_actos', 'registrada', 'web', "
                ":now, :f, :f, 'l1', :b, 'age1c', '0', :b, :now)"
            ),
            {"now": NOW, "f": False, "b": b"s"},
        )

    # When upgrading to 0009
    migrate.upgrade(engine, "0009")

    # Then each keeps its slug (its /e/<slug>/ address), is active, and is found by name
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT slug, search_text, active, acronym FROM entities ORDER BY id")
        ).all()
        assert [(r[0], r[1], bool(r[2]), r[3]) for r in rows] == [
            (
                "ministerio-de-educacion",
                "ministerio de educacion ministerio de educacion",
                True,
                "",
            ),
            ("municipalidad-de-ate", "municipalidad de ate municipalidad de ate", True, ""),
        ]
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == 1
    with Session(engine) as session:
        assert [e.slug for e in directory.search(session, "educacion").entities] == [
            "ministerio-de-educacion"
        ]
        if engine.dialect.name == "postgresql":  # the stemmer's index serves the old rows
            assert [e.slug for e in directory.search(session, "educativos").entities] == [
                "ministerio-de-educacion"
            ]

    # And the downgrade leaves the entities and the case in place
    migrate.downgrade(engine, "0006")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM entities")).scalar() == 2
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == 1
