"""Coming back with the receipt: throttled, equal-work login and the sealed session key.

A wrong receipt and a right one cost the same: one HMAC, one indexed lookup, one
argon2id derivation (with the case salt, or with a pepper-derived dummy salt when
no case matches) and one constant-time comparison. Only the outcome differs.

Attempts are throttled with counters in the database (shared by every worker):
a global key, which bounds the guessing rate of the whole instance, and a key per
lookup id, which stops hammering one code. Never a client address (invariant 3).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from config import Settings
from core import secretbox
from core import throttle
from core.intake import is_post_quantum
from core.intake import kdf_profile
from core.models import Case

GLOBAL_KEY = "receipt:global"
# 80-bit receipts: even 60 failures a minute for years leaves a negligible chance
# of a hit; the global lockout is short so that a flood cannot shut the channel for long.
GLOBAL_POLICY = throttle.Policy(
    max_attempts=60, window=dt.timedelta(minutes=1), lockout=dt.timedelta(minutes=2)
)
PER_CODE_POLICY = throttle.Policy(
    max_attempts=5, window=dt.timedelta(minutes=15), lockout=dt.timedelta(minutes=15)
)
SESSION_PURPOSE = "intake-followup-identity"


class ReceiptThrottled(Exception):
    """Too many failed attempts: try again after `until`."""

    def __init__(self, until: dt.datetime) -> None:
        super().__init__("too many attempts")
        self.until = until


@dataclass(frozen=True)
class Opened:
    case: Case
    identity: crypto.Identity


def _dummy_salt(pepper: bytes, lookup: str) -> bytes:
    return hmac.new(pepper, b"dummy-salt:" + lookup.encode(), hashlib.sha256).digest()[:16]


def open_with_receipt(
    session: Session, code: str, settings: Settings, *, now: dt.datetime
) -> Opened | None:
    """The case and the complainant identity for a receipt, or None; raises when throttled.

    Raises crypto.InvalidReceipt for text that is not shaped like a receipt (no work done,
    nothing counted: a typo in the format reveals nothing about any case).
    """
    pepper = settings.secret_bytes("receipt_pepper")
    lookup = crypto.receipt_lookup_id(pepper, code)  # raises InvalidReceipt
    code_key = f"receipt:{lookup[:32]}"
    for key in (GLOBAL_KEY, code_key):
        until = throttle.locked_until(session, key, now)
        if until is not None:
            raise ReceiptThrottled(until)
    case = session.scalar(select(Case).where(Case.receipt_lookup == lookup))
    if case is not None:
        salt, pq, expected = (
            case.receipt_salt,
            is_post_quantum(case.complainant_recipient),
            case.complainant_recipient,
        )
    else:
        salt, pq, expected = _dummy_salt(pepper, lookup), settings.post_quantum, "age1-none"
    identity = crypto.derive_complainant_identity(code, salt, pq=pq, profile=kdf_profile(settings))
    matches = hmac.compare_digest(identity.recipient().to_string().encode(), expected.encode())
    if case is not None and matches:
        throttle.reset(session, code_key)
        return Opened(case=case, identity=identity)
    throttle.register_failure(session, GLOBAL_KEY, GLOBAL_POLICY, now)
    throttle.register_failure(session, code_key, PER_CODE_POLICY, now)
    return None


def seal_identity(settings: Settings, identity: crypto.Identity) -> str:
    """The identity sealed for the session cookie (the cookie is signed, not encrypted).

    A stolen cookie without the server secret, or the server without the cookie,
    reveals nothing; the seal dies with the session.
    """
    box = secretbox.seal(
        settings.secret_bytes("intake_secret_key"),
        SESSION_PURPOSE,
        identity.to_string().encode("ascii"),
    )
    return box.hex()


def unseal_identity(settings: Settings, sealed_hex: str) -> crypto.Identity | None:
    try:
        raw = secretbox.unseal(
            settings.secret_bytes("intake_secret_key"), SESSION_PURPOSE, bytes.fromhex(sealed_hex)
        )
        return crypto.parse_identity(raw.decode("ascii"))
    except (ValueError, secretbox.SealError, crypto.KeyFormatError):
        return None
