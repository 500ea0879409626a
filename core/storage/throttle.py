"""Attempt throttling shared across worker processes (stored in the database).

Used for receipt attempts at the intake and officer logins. Keys are opaque
(`receipt:global`, `login:<username>`): never a client address (invariant 3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.storage.models import Throttle


@dataclass(frozen=True)
class Policy:
    max_attempts: int
    window: dt.timedelta
    lockout: dt.timedelta


def _row(session: Session, key: str, now: dt.datetime) -> Throttle:
    """The key's row, created if missing, locked against other workers until commit.

    The insert is atomic (no unique-key race between workers creating the same row). On
    PostgreSQL the row is then locked FOR UPDATE; on SQLite the insert statement itself
    takes the database's write lock before the row is read, so the read is current.
    """
    values = {"key": key, "window_start": now, "attempts": 0, "locked_until": None}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(pg_insert(Throttle).values(**values).on_conflict_do_nothing())
    else:
        session.execute(sqlite_insert(Throttle).values(**values).on_conflict_do_nothing())
    query = select(Throttle).where(Throttle.key == key).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    row = session.scalar(query)
    assert row is not None
    return row


def _lock(row: Throttle, policy: Policy, now: dt.datetime) -> None:
    row.locked_until = now + policy.lockout
    row.attempts = 0
    row.window_start = now


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
        _lock(row, policy, now)
        session.flush()
        return True
    session.flush()
    return False


def reserve(session: Session, key: str, policy: Policy, now: dt.datetime) -> dt.datetime | None:
    """Count an attempt *before* checking it; None if it may go on, else when the lock ends.

    Checking first and counting after lets concurrent attempts (several workers or
    threads) all pass the check before any failure is counted, so a burst gets far more
    guesses than `max_attempts`. Here at most `max_attempts` attempts are ever in flight
    or failed per window. The caller commits the reservation before the (slow) check,
    then calls `settle`.
    """
    row = _row(session, key, now)
    if row.locked_until is not None and row.locked_until > now:
        return row.locked_until
    if now - row.window_start > policy.window:
        row.window_start = now
        row.attempts = 0
    if row.attempts >= policy.max_attempts:
        _lock(row, policy, now)
        session.flush()
        return row.locked_until
    row.attempts += 1
    session.flush()
    return None


def settle(session: Session, key: str, policy: Policy, now: dt.datetime, *, failed: bool) -> bool:
    """Finish a reserved attempt: a success gives it back, a failure keeps it counted.
    True when this failure triggered a lockout."""
    row = _row(session, key, now)
    if not failed:
        row.attempts = max(0, row.attempts - 1)
        session.flush()
        return False
    if row.locked_until is not None and row.locked_until > now:
        session.flush()
        return False
    if row.attempts >= policy.max_attempts:
        _lock(row, policy, now)
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
