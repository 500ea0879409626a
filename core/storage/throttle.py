"""Attempt counters shared across worker processes (stored in the database).

Used for officer logins: one row per account plus one for every unknown name together
(`login:officer:<id>`, `login:unknown`), so failures cost bounded storage. Never a client
address (invariant 3). A counter never refuses anyone by itself: the login asks for more
proof when it is high (core/access/accounts.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.storage.models import Throttle


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


def count(session: Session, key: str, window: dt.timedelta, now: dt.datetime) -> int:
    """Count an attempt *before* checking it; the attempts in the current window, this one
    included. The caller commits before the (slow) check, so concurrent attempts from
    several workers all see each other's counts."""
    row = _row(session, key, now)
    if now - row.window_start > window:
        row.window_start = now
        row.attempts = 0
    row.attempts += 1
    row.locked_until = None
    session.flush()
    return row.attempts


def reset(session: Session, key: str) -> None:
    row = session.scalar(select(Throttle).where(Throttle.key == key))
    if row is not None:
        row.attempts = 0
        row.locked_until = None
        session.flush()
