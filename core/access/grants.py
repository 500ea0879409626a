"""Key grants: how a holder of an identity hands a copy of it to another officer.

Docs/operations.md, "Granting keys to officers": the grantee's copy must end up wrapped under
the grantee's password, which nobody else knows. So a holder of the identity creates a
*grant*: the identity wrapped (age scrypt) under a fresh one-time grant code of ~100 bits,
stored as a WrappedKey with purpose "grant:<purpose>". The code is shown once to the
granter, who hands it to the grantee in person; the grantee redeems it while logged in,
re-entering their password, and gets a normal copy wrapped under that password. The server
alone cannot open a pending grant, and nobody but holders of the identity can create one
(admins hold no key). Which roles may hold which identity is `accounts.KEY_ROLES`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from config import Settings
from core.access import entities
from core.access import officers
from core.access.accounts import GRANT_PREFIX
from core.access.accounts import KEY_ROLES
from core.access.accounts import GrantRefused
from core.access.accounts import confirm_password
from core.storage import audit
from core.storage.db import utcnow
from core.storage.models import Officer
from core.storage.models import WrappedKey


def held_purposes(session: Session, officer: Officer) -> list[str]:
    return sorted(
        session.scalars(
            select(WrappedKey.purpose).where(
                WrappedKey.officer_id == officer.id, WrappedKey.purpose.in_(tuple(KEY_ROLES))
            )
        ).all()
    )


def pending_grants(session: Session, officer: Officer) -> list[str]:
    rows = session.scalars(
        select(WrappedKey.purpose).where(
            WrappedKey.officer_id == officer.id, WrappedKey.purpose.like(GRANT_PREFIX + "%")
        )
    ).all()
    return sorted(p[len(GRANT_PREFIX) :] for p in rows)


def create_grant(
    session: Session,
    settings: Settings,
    *,
    granter: Officer | None,
    grantee: Officer,
    purpose: str,
    identity: crypto.Identity,
) -> str:
    """Wrap an identity for a grantee under a one-time grant code; returns the code.

    `granter` is None when the recovery identity is used from the command line
    (`integra officer grant`); the identity check below still applies.
    """
    if purpose not in KEY_ROLES:
        raise GrantRefused("unknown_purpose")
    if grantee.role not in KEY_ROLES[purpose]:
        raise GrantRefused("role")
    if granter is not None:
        if granter.role not in KEY_ROLES[purpose]:
            raise GrantRefused("role")
        if grantee.entity_id != granter.entity_id:
            raise GrantRefused("grantee")
        if grantee.id == granter.id:
            raise GrantRefused("self")
    if not grantee.active:
        raise GrantRefused("grantee")
    entity = grantee.entity
    expected = entity.office_recipient if purpose == "office" else entity.vault_recipient
    if identity.recipient().to_string() != expected:
        raise GrantRefused("wrong_identity")
    code = officers.generate_password()
    blob = crypto.wrap_identity(identity, code, work_factor=settings.wrap_work_factor)
    grant_purpose = GRANT_PREFIX + purpose
    existing = session.scalar(
        select(WrappedKey).where(
            WrappedKey.officer_id == grantee.id, WrappedKey.purpose == grant_purpose
        )
    )
    if existing is not None:
        existing.blob = blob
    else:
        session.add(
            WrappedKey(
                entity_id=grantee.entity_id,
                officer_id=grantee.id,
                purpose=grant_purpose,
                blob=blob,
            )
        )
    session.flush()
    audit.record(
        session,
        action="key.grant_created",
        actor=None if granter is not None else "cli:recovery-identity",
        officer_id=granter.id if granter is not None else None,
        entity_id=grantee.entity_id,
        detail={"officer": grantee.id, "purpose": purpose},
    )
    return code


def redeem_grants(
    session: Session,
    settings: Settings,
    *,
    officer: Officer,
    code: str,
    password: str,
) -> dict[str, crypto.Identity]:
    """Open pending grants with the code and re-wrap them under the officer's password."""
    now = utcnow()
    refused = confirm_password(
        session,
        settings,
        officer=officer,
        password=password,
        now=now,
        failure_action="key.grant_redeem_failed",
        failure_detail={"reason": "password"},
    )
    if refused is not None:
        raise GrantRefused("locked" if refused == "locked" else "wrong_password")
    code = officers.normalize_grant_code(code)
    rows = session.scalars(
        select(WrappedKey).where(
            WrappedKey.officer_id == officer.id, WrappedKey.purpose.like(GRANT_PREFIX + "%")
        )
    ).all()
    opened: dict[str, crypto.Identity] = {}
    for row in rows:
        purpose = row.purpose[len(GRANT_PREFIX) :]
        if purpose not in KEY_ROLES or officer.role not in KEY_ROLES[purpose]:
            continue
        try:
            identity = crypto.unwrap_identity(row.blob, code, max_work_factor=22)
        except crypto.AgeError:
            continue
        entities.wrap_for_officer(
            session,
            officer=officer,
            purpose=purpose,
            identity=identity,
            passphrase=password,
            work_factor=settings.wrap_work_factor,
            granted_by=officer.id,
        )
        session.delete(row)
        opened[purpose] = identity
    if not opened:
        audit.record(
            session,
            action="key.grant_redeem_failed",
            officer_id=officer.id,
            entity_id=officer.entity_id,
            detail={"reason": "code"},
        )
        raise GrantRefused("wrong_code")
    session.flush()
    audit.record(
        session,
        action="key.grant_redeemed",
        officer_id=officer.id,
        entity_id=officer.entity_id,
        detail={"purposes": sorted(opened)},
    )
    return opened
