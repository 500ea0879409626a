"""The statistics' counting done by the database: GROUP BY, never a row per case in Python.

core.read.stats decides what is counted and what is shown (small-count suppression); this
module turns each count into one aggregate query, so that a report over a million cases moves
a few hundred rows out of the database instead of a million (docs/performance.md). Every
expression here works on SQLite and PostgreSQL alike; where their date functions differ,
`local_date` hides it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import Date
from sqlalchemy import case
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Select

from core.law.calendar import BusinessCalendar
from core.storage.models import Deadline

# Peru keeps UTC-5 all year (core.law.calendar.PERU_TZ): a Peruvian calendar day is the UTC
# instant moved back five hours.
_PERU_OFFSET_HOURS = 5


def local_date(session: Session, column: Any) -> ColumnElement[Any]:
    """The Peruvian calendar day of a UTC timestamp column, as the database computes it."""
    if session.get_bind().dialect.name == "sqlite":
        # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC (core.storage.db.UTCDateTime).
        return func.date(column, f"-{_PERU_OFFSET_HOURS} hours")
    shifted = column - literal_column(f"interval '{_PERU_OFFSET_HOURS} hours'")
    return cast(func.timezone("UTC", shifted), Date)


def as_date(value: Any) -> dt.date:
    """A day as either database returns it (SQLite: ISO text, PostgreSQL: date)."""
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _text(key: Any) -> str:
    """An enum column's stored value, or any other key, as text."""
    return str(key.value if hasattr(key, "value") else key)


def grouped(session: Session, stmt: Select[Any]) -> Counter[str]:
    """{key: count} from a `SELECT key, count(*) ... GROUP BY key` statement."""
    out: Counter[str] = Counter()
    for key, count in session.execute(stmt).all():
        if key is not None:
            out[_text(key)] += int(count)
    return out


def deadline_outcomes(
    session: Session, where: Iterable[ColumnElement[bool]], today: dt.date
) -> Counter[tuple[str, str]]:
    """{(kind, outcome): count} for the office's clocks; outcome is met | missed | open.

    The same rule as core.read.stats.deadline_outcome: a clock satisfied on or before its
    due day (Peruvian calendar) was met, satisfied later was missed, and an open clock
    already past its due day counts as missed.
    """
    satisfied_day = local_date(session, Deadline.satisfied_at)
    outcome = case(
        (Deadline.satisfied_at.is_(None) & (Deadline.due_on < today), "missed"),
        (Deadline.satisfied_at.is_(None), "open"),
        (satisfied_day <= Deadline.due_on, "met"),
        else_="missed",
    ).label("outcome")
    stmt = (
        select(Deadline.kind, outcome, func.count())
        .where(Deadline.party == "office", *where)
        .group_by(Deadline.kind, outcome)
    )
    result: Counter[tuple[str, str]] = Counter()
    for kind, label, count in session.execute(stmt).all():
        result[(_text(kind), str(label))] += int(count)
    return result


def day_pairs(session: Session, stmt: Select[Any]) -> list[tuple[dt.date, dt.date, int]]:
    """(first day, second day, count) rows of a statement grouped by two local days."""
    return [(as_date(a), as_date(b), int(n)) for a, b, n in session.execute(stmt).all()]


def weighted_median(values: Iterable[tuple[int, int]]) -> float:
    """statistics.median of the multiset where each (value, weight) appears weight times."""
    ordered = sorted((v, w) for v, w in values if w > 0)
    total = sum(w for _, w in ordered)
    if total == 0:
        raise ValueError("no values")

    def nth(index: int) -> int:
        seen = 0
        for value, weight in ordered:
            seen += weight
            if index < seen:
                return value
        raise IndexError(index)  # pragma: no cover - index < total by construction

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def business_and_calendar_days(
    pairs: list[tuple[dt.date, dt.date, int]], calendar: BusinessCalendar
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Weighted business-day and calendar-day spans of (from, to, count) rows."""
    business: Counter[int] = Counter()
    calendar_days: Counter[int] = Counter()
    for a, b, n in pairs:
        business[calendar.business_days_between(a, b)] += n
        calendar_days[(b - a).days] += n
    return list(business.items()), list(calendar_days.items())
