"""Revision 0011: cases filed before it keep a verifiable v1 acknowledgement; new ones get v2."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from case_factory import evidence
from case_factory import make_case
from databases import create_test_database
from databases import drop_test_database
from factories import make_entity
from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.access.entities import signing_key
from core.services import acknowledgement as ack
from core.services import intake
from core.storage import migrate
from core.storage.db import make_engine
from core.storage.models import Case

PREVIOUS = "0009"  # the revision 0011 follows (tests/test_migrations.py: one linear chain)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url, token = create_test_database(tmp_path)
    eng = make_engine(url)
    yield eng
    eng.dispose()
    drop_test_database(url, token)


def test_a_case_filed_before_0011_keeps_its_v1_acknowledgement(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # Given a database holding a case whose acknowledgement was signed the v1 way
    migrate.upgrade(engine, "head")
    with Session(engine, expire_on_commit=False) as session:
        ent = make_entity(session, settings)
        case = make_case(session, settings, ent, attachments=[evidence()]).case
        case.acknowledgement_signature = signing_key(
            settings.secret_bytes("server_key"), ent.entity
        ).sign(
            ack.v1_message(
                entity_slug=ent.entity.slug,
                case_code=case.code,
                filed_at=case.filed_at.astimezone(dt.UTC).isoformat(),
                report_sha256=case.report_sha256,
            )
        )
        session.commit()
        case_id, public_key = case.id, ent.entity.signing_public_key
    # (Setup: back to the revision before 0011 with the data in place. A plain engine,
    # without the foreign-key pragma, lets SQLite's batch mode copy the cases table.)
    plain = create_engine(engine.url)
    migrate.downgrade(plain, PREVIOUS)
    plain.dispose()
    # When the migration applies to that data
    migrate.upgrade(engine, "0011")
    with engine.connect() as conn:
        sealed = conn.execute(
            text("SELECT acknowledgement_sealed FROM cases WHERE id = :id"), {"id": case_id}
        ).scalar_one()
    assert sealed is None
    # Then the old case's acuse is v1 and verifies, and (schema at head: the models are the
    # current code's) a new filing gets a v2 one
    migrate.upgrade(engine, "head")
    with Session(engine) as session:
        old = session.get(Case, case_id)
        assert old is not None
        document = intake.acknowledgement_for(old, settings)
        assert document["type"] == "integra-acuse-de-recibo/v1"
        assert intake.verify_acknowledgement(document, public_key)
        ent2 = make_entity(session, settings, name="Otra Entidad")
        new = make_case(session, settings, ent2).case
        fresh = intake.acknowledgement_for(new, settings)
        assert fresh["type"] == "integra-acuse-de-recibo/v2"
        assert intake.verify_acknowledgement(fresh, ent2.entity.signing_public_key)
