"""Account administration: deactivating, reactivating, resetting and re-roling officers.

What an admin (or the `integra` CLI) does to another officer's account; the officer's own
login and password are `core.access.accounts`, key grants `core.access.grants`. Each act
flushes, never commits, and is recorded in the audit log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import Settings
from core.access import keysessions
from core.access import officers
from core.access.accounts import GRANT_PREFIX
from core.access.accounts import KEY_ROLES
from core.access.accounts import counter_key
from core.law.enums import Role
from core.storage import audit
from core.storage import throttle
from core.storage.models import AuditEntry
from core.storage.models import Officer
from core.storage.models import WrappedKey


@dataclass(frozen=True)
class Revocation:
    """What deactivating an account removed (shown to the admin, kept in the audit log)."""

    keys_deleted: int
    grants_deleted: int
    sessions_ended: int


def _grants_made_by(session: Session, officer: Officer) -> list[WrappedKey]:
    """Pending grants whose latest creation was by `officer` (they know the grant code).

    A grant row does not name its granter; the audit log does (action key.grant_created,
    officer_id = granter, detail = grantee and purpose). A later grant to the same
    grantee and purpose overwrites the row, so only the latest creation counts.
    """
    latest: dict[tuple[int, str], int | None] = {}
    entries = session.execute(
        select(AuditEntry.officer_id, AuditEntry.detail)
        .where(AuditEntry.action == "key.grant_created", AuditEntry.entity_id == officer.entity_id)
        .order_by(AuditEntry.seq)
    ).all()
    for granter_id, detail in entries:
        data = json.loads(detail)
        latest[(int(data["officer"]), str(data["purpose"]))] = granter_id
    mine = {key for key, granter_id in latest.items() if granter_id == officer.id}
    if not mine:
        return []
    rows = session.scalars(
        select(WrappedKey).where(
            WrappedKey.entity_id == officer.entity_id,
            WrappedKey.purpose.like(GRANT_PREFIX + "%"),
        )
    ).all()
    return [r for r in rows if (r.officer_id, r.purpose[len(GRANT_PREFIX) :]) in mine]


def revoke_access(session: Session, *, officer: Officer) -> Revocation:
    """Delete every wrapped copy the officer holds and every pending grant they made, and
    end their sessions (docs/threat-model.md, "Offboarding").

    Their own copies (office, vault, and grants addressed to them) would let anyone with a
    database copy and their password unwrap the identity. Pending grants they created for
    colleagues are deleted too: the departed officer knows those grant codes. The
    colleague needs a new grant from a remaining key holder. Copies in older backups are
    beyond reach: only rotating the key (`integra keys rotate`) revokes those.
    """
    made = _grants_made_by(session, officer)
    for row in made:
        session.delete(row)
    result = session.execute(delete(WrappedKey).where(WrappedKey.officer_id == officer.id))
    keys_deleted = int(getattr(result, "rowcount", 0) or 0)
    sessions = keysessions.end_all_sessions(session, officer)
    session.flush()
    return Revocation(keys_deleted=keys_deleted, grants_deleted=len(made), sessions_ended=sessions)


def set_active(
    session: Session, *, officer: Officer, active: bool, actor: Officer | None
) -> Revocation | None:
    """Activate or deactivate an account. Deactivating revokes (`revoke_access`): a
    reactivated account holds no key until a key holder grants it again."""
    officer.active = active
    revoked = None if active else revoke_access(session, officer=officer)
    session.flush()
    detail: dict[str, int] = {"officer": officer.id}
    if revoked is not None:
        detail.update(
            keys_deleted=revoked.keys_deleted,
            grants_deleted=revoked.grants_deleted,
            sessions_ended=revoked.sessions_ended,
        )
    audit.record(
        session,
        action="officer.activated" if active else "officer.deactivated",
        actor=None if actor else "cli",
        officer_id=actor.id if actor else None,
        entity_id=officer.entity_id,
        detail=detail,
    )
    return revoked


def reset_password(
    session: Session, settings: Settings, *, officer: Officer, actor: Officer | None
) -> tuple[str, int]:
    """A new one-time password. The old key copies cannot be re-wrapped (nobody knows the
    old password here), so they are deleted: a key holder must grant them again."""
    password = officers.generate_password()
    officer.password_hash = officers.hash_password(settings.kdf, password)
    officer.must_change_password = True
    result = session.execute(delete(WrappedKey).where(WrappedKey.officer_id == officer.id))
    dropped = int(getattr(result, "rowcount", 0) or 0)
    keysessions.end_all_sessions(session, officer)
    throttle.reset(session, counter_key(officer))
    session.flush()
    audit.record(
        session,
        action="officer.password_reset",
        actor=None if actor else "cli",
        officer_id=actor.id if actor else None,
        entity_id=officer.entity_id,
        detail={"officer": officer.id, "keys_dropped": dropped},
    )
    return password, dropped


def reset_totp(
    session: Session, settings: Settings, *, officer: Officer, actor: Officer
) -> officers.NewOfficer:
    """A new TOTP secret to enrol at the next login; every session of the account ends."""
    secret = officers.generate_totp_secret()
    officers.set_totp_secret(settings.secret_bytes("server_key"), officer, secret)
    officer.totp_confirmed = False
    keysessions.end_all_sessions(session, officer)
    session.flush()
    audit.record(
        session,
        action="officer.totp_reset",
        officer_id=actor.id,
        entity_id=officer.entity_id,
        detail={"officer": officer.id},
    )
    return officers.NewOfficer(
        officer=officer,
        password="",
        totp_secret=secret,
        totp_uri=officers.provisioning_uri(secret, officer.username, officer.entity.name),
    )


def set_role(session: Session, *, officer: Officer, role: Role, actor: Officer | None) -> int:
    """Change an account's role. Key copies the new role may not hold are deleted (the vault
    is only for the head); returns how many. Sessions end, so the new role applies at once."""
    officer.role = role
    dropped = 0
    for purpose, roles in KEY_ROLES.items():
        if role not in roles:
            result = session.execute(
                delete(WrappedKey).where(
                    WrappedKey.officer_id == officer.id,
                    WrappedKey.purpose.in_([purpose, GRANT_PREFIX + purpose]),
                )
            )
            dropped += int(getattr(result, "rowcount", 0) or 0)
    keysessions.end_all_sessions(session, officer)
    session.flush()
    audit.record(
        session,
        action="officer.role_changed",
        actor=None if actor else "cli",
        officer_id=actor.id if actor else None,
        entity_id=officer.entity_id,
        detail={"officer": officer.id, "role": role.value, "keys_dropped": dropped},
    )
    return dropped
