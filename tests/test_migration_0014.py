"""Revision 0014: bad-faith procedures get their own table and their clocks a link to it; a
database holding cases and running clocks upgrades, keeps them, and takes new procedures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from case_builders import World
from case_builders import at_lima
from case_builders import make_case
from case_builders import make_officer
from databases import create_test_database
from databases import drop_test_database
from sqlalchemy import Engine
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import Session

import crypto
from core.law.enums import BadFaithType
from core.law.enums import DeadlineKind
from core.law.enums import Role
from core.services import badfaith
from core.services.case_records import calendar_for
from core.storage import migrate
from core.storage.db import make_engine
from core.storage.models import Case
from core.storage.models import Deadline
from core.storage.models import Entity

# The revision 0014 follows (the chain is linear; tests/test_migrations.py checks it).
PREVIOUS = "0011"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url, token = create_test_database(tmp_path)
    eng = make_engine(url)
    yield eng
    eng.dispose()
    drop_test_database(url, token)


def test_upgrade_keeps_running_clocks_and_takes_new_procedures(engine: Engine) -> None:
    # Given a database at the revision before 0014 with a case and a running verification clock
    migrate.upgrade(engine, PREVIOUS)
    office = crypto.X25519Identity.generate()
    with Session(engine) as session:
        # The entity row through Core with the columns of that revision (the ORM model has
        # gained columns since, e.g. entities.host in 0020).
        entity_id = session.execute(
            insert(Entity.__table__).values(
                slug="ent-0014", name="Entidad 0014",
                office_recipient=office.recipient().to_string(),
                vault_recipient=crypto.X25519Identity.generate().recipient().to_string(),
                signing_public_key=b"\0" * 32, signing_key_sealed=b"sealed",
            )
        ).inserted_primary_key[0]  # fmt: skip
        case = make_case(session, SimpleNamespace(id=entity_id), filed_at=at_lima(2026, 3, 2))  # type: ignore[arg-type]
        session.execute(
            text(
                "INSERT INTO deadlines (entity_id, case_id, kind, party, rule_version, starts_on, "
                "due_on) VALUES (:e, :c, 'verificar_requisitos', 'office', 'DS-002-2020-JUS', "
                ":s, :d)"
            ),
            {"e": entity_id, "c": case.id, "s": dt.date(2026, 3, 3), "d": dt.date(2026, 3, 4)},
        )
        session.commit()
        ids = (entity_id, case.id)
    # When the migration applies
    migrate.upgrade(engine, "0014")
    # Then the clock is still there, unlinked
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT kind, due_on, bad_faith_id FROM deadlines")).all()
    assert [(r[0], str(r[1]), r[2]) for r in rows] == [("verificar_requisitos", "2026-03-04", None)]
    # And, on the current schema, a procedure opens its own linked clocks
    migrate.upgrade(engine)
    with Session(engine) as session:
        entity = session.get_one(Entity, ids[0])
        case = session.get_one(Case, ids[1])
        world = World(
            session=session,
            entity=entity,
            office=office,
            officer=make_officer(session, entity),
            head=make_officer(session, entity, Role.HEAD),
            calendar=calendar_for(session, entity),
        )
        procedure = badfaith.start_bad_faith(
            session,
            case,
            officer=world.officer,
            bad_faith_type=BadFaithType.REPEATED,
            reasoning="Resolución firme previa.",
            now=at_lima(2026, 4, 1),
            calendar=world.calendar,
            office_recipients=world.recipients,
        )
        session.commit()
        linked = session.scalars(
            select(Deadline.kind).where(Deadline.bad_faith_id == procedure.id)
        ).all()
        assert sorted(linked) == [DeadlineKind.ALEGACIONES, DeadlineKind.DECISION]
    # And the revisions go down past 0014 and up again with that data in place
    migrate.downgrade(engine, PREVIOUS)
    migrate.upgrade(engine)
