"""Issue 13: rotating one entity's keys touches nothing of another entity on the same install
(its sealed objects byte for byte, its recipients, its officers' wrapped keys)."""

from __future__ import annotations

from factories import make_entity
from factories import make_officer
from rotation_world import populate
from rotation_world import read_sealed
from sqlalchemy import Engine
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import Settings
from core.law.enums import Role
from core.services import keyrotation
from core.storage.models import Entity
from core.storage.models import WrappedKey


def _b_keys(engine: Engine, entity_id: int) -> tuple[tuple[str, str], list[bytes]]:
    with Session(engine) as s:
        entity = s.get_one(Entity, entity_id)
        wrapped = s.scalars(
            select(WrappedKey.blob).where(WrappedKey.entity_id == entity_id).order_by(WrappedKey.id)
        ).all()
        return (entity.office_recipient, entity.vault_recipient), [bytes(b) for b in wrapped]


def test_rotating_a_leaves_b_untouched(clean_engine: Engine, settings: Settings) -> None:
    with Session(clean_engine, expire_on_commit=False) as s:
        ent_a = make_entity(s, settings, name="Entidad Alfa")
        ent_b = make_entity(s, settings, name="Entidad Bravo")
        a_head = make_officer(s, settings, ent_a, username="alfa.jefe", role=Role.HEAD)
        b_head = make_officer(s, settings, ent_b, username="bravo.jefe", role=Role.HEAD)
        populate(s, settings, ent_a, cases=2, extra=5, officer_id=a_head.officer.id)
        populate(s, settings, ent_b, cases=2, extra=5, officer_id=b_head.officer.id)
        s.commit()
    b_before = read_sealed(clean_engine, ent_b.entity.id)
    a_before = read_sealed(clean_engine, ent_a.entity.id)
    b_keys_before = _b_keys(clean_engine, ent_b.entity.id)
    assert b_before.files and b_keys_before[1]

    with Session(clean_engine, expire_on_commit=False) as s:
        for purpose, old in (("office", ent_a.office), ("vault", ent_a.vault)):
            new = keyrotation.new_identity_like(old)
            started = keyrotation.start_rotation(
                s, settings, entity=s.get_one(Entity, ent_a.entity.id), purpose=purpose,
                old_identity=old, new_identity=new,
            )  # fmt: skip
            assert list(started.grants) == ["alfa.jefe"]  # only A's holders get the new key
            s.commit()
            while keyrotation.rewrap_batch(s, started.rotation, old_identity=old, limit=7):
                s.commit()
            keyrotation.finish_rotation(s, started.rotation)
            s.commit()
            assert read_sealed(clean_engine, ent_a.entity.id).opened_by([new]) > 0

    # A's objects were re-addressed (the rotation did run)...
    assert read_sealed(clean_engine, ent_a.entity.id).files != a_before.files
    # ...and B's are the same bytes, its recipients and its officers' copies unchanged
    assert read_sealed(clean_engine, ent_b.entity.id).files == b_before.files
    assert _b_keys(clean_engine, ent_b.entity.id) == b_keys_before
    assert read_sealed(clean_engine, ent_b.entity.id).opened_by([ent_b.office]) > 0
