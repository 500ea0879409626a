"""Coming back with the receipt: a keyed lookup, then the complainant's key, and the sealed
session that keeps it.

A receipt carries 80 random bits and the database holds only HMAC-SHA256(pepper, receipt),
so a receipt that is not in the database is rejected after one HMAC and one indexed lookup,
with nothing written; argon2id runs only for a receipt that exists, to derive the
complainant's key from it. Guessing is hopeless whatever it costs (2^80 receipts), so no
throttle is needed, and none may exist: a throttle that a flood of wrong receipts can trip
would lock out the complainants whose deadlines are running (docs/threat-model.md,
"Receipt login"). A hit takes the argon2id time and a miss does not, which tells an
attacker only what the page itself says: that their guess was wrong.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from config import Settings
from core.services.intake import complainant_identity
from core.storage import secretbox
from core.storage.models import Case

SESSION_PURPOSE = "intake-followup-identity"


@dataclass(frozen=True)
class Opened:
    case: Case
    identity: crypto.Identity


def find_case(session: Session, code: str, settings: Settings) -> Case | None:
    """The case whose receipt this is, by its keyed lookup id; None for any other receipt.

    Raises crypto.InvalidReceipt for text that is not shaped like a receipt.
    """
    lookup = crypto.receipt_lookup_id(settings.secret_bytes("receipt_pepper"), code)
    return session.scalar(select(Case).where(Case.receipt_lookup == lookup))


def open_receipt(session: Session, code: str, settings: Settings) -> Opened | None:
    """The case and the complainant's identity for a receipt, or None. Writes nothing."""
    case = find_case(session, code, settings)
    if case is None:
        return None
    identity = complainant_identity(case, code, settings)
    # The lookup already matched; the derived key must also be the one the case was sealed
    # to (a defence against a tampered lookup column).
    if not hmac.compare_digest(
        identity.recipient().to_string().encode(), case.complainant_recipient.encode()
    ):
        return None
    return Opened(case=case, identity=identity)


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
