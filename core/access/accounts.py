"""Officer login, lockout, password changes, account administration and key grants.

Flask-free services used by the casework views: they flush, never commit, and record
every login, lockout, logout and key operation in the audit log (invariant 5).

Key grants (docs/operations.md, "Granting keys to officers"): the grantee's copy must end up
wrapped under the grantee's password, which nobody else knows. So a holder of the identity creates a
*grant*: the identity wrapped (age scrypt) under a fresh one-time grant code of ~100
bits, stored as a WrappedKey with purpose "grant:<purpose>". The code is shown once to
the granter, who hands it to the grantee in person; the grantee redeems it while logged
in, re-entering their password, and gets a normal copy wrapped under that password.
The server alone cannot open a pending grant, and nobody but holders of the identity
can create one (admins hold no key).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

import crypto
from config import Settings
from core.access import entities
from core.access import keysessions
from core.access import officers
from core.errors import DomainError
from core.law.enums import Role
from core.storage import audit
from core.storage import throttle
from core.storage.db import utcnow
from core.storage.models import AuditEntry
from core.storage.models import Officer
from core.storage.models import WrappedKey

# After this many attempts on an account within the window, its password is checked only
# together with a valid TOTP code (docs/threat-model.md, "Officer login"). Nobody is ever
# refused for the attempts of others: the holder types both and gets in.
STEP_UP_AFTER = 5
STEP_UP_WINDOW = dt.timedelta(minutes=15)
UNKNOWN_KEY = "login:unknown"
MIN_PASSWORD_LENGTH = 12
GRANT_PREFIX = "grant:"
# Roles that may hold each identity (the vault is only for the head; docs/threat-model.md).
KEY_ROLES: dict[str, tuple[Role, ...]] = {
    # The titular reads the complaints against the OII (RG 4.9), sealed to the office key.
    "office": (Role.OFFICER, Role.HEAD, Role.TITULAR),
    "vault": (Role.HEAD,),
}
# Verified against when the username does not exist, so timing does not reveal accounts.
_DUMMY_HASH: dict[tuple[int, int, int], str] = {}


class PasswordRefused(DomainError):
    """A new password does not meet the rules; the message says which."""

    code = "password_refused"


class GrantRefused(DomainError):
    code = "grant_refused"


class Outcome(StrEnum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    # Too many attempts on this name: send the password again with the TOTP code.
    NEEDS_CODE = "needs_code"
    # Too many wrong codes after one right password: start again with both.
    LOCKED = "locked"


@dataclass(frozen=True)
class PasswordCheck:
    outcome: Outcome
    officer: Officer | None = None
    # The password step was stepped up: the TOTP code was checked too (login is complete).
    with_code: bool = False
    step_up: bool = False


def counter_key(officer: Officer | None) -> str:
    """The attempt counter: one per account, one shared by every unknown name, so a flood
    of made-up names costs one row (never a client address)."""
    return UNKNOWN_KEY if officer is None else f"login:officer:{officer.id}"


def _audited_name(settings: Settings, username: str, officer: Officer | None) -> str:
    """The name to put in the audit log: an account's username, or a keyed digest of what
    was typed when no account has that name. People type their password into the user
    field; the auditor must not read it. The digest still shows repeated attempts."""
    if officer is not None:
        return officer.username
    digest = hmac.new(
        settings.secret_bytes("server_key"),
        b"integra unknown username\x00" + username.encode("utf-8"),
        hashlib.sha256,
    )
    return "?" + digest.hexdigest()[:16]


def _dummy_hash(settings: Settings) -> str:
    kdf = settings.kdf
    key = (kdf.time_cost, kdf.memory_cost_kib, kdf.parallelism)
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = officers.hash_password(kdf, secrets.token_hex(16))
    return _DUMMY_HASH[key]


def _count(session: Session, officer: Officer | None, now: dt.datetime) -> int:
    """Count an attempt before checking it, and commit that at once (the one exception to
    "services never commit"): other workers must see it while this one checks."""
    attempts = throttle.count(session, counter_key(officer), STEP_UP_WINDOW, now)
    session.commit()
    return attempts


def _fail(
    session: Session,
    settings: Settings,
    *,
    username: str,
    officer: Officer | None,
    reason: str,
    attempts: int,
    now: dt.datetime,
) -> PasswordCheck:
    """A failed attempt, audited in aggregate: the first of a window and the one that steps
    the account up, with the count, not one row per attempt (storage stays bounded)."""
    step_up = attempts >= STEP_UP_AFTER
    if attempts in (1, STEP_UP_AFTER):
        audit.record(
            session,
            action="login.failed" if attempts == 1 else "login.stepped_up",
            actor=f"officer:{officer.id}" if officer else "anonymous",
            officer_id=officer.id if officer else None,
            entity_id=officer.entity_id if officer else None,
            detail={
                "username": _audited_name(settings, username, officer),
                "reason": reason,
                "attempts": attempts,
                "window_minutes": STEP_UP_WINDOW.seconds // 60,
            },
            now=now,
        )
    return PasswordCheck(Outcome.BAD_CREDENTIALS, officer, step_up=step_up)


def check_password(
    session: Session,
    settings: Settings,
    *,
    username: str,
    password: str,
    now: dt.datetime,
    code: str | None = None,
) -> PasswordCheck:
    """First login step. Nobody is refused for others' attempts: after STEP_UP_AFTER
    attempts on a name within the window, its password is checked only together with a
    TOTP code (`code`), and a wrong pair answers like a wrong password. Guessing then needs
    the second factor too, and the holder, who has both, always gets in.

    The attempt is counted (and committed) before the password is checked, so concurrent
    guesses from several workers all count.
    """
    username = username.strip().lower()
    officer = session.scalar(select(Officer).where(Officer.username == username))
    attempts = _count(session, officer, now)
    # An account that never confirmed TOTP cannot be stepped up (docs/threat-model.md).
    stepped = attempts > STEP_UP_AFTER and (officer is None or officer.totp_confirmed)
    if stepped and not (code or "").strip():
        return PasswordCheck(Outcome.NEEDS_CODE, officer, step_up=True)
    if officer is None:
        officers.verify_password(settings.kdf, _dummy_hash(settings), password)
        return _fail(
            session,
            settings,
            username=username,
            officer=None,
            reason="unknown_user",
            attempts=attempts,
            now=now,
        )
    if not officers.verify_password(settings.kdf, officer.password_hash, password):
        return _fail(
            session,
            settings,
            username=username,
            officer=officer,
            reason="password",
            attempts=attempts,
            now=now,
        )
    if not officer.active:
        return _fail(
            session,
            settings,
            username=username,
            officer=officer,
            reason="inactive",
            attempts=attempts,
            now=now,
        )
    if stepped:
        if not _use_totp(session, settings, officer, code or "", now):
            return _fail(
                session,
                settings,
                username=username,
                officer=officer,
                reason="totp",
                attempts=attempts,
                now=now,
            )
        return PasswordCheck(Outcome.OK, officer, with_code=True, step_up=True)
    return PasswordCheck(Outcome.OK, officer)


def _confirm_password(
    session: Session,
    settings: Settings,
    *,
    officer: Officer,
    password: str,
    now: dt.datetime,
    failure_action: str,
    failure_detail: dict[str, str],
) -> str | None:
    """A logged-in officer retyping their password is a guess like any other: it counts on
    the account's counter, and past STEP_UP_AFTER it is refused here (a stolen session cookie
    must not become an unthrottled password oracle; the login then asks for the TOTP code
    too). Returns None when the password is right, else "locked" or "wrong"."""
    if _count(session, officer, now) > STEP_UP_AFTER:
        return "locked"
    if not officers.verify_password(settings.kdf, officer.password_hash, password):
        audit.record(
            session,
            action=failure_action,
            officer_id=officer.id,
            entity_id=officer.entity_id,
            detail=failure_detail,
            now=now,
        )
        return "wrong"
    return None


def _use_totp(
    session: Session, settings: Settings, officer: Officer, code: str, now: dt.datetime
) -> bool:
    """A valid code whose time step was never used before, marked used (compare-and-set, so
    two workers given the same code at once cannot both accept it)."""
    secret = officers.officer_totp_secret(settings.secret_bytes("server_key"), officer)
    step = None
    if secret is not None:
        step = officers.match_totp(secret, code, now, officer.totp_last_step)
    if step is None:
        return False
    result = session.execute(
        update(Officer)
        .where(Officer.id == officer.id, Officer.totp_last_step < step)
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    session.refresh(officer)
    return True


def check_totp(
    session: Session, settings: Settings, *, officer: Officer, code: str, now: dt.datetime
) -> PasswordCheck:
    """Second step, after a right password: a valid, unused code is always accepted. Wrong
    codes count on the account; from STEP_UP_AFTER on a wrong code ends the pending login
    (LOCKED), and the next login asks for the password and the code together."""
    attempts = _count(session, officer, now)
    if not _use_totp(session, settings, officer, code, now):
        failed = _fail(
            session,
            settings,
            username=officer.username,
            officer=officer,
            reason="totp",
            attempts=attempts,
            now=now,
        )
        if attempts >= STEP_UP_AFTER:
            return PasswordCheck(Outcome.LOCKED, officer, step_up=True)
        return failed
    return PasswordCheck(Outcome.OK, officer)


def complete_login(
    session: Session,
    settings: Settings,
    *,
    officer: Officer,
    purposes: list[str],
    now: dt.datetime,
) -> None:
    """Record a successful login (both factors) and clear the failure counter."""
    throttle.reset(session, counter_key(officer))
    officer.last_login_at = now
    audit.record(
        session,
        action="login.succeeded",
        officer_id=officer.id,
        entity_id=officer.entity_id,
        detail={"keys": sorted(purposes)},
        now=now,
    )


def unlock_identities(
    session: Session, *, officer: Officer, password: str
) -> dict[str, crypto.Identity]:
    """Unwrap every identity the officer holds, for the roles allowed to hold it."""
    found: dict[str, crypto.Identity] = {}
    for purpose, roles in KEY_ROLES.items():
        if officer.role not in roles:
            continue
        try:
            identity = entities.unwrap_for_officer(
                session, officer=officer, purpose=purpose, passphrase=password
            )
        except crypto.AgeError:
            audit.record(
                session,
                action="key.unwrap_failed",
                officer_id=officer.id,
                entity_id=officer.entity_id,
                detail={"purpose": purpose},
            )
            continue
        if identity is not None:
            found[purpose] = identity
    return found


def validate_new_password(password: str, *, username: str, old: str | None = None) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRefused("too_short")
    if password.strip().lower() == username.lower():
        raise PasswordRefused("same_as_username")
    if old is not None and password == old:
        raise PasswordRefused("same_as_old")


def change_password(
    session: Session,
    settings: Settings,
    *,
    officer: Officer,
    old_password: str,
    new_password: str,
) -> list[str]:
    """Set a new password and re-wrap the officer's key copies under it (docs/threat-model.md).

    The current password is a password guess like any other: refused while the account is
    locked, and a wrong one counts towards the login lockout (a stolen session cookie must
    not become an unthrottled password oracle). The caller commits after "wrong_current"
    so that the failure is kept.
    """
    # Rules first: a refused new password must not leave a reserved attempt behind.
    validate_new_password(new_password, username=officer.username, old=old_password)
    now = utcnow()
    refused = _confirm_password(
        session,
        settings,
        officer=officer,
        password=old_password,
        now=now,
        failure_action="password.change_failed",
        failure_detail={"reason": "wrong_current"},
    )
    if refused is not None:
        raise PasswordRefused("locked" if refused == "locked" else "wrong_current")
    rewrapped: list[str] = []
    for purpose in KEY_ROLES:
        try:
            identity = entities.unwrap_for_officer(
                session, officer=officer, purpose=purpose, passphrase=old_password
            )
        except crypto.AgeError:
            identity = None
        if identity is not None:
            entities.wrap_for_officer(
                session,
                officer=officer,
                purpose=purpose,
                identity=identity,
                passphrase=new_password,
                work_factor=settings.wrap_work_factor,
                granted_by=officer.id,
            )
            rewrapped.append(purpose)
    officer.password_hash = officers.hash_password(settings.kdf, new_password)
    officer.must_change_password = False
    session.flush()
    audit.record(
        session,
        action="password.changed",
        officer_id=officer.id,
        entity_id=officer.entity_id,
        detail={"rewrapped": rewrapped},
    )
    return rewrapped


def confirm_totp_enrolment(session: Session, *, officer: Officer) -> None:
    officer.totp_confirmed = True
    session.flush()
    audit.record(
        session, action="totp.enrolled", officer_id=officer.id, entity_id=officer.entity_id
    )


def log_out(session: Session, *, officer: Officer, token: str, reason: str = "logout") -> None:
    keysessions.end_session(session, token)
    audit.record(
        session,
        action="logout" if reason == "logout" else "session.ended",
        officer_id=officer.id,
        entity_id=officer.entity_id,
        detail={"reason": reason},
    )


def log_out_everywhere(session: Session, *, officer: Officer, actor_id: int | None) -> int:
    ended = keysessions.end_all_sessions(session, officer)
    audit.record(
        session,
        action="logout.everywhere",
        officer_id=actor_id,
        entity_id=officer.entity_id,
        detail={"officer": officer.id, "sessions": ended},
    )
    return ended


# --- administration -------------------------------------------------------------------


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


# --- key grants -----------------------------------------------------------------------


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
    refused = _confirm_password(
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
