"""Entities (the OII hosting the channel) and their keys.

An entity has two age identities: the office identity (case content) and the
identity vault (complainant identity data). Neither is ever stored unwrapped:
each officer holding one gets a copy wrapped under their passphrase, and one
recovery copy is printed once at `integra init` for offline escrow.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from core.access import directory
from core.errors import DomainError
from core.storage import audit
from core.storage import secretbox
from core.storage.models import Entity
from core.storage.models import Officer
from core.storage.models import WrappedKey

SIGNING_PURPOSE = "entity-signing-key"
PURPOSES = ("office", "vault")


class EntityExists(DomainError):
    code = "entity_exists"


@dataclass(frozen=True)
class EntityKeys:
    """Freshly generated identities, in memory only while `init` runs."""

    entity: Entity
    office: crypto.Identity
    vault: crypto.Identity


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:64] or "entidad"


def new_identity(*, post_quantum: bool) -> crypto.Identity:
    if post_quantum:
        return crypto.HybridIdentity.generate()
    return crypto.X25519Identity.generate()


def create_entity(
    session: Session, *, name: str, server_key: bytes, post_quantum: bool = True
) -> EntityKeys:
    """Create an entity with new office, vault and signing keys."""
    slug = slugify(name)
    if session.scalar(select(Entity.id).where(Entity.slug == slug)) is not None:
        raise EntityExists(f"an entity with slug {slug!r} already exists")
    office = new_identity(post_quantum=post_quantum)
    vault = new_identity(post_quantum=post_quantum)
    signing = crypto.SigningKey.generate()
    entity = Entity(
        slug=slug,
        name=name,
        office_recipient=office.recipient().to_string(),
        vault_recipient=vault.recipient().to_string(),
        signing_public_key=signing.public_key_bytes(),
        signing_key_sealed=secretbox.seal(server_key, SIGNING_PURPOSE, signing.to_bytes()),
        case_prefix="D",
    )
    session.add(entity)
    session.flush()
    directory.index_entity(session, entity)
    audit.record(
        session,
        action="entity.created",
        entity_id=entity.id,
        detail={"slug": slug, "post_quantum": post_quantum},
    )
    return EntityKeys(entity=entity, office=office, vault=vault)


def signing_key(server_key: bytes, entity: Entity) -> crypto.SigningKey:
    return crypto.SigningKey.from_bytes(
        secretbox.unseal(server_key, SIGNING_PURPOSE, entity.signing_key_sealed)
    )


def wrap_for_officer(
    session: Session,
    *,
    officer: Officer,
    purpose: str,
    identity: crypto.Identity,
    passphrase: str,
    work_factor: int,
    granted_by: int | None = None,
) -> WrappedKey:
    """Give an officer their own wrapped copy of an entity identity (replacing any old one)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown key purpose {purpose!r}")
    blob = crypto.wrap_identity(identity, passphrase, work_factor=work_factor)
    existing = session.scalar(
        select(WrappedKey).where(WrappedKey.officer_id == officer.id, WrappedKey.purpose == purpose)
    )
    if existing is not None:
        existing.blob = blob
        key = existing
    else:
        key = WrappedKey(
            entity_id=officer.entity_id, officer_id=officer.id, purpose=purpose, blob=blob
        )
        session.add(key)
    session.flush()
    audit.record(
        session,
        action="key.granted",
        officer_id=granted_by,
        entity_id=officer.entity_id,
        detail={"officer": officer.id, "purpose": purpose},
    )
    return key


def unwrap_for_officer(
    session: Session, *, officer: Officer, purpose: str, passphrase: str
) -> crypto.Identity | None:
    """The officer's copy of an identity, or None when they were never granted one."""
    key = session.scalar(
        select(WrappedKey).where(WrappedKey.officer_id == officer.id, WrappedKey.purpose == purpose)
    )
    if key is None:
        return None
    return crypto.unwrap_identity(key.blob, passphrase, max_work_factor=22)
