"""Plain factories for tests: entities with keys, officers, settings."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy.orm import Session

import crypto
from config import Settings
from config import load_settings
from core.access import entities
from core.access import officers
from core.law.enums import Role
from core.storage.models import Entity
from core.storage.models import Officer

# Cheap KDF and wrap costs: tests only, never production (config refuses them there).
TEST_WRAP_WORK_FACTOR = 10


def make_settings(data_dir: Path, database_url: str, **overrides: object) -> Settings:
    env = {
        "INTEGRA_ENV": "testing",
        "INTEGRA_DATA_DIR": str(data_dir),
        "INTEGRA_DATABASE_URL": database_url,
        "INTEGRA_KDF_PROFILE": "fast",
        "INTEGRA_WRAP_WORK_FACTOR": str(TEST_WRAP_WORK_FACTOR),
    }
    settings = load_settings(env)
    return dataclasses.replace(settings, **overrides)  # type: ignore[arg-type]


@dataclasses.dataclass
class EntityWithKeys:
    entity: Entity
    office: crypto.Identity
    vault: crypto.Identity


def make_entity(
    session: Session, settings: Settings, *, name: str = "Entidad de Prueba", pq: bool = True
) -> EntityWithKeys:
    keys = entities.create_entity(
        session, name=name, server_key=settings.secret_bytes("server_key"), post_quantum=pq
    )
    return EntityWithKeys(entity=keys.entity, office=keys.office, vault=keys.vault)


@dataclasses.dataclass
class OfficerLogin:
    officer: Officer
    password: str
    totp_secret: str


def make_officer(
    session: Session,
    settings: Settings,
    ent: EntityWithKeys,
    *,
    username: str = "oficial",
    role: Role = Role.OFFICER,
    grant: bool = True,
    enrolled: bool = True,
    password: str = "correct horse battery staple",
) -> OfficerLogin:
    """An officer; by default enrolled (TOTP confirmed, password changed) and keyed."""
    new = officers.add_officer(
        session,
        entity=ent.entity,
        username=username,
        role=role,
        kdf=settings.kdf,
        server_key=settings.secret_bytes("server_key"),
        password=password,
    )
    if enrolled:
        new.officer.must_change_password = False
        new.officer.totp_confirmed = True
    if grant and role in (Role.OFFICER, Role.HEAD, Role.TITULAR):
        entities.wrap_for_officer(
            session,
            officer=new.officer,
            purpose="office",
            identity=ent.office,
            passphrase=password,
            work_factor=settings.wrap_work_factor,
        )
        if role is Role.HEAD:
            entities.wrap_for_officer(
                session,
                officer=new.officer,
                purpose="vault",
                identity=ent.vault,
                passphrase=password,
                work_factor=settings.wrap_work_factor,
            )
    session.flush()
    return OfficerLogin(officer=new.officer, password=password, totp_secret=new.totp_secret)
