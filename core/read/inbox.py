"""Inbox queries for the casework app: filtered, sorted, keyset-paginated case lists.

Flask-free. Every list is paginated by keyset (never OFFSET) on the composite indexes of
`cases` (ix_cases_inbox, ix_cases_state_inbox, ix_cases_deadline, ix_cases_officer), so the
first page and a page deep in the list cost the same with a thousand or a million cases.
The due/overdue view of open clocks is core.read.due_clocks.

Sorts:
- "filed": newest first, (filed_at DESC, id DESC).
- "deadline": soonest next deadline first, (next_deadline_on ASC, id ASC); cases without an
  open deadline follow in id order. Two phases (dated, then undated) keep each phase an index
  range scan on SQLite and PostgreSQL alike, which order NULLs differently.
- "code": a search by case code (a prefix of any length, "D" included) is listed by code,
  highest first, whatever sort was asked for. Codes are numbered per entity and year in filing
  order ("D-2026-000123"), so this is the filing order, and the query walks the unique
  (entity_id, code) index backwards from the end of the prefix's range: a page costs the same
  whether the prefix matches ten cases or a million. Ordering a wide prefix by date or
  deadline instead would sort every match (docs/performance.md).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from typing import Any
from typing import Literal

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import tuple_
from sqlalchemy.orm import Session

from core.access.case_scope import scope_clause
from core.errors import DomainError
from core.law.calendar import BusinessCalendar
from core.law.enums import CaseState
from core.law.enums import DeadlineKind
from core.law.enums import MessageDirection
from core.law.enums import MessageKind
from core.law.enums import Modality
from core.law.enums import Motive
from core.law.enums import Role
from core.storage.models import Case
from core.storage.models import Deadline
from core.storage.models import Message
from core.storage.models import Officer

Sort = Literal["filed", "deadline", "code"]
# The sorts a caller may ask for; "code" is implied by a code search, never requested.
SORTS: tuple[Sort, ...] = ("filed", "deadline")
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class InvalidCursor(DomainError):
    """A pagination cursor that this module did not produce (or for another sort)."""

    code = "invalid_cursor"


@dataclass(frozen=True)
class InboxFilter:
    """What the officer asked for; every field is optional."""

    states: frozenset[CaseState] = frozenset()
    modality: Modality | None = None
    motive: Motive | None = None
    assigned_officer_id: int | None = None
    unassigned: bool = False
    overdue: bool = False
    code: str = ""  # exact code or a prefix of it ("D-2026-0001")


@dataclass(frozen=True)
class InboxRow:
    """One line of the inbox: clear metadata only, nothing decrypted."""

    id: int
    code: str
    state: CaseState
    modality: Modality
    motives: tuple[Motive, ...]
    filed_at: dt.datetime
    assigned_officer_id: int | None
    assigned_officer_name: str | None
    next_deadline_on: dt.date | None
    next_deadline_kind: DeadlineKind | None
    business_days_left: int | None  # 0: due today; negative: overdue by that many
    overdue: bool
    # What the complainant sent that no officer has opened yet, by kind (a message, a
    # subsanación answer, a retaliation report, a later protection request).
    unread: Mapping[MessageKind, int] = field(default_factory=dict)


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    next_cursor: str | None
    sort: Sort
    filters: InboxFilter = field(default_factory=InboxFilter)


# --- cursors ---------------------------------------------------------------------------------


def _encode(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


# Cursors are user-controlled (they travel in the URL): bound their size and every value
# they carry, so a forged one gives InvalidCursor, never a database or recursion error.
MAX_CURSOR_LENGTH = 512
_MAX_ID = 2**63 - 1


def _decode(cursor: str, sort: str) -> dict[str, Any]:
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor("the page cursor is not valid")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, RecursionError) as exc:
        raise InvalidCursor("the page cursor is not valid") from exc
    if not isinstance(payload, dict) or payload.get("s") != sort:
        raise InvalidCursor("the page cursor belongs to another sort order")
    return payload


def _cursor_id(payload: dict[str, Any]) -> int:
    """The row id a cursor carries: an int that fits a BIGINT (bool and float refused)."""
    value = payload["i"]
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _MAX_ID:
        raise InvalidCursor("the page cursor is not valid")
    return value


def _filed_cursor(row: InboxRow) -> str:
    return _encode({"s": "filed", "t": row.filed_at.isoformat(), "i": row.id})


def _code_cursor(row: InboxRow) -> str:
    return _encode({"s": "code", "c": row.code})


def _deadline_cursor(row: InboxRow) -> str:
    if row.next_deadline_on is None:
        return _encode({"s": "deadline", "p": 2, "i": row.id})
    return _encode({"s": "deadline", "p": 1, "d": row.next_deadline_on.isoformat(), "i": row.id})


# --- filters ---------------------------------------------------------------------------------


def normalise_code(text: str) -> str:
    """Case codes are upper-case ASCII with hyphens; tolerate spaces and lower case."""
    return "".join(text.split()).upper()[:32]


def _conditions(
    entity_id: int, flt: InboxFilter, today: dt.date, viewer: Role
) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [Case.entity_id == entity_id, scope_clause(viewer)]
    if flt.states:
        conds.append(Case.state.in_(sorted(flt.states)))
    if flt.modality is not None:
        conds.append(Case.modality == flt.modality)
    if flt.motive is not None:
        conds.append(or_(Case.motive_1 == flt.motive, Case.motive_2 == flt.motive))
    if flt.assigned_officer_id is not None:
        conds.append(Case.assigned_officer_id == flt.assigned_officer_id)
    elif flt.unassigned:
        conds.append(Case.assigned_officer_id.is_(None))
    if flt.overdue:
        conds.append(Case.next_deadline_on < today)
    code = normalise_code(flt.code)
    if code:
        # A range on the unique index instead of LIKE: index-backed on both databases and
        # free of LIKE's wildcard and case-folding differences.
        conds.append(and_(Case.code >= code, Case.code < code + "\uffff"))
    return conds


def _base() -> Select[Any]:
    # More columns than Select's typed overloads cover: typed loosely on purpose.
    columns: list[Any] = [
        Case.id,
        Case.code,
        Case.state,
        Case.modality,
        Case.motive_1,
        Case.motive_2,
        Case.filed_at,
        Case.assigned_officer_id,
        Officer.display_name,
        Officer.username,
        Case.next_deadline_on,
        Case.next_deadline_kind,
    ]
    return select(*columns).outerjoin(Officer, Officer.id == Case.assigned_officer_id)


def _row(r: Any, today: dt.date, calendar: BusinessCalendar) -> InboxRow:
    due: dt.date | None = r.next_deadline_on
    left = calendar.business_days_between(today, due) if due is not None else None
    motives = (r.motive_1,) if r.motive_2 is None else (r.motive_1, r.motive_2)
    name = (r.display_name or r.username) if r.assigned_officer_id is not None else None
    return InboxRow(
        id=r.id,
        code=r.code,
        state=r.state,
        modality=r.modality,
        motives=motives,
        filed_at=r.filed_at,
        assigned_officer_id=r.assigned_officer_id,
        assigned_officer_name=name,
        next_deadline_on=due,
        next_deadline_kind=r.next_deadline_kind,
        business_days_left=left,
        overdue=due is not None and due < today,
    )


def list_cases(
    session: Session,
    *,
    entity_id: int,
    today: dt.date,
    calendar: BusinessCalendar,
    filters: InboxFilter | None = None,
    sort: Sort = "filed",
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    viewer: Role = Role.OFFICER,
) -> InboxPage:
    """One page of the inbox after `cursor` (None: the first page), of the complaints the
    `viewer`'s role handles (RG 4.9, core.access.case_scope)."""
    flt = filters or InboxFilter()
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    if sort not in SORTS:
        raise InvalidCursor(f"unknown sort {sort!r}")
    conds = _conditions(entity_id, flt, today, viewer)
    if normalise_code(flt.code):
        sort = "code"
        raw = _page_code(session, conds, cursor, limit)
    elif sort == "filed":
        raw = _page_filed(session, conds, cursor, limit)
    else:
        raw = _page_deadline(session, conds, cursor, limit, overdue_only=flt.overdue)
    rows = [_row(r, today, calendar) for r in raw[:limit]]
    unread = unread_by_case(session, [r.id for r in rows])
    rows = [replace(r, unread=unread[r.id]) if r.id in unread else r for r in rows]
    next_cursor = None
    if len(raw) > limit:
        last = rows[-1]
        cursors = {"filed": _filed_cursor, "deadline": _deadline_cursor, "code": _code_cursor}
        next_cursor = cursors[sort](last)
    return InboxPage(rows=rows, next_cursor=next_cursor, sort=sort, filters=flt)


