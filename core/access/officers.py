"""Officer accounts: argon2id passwords and TOTP (RFC 6238) without replay."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import struct
import urllib.parse
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import KdfSettings
from core.errors import DomainError
from core.law.enums import Role
from core.storage import audit
from core.storage import secretbox
from core.storage.models import Entity
from core.storage.models import Officer

TOTP_PERIOD = 30
TOTP_DIGITS = 6
TOTP_ISSUER = "Integra OII"
_TOTP_PURPOSE = "totp-secret"


class OfficerExists(DomainError):
    code = "officer_exists"


def password_hasher(kdf: KdfSettings) -> PasswordHasher:
    return PasswordHasher(
        time_cost=kdf.time_cost, memory_cost=kdf.memory_cost_kib, parallelism=kdf.parallelism
    )


def hash_password(kdf: KdfSettings, password: str) -> str:
    return password_hasher(kdf).hash(password)


def verify_password(kdf: KdfSettings, stored_hash: str, password: str) -> bool:
    try:
        return password_hasher(kdf).verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A one-time password: 5 groups of 4 lowercase letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(20))
    return "-".join(raw[i : i + 4] for i in range(0, 20, 4))


def normalize_grant_code(typed: str) -> str:
    """A one-time code as generate_password writes it, however it was typed: spaces, no
    separators, capitals (like receipts; issue 12)."""
    raw = "".join(ch for ch in typed.lower() if ch.isascii() and ch.isalnum())
    if len(raw) != 20:
        return typed.strip().lower()
    return "-".join(raw[i : i + 4] for i in range(0, 20, 4))


def generate_totp_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def totp_code(secret_b32: str, step: int) -> str:
    padded = secret_b32 + "=" * (-len(secret_b32) % 8)
    key = base64.b32decode(padded, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**TOTP_DIGITS).zfill(TOTP_DIGITS)


def totp_step(now: dt.datetime) -> int:
    return int(now.timestamp()) // TOTP_PERIOD


def match_totp(secret_b32: str, code: str, now: dt.datetime, last_step: int) -> int | None:
    """The accepted time step (±1 step of drift), or None; a used step never matches."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != TOTP_DIGITS:
        return None
    current = totp_step(now)
    for step in (current - 1, current, current + 1):
        if step > last_step and hmac.compare_digest(totp_code(secret_b32, step), code):
            return step
    return None


def provisioning_uri(secret_b32: str, username: str, entity_name: str) -> str:
    label = urllib.parse.quote(f"{TOTP_ISSUER}:{username}")
    query = urllib.parse.urlencode(
        {"secret": secret_b32, "issuer": TOTP_ISSUER, "period": TOTP_PERIOD, "digits": TOTP_DIGITS}
    )
    return f"otpauth://totp/{label}?{query}"


def officer_totp_secret(server_key: bytes, officer: Officer) -> str | None:
    if officer.totp_secret_sealed is None:
        return None
    return secretbox.unseal(server_key, _TOTP_PURPOSE, officer.totp_secret_sealed).decode()


def set_totp_secret(server_key: bytes, officer: Officer, secret_b32: str) -> None:
    officer.totp_secret_sealed = secretbox.seal(server_key, _TOTP_PURPOSE, secret_b32.encode())
    officer.totp_last_step = 0


@dataclass(frozen=True)
class NewOfficer:
    officer: Officer
    password: str
    totp_secret: str
    totp_uri: str


def add_officer(
    session: Session,
    *,
    entity: Entity,
    username: str,
    role: Role,
    kdf: KdfSettings,
    server_key: bytes,
    display_name: str = "",
    password: str | None = None,
    actor_officer_id: int | None = None,
) -> NewOfficer:
    """Create an account with a one-time password and a TOTP secret to enrol."""
    username = username.strip().lower()
    if session.scalar(select(Officer.id).where(Officer.username == username)) is not None:
        raise OfficerExists(f"an officer named {username!r} already exists")
    password = password or generate_password()
    secret = generate_totp_secret()
    officer = Officer(
        entity_id=entity.id,
        username=username,
        display_name=display_name or username,
        role=role,
        password_hash=hash_password(kdf, password),
        must_change_password=True,
        totp_confirmed=False,
        totp_last_step=0,
        active=True,
        session_epoch=0,
    )
    set_totp_secret(server_key, officer, secret)
    session.add(officer)
    session.flush()
    audit.record(
        session,
        action="officer.created",
        officer_id=actor_officer_id,
        entity_id=entity.id,
        detail={"officer": officer.id, "username": username, "role": role.value},
    )
    return NewOfficer(
        officer=officer,
        password=password,
        totp_secret=secret,
        totp_uri=provisioning_uri(secret, username, entity.name),
    )
