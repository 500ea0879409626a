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

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from config import Settings
from core.services.receipt_keys import complainant_identity
from core.storage import secretbox
from core.storage.models import Case
from core.storage.models import IntakeSession

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
    """What the follow-up session cookie carries, all of it sealed (never the case in clear).

    `token` names the server-side row (IntakeSession, by its SHA-256) without which the
    cookie is worthless: logout and the idle timeout delete the row, so a copy of the
    cookie ends with the original.
    """

    case_id: int
    identity: crypto.Identity
    token: str


def _row_id(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def seal_session(settings: Settings, state: FollowupSession) -> str:
    """Case id, identity and session token sealed together under the intake secret.

    The Flask session is signed, not encrypted: a case id in clear in the cookie would
    tie a seized browser to one complaint without any server secret.
    """
    payload = json.dumps(
        {"c": state.case_id, "k": state.identity.to_string(), "s": state.token}
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
        token = data["s"]
        if not isinstance(token, str) or not token.isascii():
            return None
        return FollowupSession(
            case_id=int(data["c"]),
            identity=crypto.parse_identity(str(data["k"])),
            token=token,
        )
    except (ValueError, KeyError, TypeError, secretbox.SealError, crypto.KeyFormatError):
        return None


def start_session(session: Session, settings: Settings, opened: Opened, now: dt.datetime) -> str:
    """A new server-side session for an opened receipt; the sealed cookie value."""
    token = secrets.token_hex(32)
    session.add(IntakeSession(id=_row_id(token), last_seen_at=now))
    session.flush()
    return seal_session(settings, FollowupSession(opened.case.id, opened.identity, token))


class SessionExpired(Exception):
    """The session existed but was idle longer than the timeout (its row is now gone)."""


def resume_session(
    session: Session, settings: Settings, sealed_hex: object, now: dt.datetime
) -> FollowupSession | None:
    """The live session behind a cookie, its idle clock restarted; None when the cookie is
    tampered or its session was ended (logout, purge). Raises SessionExpired when the
    session idled out (and deletes its row)."""
    state = unseal_session(settings, sealed_hex)
    if state is None:
        return None
    row = session.get(IntakeSession, _row_id(state.token))
    if row is None:
        return None
    if now - row.last_seen_at > dt.timedelta(minutes=settings.complainant_idle_minutes):
        session.delete(row)
        session.flush()
        raise SessionExpired()
    row.last_seen_at = now
    session.flush()
    return state


def end_session(session: Session, settings: Settings, sealed_hex: object) -> None:
    """Logout: delete the server-side row, so every copy of the cookie stops working."""
    state = unseal_session(settings, sealed_hex)
    if state is not None:
        session.execute(delete(IntakeSession).where(IntakeSession.id == _row_id(state.token)))
        session.flush()


def purge_expired_followup_sessions(session: Session, settings: Settings, now: dt.datetime) -> int:
    """Delete follow-up sessions idle past the timeout; the number deleted.

    For `integra periodic`: an abandoned session otherwise keeps its row until the browser
    comes back (the row holds nothing sensitive, but storage must stay bounded).
    """
    cutoff = now - dt.timedelta(minutes=settings.complainant_idle_minutes)
    result = session.execute(delete(IntakeSession).where(IntakeSession.last_seen_at < cutoff))
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


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