def _page_code(
    session: Session, conds: list[ColumnElement[bool]], cursor: str | None, limit: int
) -> Sequence[Any]:
    where = list(conds)
    if cursor:
        payload = _decode(cursor, "code")
        last_code = payload.get("c")
        if not isinstance(last_code, str) or not 0 < len(last_code) <= 32:
            raise InvalidCursor("the page cursor is not valid")
        where.append(Case.code < last_code)
    # The code alone: unique within the entity, so (entity_id, code) orders every match.
    stmt = _base().where(*where).order_by(Case.code.desc()).limit(limit + 1)
    return session.execute(stmt).all()


def _page_filed(
    session: Session, conds: list[ColumnElement[bool]], cursor: str | None, limit: int
) -> Sequence[Any]:
    where = list(conds)
    if cursor:
        payload = _decode(cursor, "filed")
        try:
            at = dt.datetime.fromisoformat(str(payload["t"]))
            last_id = _cursor_id(payload)
        except (KeyError, ValueError, TypeError) as exc:
            raise InvalidCursor("the page cursor is not valid") from exc
        where.append(tuple_(Case.filed_at, Case.id) < tuple_(at, last_id))
    stmt = _base().where(*where).order_by(Case.filed_at.desc(), Case.id.desc()).limit(limit + 1)
    return session.execute(stmt).all()


