"""Revision 0005 (key_rotations) on a database that holds data, SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from factories import make_entity
from factories import make_settings
from sqlalchemy import Engine
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_migrations import empty_engine  # noqa: F401 (the fixture, shared)

import crypto
from core.services import keyrotation
from core.storage import migrate
from core.storage.models import Entity


def test_0005_adds_rotations_to_a_database_with_entities(
    empty_engine: Engine,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    migrate.upgrade(empty_engine, "0003")
    assert "key_rotations" not in inspect(empty_engine).get_table_names()
    settings = make_settings(tmp_path / "i", str(empty_engine.url))
    # The entity is created with today's models minus the new table's rows.
    with Session(empty_engine, expire_on_commit=False) as s:
        ent = make_entity(s, settings)
        s.commit()
    migrate.upgrade(empty_engine, "0005")
    with Session(empty_engine) as s:
        entity = s.scalars(select(Entity)).one()
        assert entity.office_recipient == ent.entity.office_recipient
        assert keyrotation.unfinished(s, entity, "office") is None
        keyrotation.start_rotation(
            s, settings, entity=entity, purpose="office",
            old_identity=ent.office, new_identity=crypto.HybridIdentity.generate(),
        )  # fmt: skip
        s.commit()
    migrate.downgrade(empty_engine, "0003")
    assert "key_rotations" not in inspect(empty_engine).get_table_names()
