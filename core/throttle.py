"""Attempt throttling shared across worker processes (stored in the database).

Used for receipt attempts at the intake and officer logins. Keys are opaque
(`receipt:global`, `login:<username>`): never a client address (invariant 3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Throttle


@dataclass(frozen=True)
class Policy:
    max_attempts: int
    window: dt.timedelta
    lockout: dt.timedelta


def _row(session: Session, key: str, now: dt.datetime) -> Throttle:
    query = select(Throttle).where(Throttle.key == key)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        row = Throttle(key=key, window_start=now, attempts=0, locked_until=None)
        session.add(row)
        session.flush()
    return row


def locked_until(session: Session, key: str, now: dt.datetime) -> dt.datetime | None:
    """When the key unlocks, or None if attempts are allowed now."""
    row = session.scalar(select(Throttle).where(Throttle.key == key))
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    return row.locked_until


def register_failure(session: Session, key: str, policy: Policy, now: dt.datetime) -> bool:
    """Count a failed attempt; True when this failure triggered a lockout."""
    row = _row(session, key, now)
    if now - row.window_start > policy.window:
        row.window_start = now
        row.attempts = 0
    row.attempts += 1
    if row.attempts >= policy.max_attempts:
        row.locked_until = now + policy.lockout
        row.attempts = 0
        row.window_start = now
        session.flush()
        return True
    session.flush()
    return False


def reset(session: Session, key: str) -> None:
    row = session.scalar(select(Throttle).where(Throttle.key == key))
    if row is not None:
        row.attempts = 0
        row.locked_until = None
        session.flush()
