"""Revision 0005 (key_rotations) on a database that holds data, SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from factories import make_settings
from sqlalchemy import Engine
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import text
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
    office = crypto.HybridIdentity.generate()
    # A row as revision 0003 knows it (today's models have columns 0003 lacks).
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO entities (slug, name, office_recipient, vault_recipient, "
                "signing_public_key, signing_key_sealed, case_prefix, created_at) VALUES "
                "('e', 'Entidad', :office, :vault, :pub, :sealed, 'D', :at)"
            ),
            {
                "office": office.recipient().to_string(),
                "vault": crypto.HybridIdentity.generate().recipient().to_string(),
                "pub": b"k",
                "sealed": b"s",
                "at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            },
        )
    migrate.upgrade(empty_engine, "0005")
    assert "key_rotations" in inspect(empty_engine).get_table_names()
    migrate.upgrade(empty_engine)  # the services below use today's whole schema
    with Session(empty_engine) as s:
        entity = s.scalars(select(Entity)).one()
        assert entity.office_recipient == office.recipient().to_string()
        assert entity.notify_counts_only is False
        assert keyrotation.unfinished(s, entity, "office") is None
        keyrotation.start_rotation(
            s, settings, entity=entity, purpose="office",
            old_identity=office, new_identity=crypto.HybridIdentity.generate(),
        )  # fmt: skip
        s.commit()
    migrate.downgrade(empty_engine, "0003")
    assert "key_rotations" not in inspect(empty_engine).get_table_names()
