"""Officer login, lockout, logout and password changes.

Flask-free services used by the casework views: they flush, never commit, and record
every login, lockout and logout in the audit log (invariant 5). Account administration
is `core.access.account_admin`; key grants, `core.access.grants` (which roles may hold
each identity is `KEY_ROLES` here: login unlocks the copies a role may hold).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

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
from core.storage.models import Officer

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


def confirm_password(
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
    refused = confirm_password(
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


# --- key grants -----------------------------------------------------------------------