def _page_deadline(
    session: Session,
    conds: list[ColumnElement[bool]],
    cursor: str | None,
    limit: int,
    *,
    overdue_only: bool,
) -> Sequence[Any]:
    phase = 1
    after_day: dt.date | None = None
    after_id = 0
    if cursor:
        payload = _decode(cursor, "deadline")
        try:
            phase = payload["p"]
            after_id = _cursor_id(payload)
            if phase == 1:
                after_day = dt.date.fromisoformat(str(payload["d"]))
        except (KeyError, ValueError, TypeError) as exc:
            raise InvalidCursor("the page cursor is not valid") from exc
        if phase not in (1, 2):
            raise InvalidCursor("the page cursor is not valid")
    rows: list[Any] = []
    if phase == 1:
        where = [*conds, Case.next_deadline_on.is_not(None)]
        if after_day is not None:
            where.append(tuple_(Case.next_deadline_on, Case.id) > tuple_(after_day, after_id))
        stmt = (
            _base()
            .where(*where)
            .order_by(Case.next_deadline_on.asc(), Case.id.asc())
            .limit(limit + 1)
        )
        rows.extend(session.execute(stmt).all())
        after_id = 0
    # An overdue filter excludes undated cases, so the second phase would be empty.
    if len(rows) <= limit and not overdue_only:
        where = [*conds, Case.next_deadline_on.is_(None), Case.id > after_id]
        stmt = _base().where(*where).order_by(Case.id.asc()).limit(limit + 1 - len(rows))
        rows.extend(session.execute(stmt).all())
    return rows


# --- what the office has not read yet, and what needs action today -----------------------------


def _unread() -> list[ColumnElement[bool]]:
    # The predicate of the partial index ix_messages_unread (core.storage.models.Message).
    return [Message.direction == MessageDirection.FROM_COMPLAINANT, Message.read_at.is_(None)]


def unread_by_case(session: Session, case_ids: Sequence[int]) -> dict[int, dict[MessageKind, int]]:
    """For one page of cases, in one query: what each complainant sent that no officer has
    opened yet, counted by kind."""
    if not case_ids:
        return {}
    out: dict[int, dict[MessageKind, int]] = {}
    rows = session.execute(
        select(Message.case_id, Message.kind, func.count())
        .where(Message.case_id.in_(list(case_ids)), *_unread())
        .group_by(Message.case_id, Message.kind)
    ).all()
    for case_id, kind, count in rows:
        out.setdefault(case_id, {})[kind] = int(count)
    return out


# Each part of the count stops here: a page load never counts a backlog of a million overdue
# clocks one by one (docs/performance.md); the page then says "más de 99".
ACTION_CAP = 99


@dataclass(frozen=True)
class ActionToday:
    """The count at the top of the inbox: open clocks already overdue or due today, and what
    complainants sent that no officer has opened, of the complaints the viewer handles. Each
    part is counted up to ACTION_CAP + 1 (`capped` then says so)."""

    overdue: int
    due_today: int
    unread: int

    @property
    def cap(self) -> int:
        return ACTION_CAP

    @property
    def total(self) -> int:
        return self.overdue + self.due_today + self.unread

    @property
    def capped(self) -> bool:
        return max(self.overdue, self.due_today, self.unread) > ACTION_CAP


def _count_upto(session: Session, ids: Select[Any]) -> int:
    """How many rows `ids` selects, stopping at ACTION_CAP + 1 (an index range, bounded)."""
    bounded = ids.limit(ACTION_CAP + 1).subquery()
    return int(session.scalar(select(func.count()).select_from(bounded)) or 0)


def action_today(
    session: Session, *, entity_id: int, today: dt.date, viewer: Role = Role.OFFICER
) -> ActionToday:
    """Three bounded counts: open clocks overdue and due today (ix_deadlines_open) and unread
    messages (ix_messages_unread), each within the viewer's scope (RG 4.9)."""
    clocks = select(Deadline.id).where(
        Deadline.entity_id == entity_id,
        Deadline.satisfied_at.is_(None),
        exists().where(Case.id == Deadline.case_id, scope_clause(viewer)),
    )
    # Driven by the partial index (a join would let the planner walk every case instead).
    unread = select(Message.id).where(
        *_unread(),
        exists().where(
            Case.id == Message.case_id, Case.entity_id == entity_id, scope_clause(viewer)
        ),
    )
    return ActionToday(
        overdue=_count_upto(session, clocks.where(Deadline.due_on < today)),
        due_today=_count_upto(session, clocks.where(Deadline.due_on == today)),
        unread=_count_upto(session, unread),
    )


def find_by_code(
    session: Session, *, entity_id: int, code: str, viewer: Role = Role.OFFICER
) -> Case | None:
    """The case with exactly this code in this entity, if the `viewer`'s role handles it
    (RG 4.9); None otherwise, exactly as for a code that does not exist."""
    return session.scalar(
        select(Case).where(
            Case.entity_id == entity_id,
            Case.code == normalise_code(code),
            scope_clause(viewer),
        )
    )
