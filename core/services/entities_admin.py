"""Running many entities on one install (issue 13): onboarding, listing and disabling.

The platform operator (`integra entity add|list|disable`, Role.PLATFORM in the casework
app) creates an entity with its own office, vault and signing keys and, if asked, its first
admin account; the operator never holds an entity key (the recovery identities are shown
once, for the entity's offline escrow) and can open no complaint. Disabling an entity stops
new complaints (core.services.intake refuses them, the intake says so); its cases, officers
and keys stay as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import Settings
from core.access import directory
from core.access import entities
from core.access import officers
from core.errors import DomainError
from core.errors import NotFound
from core.law.enums import Role
from core.storage import audit
from core.storage.models import Case
from core.storage.models import Entity
from core.storage.models import Officer

MAX_NAME = 200
MAX_ACRONYM = 32
MAX_LABEL = 100


class EntityRefused(DomainError):
    code = "entity_refused"


@dataclass(frozen=True)
class Onboarded:
    keys: entities.EntityKeys
    admin: officers.NewOfficer | None


@dataclass(frozen=True)
class EntityRow:
    entity: Entity
    officers: int
    cases: int


def _clean(value: str, limit: int, what: str) -> str:
    value = " ".join(value.split())
    if len(value) > limit:
        raise EntityRefused(f"the {what} is longer than {limit} characters")
    return value


def add_entity(
    session: Session,
    settings: Settings,
    *,
    name: str,
    acronym: str = "",
    sector: str = "",
    region: str = "",
    admin_username: str | None = None,
    actor: Officer | None = None,
) -> Onboarded:
    """Create an entity with new keys (and its first admin when a user name is given)."""
    name = _clean(name, MAX_NAME, "name")
    if not directory.fold(name):
        raise EntityRefused("the name needs at least one letter or digit")
    keys = entities.create_entity(
        session,
        name=name,
        server_key=settings.secret_bytes("server_key"),
        post_quantum=settings.post_quantum,
    )
    entity = keys.entity
    entity.acronym = _clean(acronym, MAX_ACRONYM, "acronym")
    entity.sector = _clean(sector, MAX_LABEL, "sector")
    entity.region = _clean(region, MAX_LABEL, "region")
    directory.index_entity(session, entity)
    admin = None
    if admin_username:
        admin = officers.add_officer(
            session,
            entity=entity,
            username=admin_username,
            role=Role.ADMIN,
            kdf=settings.kdf,
            server_key=settings.secret_bytes("server_key"),
            actor_officer_id=actor.id if actor else None,
        )
    session.flush()
    audit.record(
        session,
        action="entity.onboarded",
        officer_id=actor.id if actor else None,
        entity_id=entity.id,
        detail={"slug": entity.slug, "first_admin": bool(admin)},
    )
    return Onboarded(keys=keys, admin=admin)


def list_entities(session: Session) -> list[EntityRow]:
    """Every entity with its officer and case counts (counts only: nothing of a case)."""
    officer_counts = dict(
        session.execute(select(Officer.entity_id, func.count()).group_by(Officer.entity_id)).all()
    )
    case_counts = dict(
        session.execute(select(Case.entity_id, func.count()).group_by(Case.entity_id)).all()
    )
    return [
        EntityRow(
            entity=e,
            officers=int(officer_counts.get(e.id, 0)),
            cases=int(case_counts.get(e.id, 0)),
        )
        for e in session.scalars(select(Entity).order_by(Entity.slug))
    ]


def by_slug(session: Session, slug: str) -> Entity:
    entity = session.scalar(select(Entity).where(Entity.slug == slug.strip().lower()))
    if entity is None:
        raise NotFound(f"no entity with slug {slug!r}")
    return entity


def set_active(session: Session, entity: Entity, *, active: bool, actor: Officer | None) -> bool:
    """Enable or disable new complaints to `entity`; False when it was already so."""
    if entity.active == active:
        return False
    entity.active = active
    session.flush()
    audit.record(
        session,
        action="entity.enabled" if active else "entity.disabled",
        officer_id=actor.id if actor else None,
        entity_id=entity.id,
        detail={"slug": entity.slug},
    )
    return True


# A DNS name: labels of letters, digits and inner hyphens, at least one dot, no port.
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_host(host: str) -> str:
    """`host` as stored and compared: lower case, no trailing dot; EntityRefused when it is
    not a DNS name (a port, a path, a scheme or an address are not)."""
    value = host.strip().lower().rstrip(".")
    labels = value.split(".")
    if (
        len(value) > 253
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise EntityRefused(f"{host!r} is not a host name (for example denuncias.ate.gob.pe)")
    return value


def set_host(session: Session, entity: Entity, host: str | None, *, actor: Officer | None) -> None:
    """Give `entity` its own host name (None: take it away). The intake answers that host
    with the entity's address and form; two entities never share one."""
    value = normalise_host(host) if host else None
    if value is not None:
        holder = session.scalar(select(Entity).where(Entity.host == value))
        if holder is not None and holder.id != entity.id:
            raise EntityRefused(f"{value} is already the host name of {holder.slug}")
    if entity.host == value:
        return
    entity.host = value
    session.flush()
    audit.record(
        session,
        action="entity.host_set",
        officer_id=actor.id if actor else None,
        entity_id=entity.id,
        detail={"slug": entity.slug, "host": value or ""},
    )


def by_host(session: Session, host: str) -> Entity | None:
    """The active or disabled entity whose own host name `host` is (any port taken off)."""
    name = host.rpartition(":")[0] if host.count(":") == 1 else host
    name = name.strip().lower().rstrip(".")
    if not name or len(name) > 253:
        return None
    return session.scalar(select(Entity).where(Entity.host == name))
