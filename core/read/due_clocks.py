"""The due and overdue view: open statutory clocks, soonest first, keyset-paginated.

Flask-free, read from clear metadata only. Open clocks are read through ix_deadlines_open, so
a page deep in the list costs what the first one does; the case lists are core.read.inbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy import exists
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access.case_scope import scope_clause
from core.law.calendar import BusinessCalendar
from core.law.enums import DeadlineKind
from core.law.enums import Role
from core.read.inbox import DEFAULT_PAGE_SIZE
from core.read.inbox import MAX_PAGE_SIZE
from core.read.inbox import InvalidCursor
from core.read.inbox import _cursor_id
from core.read.inbox import _decode
from core.read.inbox import _encode
from core.storage.models import Case
from core.storage.models import Deadline
from core.storage.models import Officer


@dataclass(frozen=True)
class DueRow:
    """An open statutory clock due within the horizon (or already overdue)."""

    deadline_id: int
    case_id: int
    case_code: str
    kind: DeadlineKind
    party: str  # "office" or "complainant"
    measure_id: int | None
    due_on: dt.date
    business_days_left: int
    overdue: bool
    assigned_officer_id: int | None
    assigned_officer_name: str | None


@dataclass(frozen=True)
class DuePage:
    rows: list[DueRow]
    next_cursor: str | None
    horizon_until: dt.date


def due_deadlines(
    session: Session,
    *,
    entity_id: int,
    today: dt.date,
    calendar: BusinessCalendar,
    horizon_days: int = 5,
    officer_id: int | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    viewer: Role = Role.OFFICER,
) -> DuePage:
    """Open clocks due within `horizon_days` business days, overdue first (ix_deadlines_open).

    With `officer_id`, only clocks of cases assigned to that officer.
    """
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    until = calendar.add_business_days(today, max(0, horizon_days))
    where: list[ColumnElement[bool]] = [
        Deadline.entity_id == entity_id,
        Deadline.satisfied_at.is_(None),
        Deadline.due_on <= until,
        # RG 4.9: only the clocks of the complaints the viewer's role handles.
        exists().where(Case.id == Deadline.case_id, scope_clause(viewer)),
    ]
    if cursor:
        payload = _decode(cursor, "due")
        try:
            after_day = dt.date.fromisoformat(str(payload["d"]))
            after_id = _cursor_id(payload)
        except (KeyError, ValueError, TypeError) as exc:
            raise InvalidCursor("the page cursor is not valid") from exc
        # Spelled out (not a row comparison) so `due_on >= day` bounds the index range.
        where += [
            Deadline.due_on >= after_day,
            or_(Deadline.due_on > after_day, Deadline.id > after_id),
        ]
    # Ordering by satisfied_at (constant NULL here) first lets PostgreSQL see that the index
    # already yields the page order, so nothing is sorted: ix_deadlines_open (entity_id,
    # satisfied_at, due_on, id) for the office, ix_deadlines_officer_open (entity_id,
    # officer_id, satisfied_at, due_on, id) for one officer.
    ids = select(Deadline.id).where(*where)
    if officer_id is not None:
        ids = ids.where(Deadline.officer_id == officer_id)
    page_ids = (
        ids.order_by(Deadline.satisfied_at, Deadline.due_on, Deadline.id).limit(limit + 1)
    ).subquery()
    stmt = (
        select(
            Deadline.id,
            Deadline.case_id,
            Deadline.kind,
            Deadline.party,
            Deadline.measure_id,
            Deadline.due_on,
            Case.code,
            Case.assigned_officer_id,
            Officer.display_name,
            Officer.username,
        )
        .join(page_ids, page_ids.c.id == Deadline.id)
        .join(Case, Case.id == Deadline.case_id)
        .outerjoin(Officer, Officer.id == Case.assigned_officer_id)
        .order_by(Deadline.due_on.asc(), Deadline.id.asc())
    )
    raw = session.execute(stmt).all()
    rows = [
        DueRow(
            deadline_id=r.id,
            case_id=r.case_id,
            case_code=r.code,
            kind=r.kind,
            party=r.party,
            measure_id=r.measure_id,
            due_on=r.due_on,
            business_days_left=calendar.business_days_between(today, r.due_on),
            overdue=r.due_on < today,
            assigned_officer_id=r.assigned_officer_id,
            assigned_officer_name=(
                (r.display_name or r.username) if r.assigned_officer_id is not None else None
            ),
        )
        for r in raw[:limit]
    ]
    next_cursor = None
    if len(raw) > limit:
        last = rows[-1]
        next_cursor = _encode({"s": "due", "d": last.due_on.isoformat(), "i": last.deadline_id})
    return DuePage(rows=rows, next_cursor=next_cursor, horizon_until=until)
