"""Officer key sessions: unwrapped identities held server-side, openable only with the cookie.

At login the officer's password unwraps their copies of the office (and, for the head,
vault) identity. Those identities must survive across requests and worker processes
without ever being stored in a form the server can open alone (docs/threat-model.md, "Assets"). So:

- a random 32-byte token goes into the officer's session cookie and nowhere else;
- the `officer_sessions` row is keyed by SHA-256(token), so the database cannot lead
  back to the token;
- `keys_sealed` is ChaCha20-Poly1305 under HKDF-SHA256(token), bound to the row id.

Deleting the row (logout, idle timeout, "log out everywhere") or losing the cookie
forgets the identities. A pending login (password checked, second factor not yet)
uses a distinct id namespace, so its token can never serve as a full session.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from core.storage.models import Officer
from core.storage.models import OfficerSession

TOKEN_BYTES = 32
# A pending login (between the password and the TOTP step) is short-lived.
PENDING_LIFETIME = dt.timedelta(minutes=10)
# However active, a session ends after this long (a stolen cookie does not live forever).
ABSOLUTE_LIFETIME = dt.timedelta(hours=12)
# last_seen_at is written at most this often, to keep reads cheap.
TOUCH_INTERVAL = dt.timedelta(seconds=30)
_HKDF_INFO = b"integra officer session keys v1"
_VERSION = b"\x01"


class SessionKeyError(Exception):
    """The sealed keys do not open with this token (tampered row or wrong cookie)."""


def new_token() -> str:
    """A fresh session token, URL-safe text for the cookie."""
    return base64.urlsafe_b64encode(secrets.token_bytes(TOKEN_BYTES)).decode("ascii").rstrip("=")


def _token_bytes(token: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SessionKeyError("malformed session token") from exc
    if len(raw) != TOKEN_BYTES:
        raise SessionKeyError("malformed session token")
    return raw


def session_id(token: str, *, pending: bool = False) -> str:
    """The row id for a token: SHA-256, in a separate namespace for pending logins."""
    prefix = b"pending\x00" if pending else b"session\x00"
    return hashlib.sha256(prefix + _token_bytes(token)).hexdigest()


def _box(token: str) -> ChaCha20Poly1305:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        _token_bytes(token)
    )
    return ChaCha20Poly1305(key)


def seal_identities(token: str, row_id: str, identities: Mapping[str, crypto.Identity]) -> bytes:
    """Encrypt identities (purpose -> identity) under the token, bound to the row id."""
    payload = json.dumps({p: i.to_string() for p, i in identities.items()}).encode("ascii")
    nonce = os.urandom(12)
    return _VERSION + nonce + _box(token).encrypt(nonce, payload, row_id.encode("ascii"))


def unseal_identities(token: str, row_id: str, sealed: bytes) -> dict[str, crypto.Identity]:
    """The identities sealed by `seal_identities`; SessionKeyError if they do not open."""
    if len(sealed) < 1 + 12 + 16 or sealed[:1] != _VERSION:
        raise SessionKeyError("sealed keys are malformed")
    try:
        payload = _box(token).decrypt(sealed[1:13], sealed[13:], row_id.encode("ascii"))
    except InvalidTag as exc:
        raise SessionKeyError("sealed keys do not open with this token") from exc
    data: dict[str, str] = json.loads(payload)
    return {purpose: crypto.parse_identity(text) for purpose, text in data.items()}


@dataclass(frozen=True)
class OpenedSession:
    token: str
    row: OfficerSession


def open_session(
    session: Session,
    *,
    officer: Officer,
    identities: Mapping[str, crypto.Identity],
    now: dt.datetime,
    pending: bool = False,
) -> OpenedSession:
    """Create a session row holding the sealed identities; the token goes to the cookie only."""
    token = new_token()
    row_id = session_id(token, pending=pending)
    row = OfficerSession(
        id=row_id,
        officer_id=officer.id,
        epoch=officer.session_epoch,
        created_at=now,
        last_seen_at=now,
        keys_sealed=seal_identities(token, row_id, identities) if identities else None,
    )
    session.add(row)
    session.flush()
    return OpenedSession(token=token, row=row)


@dataclass(frozen=True)
class LoadedSession:
    row: OfficerSession
    officer: Officer


@dataclass(frozen=True)
class EndedSession:
    """A session that existed but is dead now; its row was deleted."""

    officer_id: int
    entity_id: int | None
    reason: str  # "idle" | "expired" | "epoch" | "inactive"


def load_session(
    session: Session,
    token: str,
    *,
    now: dt.datetime,
    idle: dt.timedelta,
    pending: bool = False,
) -> LoadedSession | EndedSession | None:
    """The live session for a token; EndedSession if it just died; None if unknown.

    A dead session's row is deleted on the way, so its sealed keys are gone.
    """
    try:
        row_id = session_id(token, pending=pending)
    except SessionKeyError:
        return None
    row = session.get(OfficerSession, row_id)
    if row is None:
        return None
    officer = session.get(Officer, row.officer_id)
    lifetime = PENDING_LIFETIME if pending else ABSOLUTE_LIFETIME
    reason = None
    if officer is None or not officer.active:
        reason = "inactive"
    elif row.epoch != officer.session_epoch:
        reason = "epoch"
    elif now - row.last_seen_at > idle:
        reason = "idle"
    elif now - row.created_at > lifetime:
        reason = "expired"
    if reason is not None or officer is None:
        session.delete(row)
        session.flush()
        return EndedSession(
            officer_id=row.officer_id,
            entity_id=officer.entity_id if officer else None,
            reason=reason or "inactive",
        )
    if now - row.last_seen_at > TOUCH_INTERVAL:
        row.last_seen_at = now
        session.flush()
    return LoadedSession(row=row, officer=officer)


def is_idle(row: OfficerSession, *, now: dt.datetime, idle: dt.timedelta) -> bool:
    return now - row.last_seen_at > idle


def identities(token: str, row: OfficerSession) -> dict[str, crypto.Identity]:
    """The identities held by a session (empty when it holds none)."""
    if row.keys_sealed is None:
        return {}
    return unseal_identities(token, row.id, row.keys_sealed)


def add_identities(token: str, row: OfficerSession, extra: Mapping[str, crypto.Identity]) -> None:
    """Re-seal the session's identities with more added (after redeeming a key grant)."""
    held = identities(token, row)
    held.update(extra)
    row.keys_sealed = seal_identities(token, row.id, held)


def end_session(session: Session, token: str, *, pending: bool = False) -> bool:
    """Delete one session row; True if it existed."""
    try:
        row_id = session_id(token, pending=pending)
    except SessionKeyError:
        return False
    result = session.execute(delete(OfficerSession).where(OfficerSession.id == row_id))
    session.flush()
    return bool(getattr(result, "rowcount", 0))


def end_all_sessions(session: Session, officer: Officer) -> int:
    """Log out everywhere: bump the epoch and delete every row; returns rows deleted."""
    officer.session_epoch += 1
    result = session.execute(delete(OfficerSession).where(OfficerSession.officer_id == officer.id))
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def purge_expired(session: Session, *, now: dt.datetime, idle: dt.timedelta) -> int:
    """Delete rows idle or older than the absolute lifetime (housekeeping)."""
    result = session.execute(
        delete(OfficerSession).where(
            (OfficerSession.last_seen_at < now - idle)
            | (OfficerSession.created_at < now - ABSOLUTE_LIFETIME)
        )
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def count_sessions(session: Session, officer: Officer) -> int:
    return len(
        session.scalars(
            select(OfficerSession.id).where(OfficerSession.officer_id == officer.id)
        ).all()
    )
