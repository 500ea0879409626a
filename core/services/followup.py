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
import json
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from config import Settings
from core.services.intake import is_post_quantum
from core.services.intake import kdf_profile
from core.storage import secretbox
from core.storage import throttle
from core.storage.models import Case
from core.storage.models import Throttle

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


def _code_key(lookup: str) -> str:
    return f"receipt:{lookup[:32]}"


def reserve_attempt(session: Session, code: str, settings: Settings, *, now: dt.datetime) -> str:
    """Check the throttles and count this attempt as a failure *before* the slow check.

    Returns the receipt's lookup id. The caller commits at once: checking first and
    counting after the argon2id derivation would let a burst of concurrent attempts
    (several workers or threads) all pass the check before any failure is counted.
    A success gives its global slot back (`check_receipt`).

    Raises crypto.InvalidReceipt for text that is not shaped like a receipt (no work done,
    nothing counted: a typo in the format reveals nothing about any case), and
    ReceiptThrottled while a throttle is locked.
    """
    pepper = settings.secret_bytes("receipt_pepper")
    lookup = crypto.receipt_lookup_id(pepper, code)  # raises InvalidReceipt
    code_key = _code_key(lookup)
    for key in (GLOBAL_KEY, code_key):
        until = throttle.locked_until(session, key, now)
        if until is not None:
            raise ReceiptThrottled(until)
    throttle.register_failure(session, GLOBAL_KEY, GLOBAL_POLICY, now)
    throttle.register_failure(session, code_key, PER_CODE_POLICY, now)
    return lookup


def check_receipt(session: Session, code: str, lookup: str, settings: Settings) -> Opened | None:
    """The case and the complainant identity for a reserved attempt, or None.

    Equal work whether or not a case matches; only a success writes (it deletes the
    code's counter and gives back its global slot).
    """
    pepper = settings.secret_bytes("receipt_pepper")
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
    if case is None or not matches:
        return None
    # Delete, not reset: a row keyed by the right receipt's lookup, with its window start,
    # would record in the database when this complainant last came back.
    session.execute(delete(Throttle).where(Throttle.key == _code_key(lookup)))
    row = session.scalar(select(Throttle).where(Throttle.key == GLOBAL_KEY))
    if row is not None and row.attempts > 0:
        row.attempts -= 1
        session.flush()
    return Opened(case=case, identity=identity)


def open_with_receipt(
    session: Session, code: str, settings: Settings, *, now: dt.datetime
) -> Opened | None:
    """Both steps in the caller's transaction (the web view commits between them)."""
    lookup = reserve_attempt(session, code, settings, now=now)
    return check_receipt(session, code, lookup, settings)


@dataclass(frozen=True)
class FollowupSession:
    """What the follow-up session cookie carries, all of it sealed (never the case in clear)."""

    case_id: int
    identity: crypto.Identity
    last_seen: float


def seal_session(settings: Settings, state: FollowupSession) -> str:
    """Case id, identity and last activity sealed together under the intake secret.

    The Flask session is signed, not encrypted: a case id in clear in the cookie would
    tie a seized browser to one complaint without any server secret.
    """
    payload = json.dumps(
        {"c": state.case_id, "k": state.identity.to_string(), "t": state.last_seen}
    ).encode("ascii")
    return secretbox.seal(
        settings.secret_bytes("intake_secret_key"), SESSION_PURPOSE, payload
    ).hex()


def unseal_session(settings: Settings, sealed_hex: object) -> FollowupSession | None:
    if not isinstance(sealed_hex, str):
        return None
    try:
        raw = secretbox.unseal(
            settings.secret_bytes("intake_secret_key"), SESSION_PURPOSE, bytes.fromhex(sealed_hex)
        )
        data = json.loads(raw)
        return FollowupSession(
            case_id=int(data["c"]),
            identity=crypto.parse_identity(str(data["k"])),
            last_seen=float(data["t"]),
        )
    except (ValueError, KeyError, TypeError, secretbox.SealError, crypto.KeyFormatError):
        return None


FILED_PURPOSE = "intake-filed-case"


def seal_case_id(settings: Settings, case_id: int) -> str:
    """The just-filed case, for the acknowledgement pages (sealed: the cookie is only signed)."""
    box = secretbox.seal(
        settings.secret_bytes("intake_secret_key"), FILED_PURPOSE, str(case_id).encode("ascii")
    )
    return box.hex()


def unseal_case_id(settings: Settings, sealed_hex: object) -> int | None:
    if not isinstance(sealed_hex, str):
        return None
    try:
        raw = secretbox.unseal(
            settings.secret_bytes("intake_secret_key"), FILED_PURPOSE, bytes.fromhex(sealed_hex)
        )
        return int(raw.decode("ascii"))
    except (ValueError, secretbox.SealError):
        return None
