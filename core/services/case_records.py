"""Recording on a case: the building blocks every act on a complaint or a measure uses.

Who may act on a case (`check_officer`), the entity's business calendar, sealing reasoning,
recording events, opening and closing clocks, forwardings, assignment and the row lock.
`core.services.cases` (complaint acts), `core.services.measures` and the other services
compose them; like every service they flush and never commit (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

import crypto
from core.access import case_scope
from core.errors import CapabilityRequired
from core.errors import DomainError
from core.law.calendar import BusinessCalendar
from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.event_kinds import EventKind
from core.law.regime import Regime
from core.law.regime import regime_of_case
from core.law.rules import compute_opened
from core.law.workflow import PlannedForwarding
from core.services import notices
from core.storage import audit
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Deadline
from core.storage.models import Entity
from core.storage.models import Forwarding
from core.storage.models import NationalNonWorkingDay
from core.storage.models import NonWorkingDay
from core.storage.models import Officer
from core.storage.padding import pad_text

ACTING_ROLES = case_scope.HANDLING_ROLES


_DESTINATIONS = frozenset(d.value for d in Destination)


class WrongEntity(DomainError):
    """The officer does not belong to the case's entity."""

    code = "wrong_entity"


class OutOfScope(DomainError):
    """RG 4.9: the OII does not handle complaints against itself; the titular only those."""

    code = "out_of_scope"


def calendar_for(session: Session, entity: Entity) -> BusinessCalendar:
    """Peru's business days less the national non-working days (PCM decrees, entered once for
    all entities) and the entity's own."""
    return BusinessCalendar(extra_non_working_days(session, entity.id))


def extra_non_working_days(session: Session, entity_id: int) -> set[dt.date]:
    """The days beyond the `holidays` package that `entity_id` does not work."""
    own = session.scalars(
        select(NonWorkingDay.day).where(NonWorkingDay.entity_id == entity_id)
    ).all()
    national = session.scalars(select(NationalNonWorkingDay.day)).all()
    return {*own, *national}


def check_officer(case: Case, officer: Officer | None) -> None:
    """Acts are recorded by OII staff of the case's entity; None means the system itself."""
    if officer is None:
        return
    if officer.entity_id != case.entity_id:
        raise WrongEntity("The officer does not belong to this case's entity.")
    if officer.role not in ACTING_ROLES or not officer.active:
        raise CapabilityRequired("Only active OII officers record acts on a case.")
    if not case_scope.may_handle(officer.role, case):
        # RG 4.9: a complaint against the OII is the titular's alone, and only those are.
        raise OutOfScope("This complaint is handled by someone else (RG 4.9).")


def seal_reasoning(reasoning: str, office_recipients: Sequence[crypto.Recipient]) -> bytes:
    """The reasoning as an age file to the office (never stored in clear, invariant 1)."""
    if not office_recipients:
        raise ValueError("at least one office recipient is needed to seal the reasoning")
    return crypto.encrypt(pad_text(reasoning), list(office_recipients))


def record_event(
    session: Session,
    case: Case,
    *,
    kind: str,
    officer: Officer | None,
    now: dt.datetime,
    from_state: str | None,
    to_state: str | None,
    visible: bool,
    data: dict[str, Any],
    reasoning: str | None,
    office_recipients: Sequence[crypto.Recipient],
    measure_id: int | None = None,
    notice: str | None = None,
) -> CaseEvent:
    """Record one event; `notice` is the text the complainant reads with it (sealed to them
    and the office, core.services.notices), refused on an event they do not see."""
    notice = notices.clean_notice(notice, visible=visible)
    event = CaseEvent(
        case_id=case.id,
        kind=EventKind(kind).value,  # ValueError for a kind not enumerated (core.law.event_kinds)
        at=now,
        officer_id=officer.id if officer else None,
        from_state=from_state,
        to_state=to_state,
        visible_to_complainant=visible,
        measure_id=measure_id,
        data=data,
        reasoning_sealed=(
            seal_reasoning(reasoning, office_recipients) if reasoning is not None else None
        ),
        notice_sealed=(
            notices.seal_notice(case, notice, office_recipients) if notice is not None else None
        ),
    )
    session.add(event)
    session.flush()
    return event


def open_deadlines(
    session: Session,
    case: Case,
    kinds: Iterable[DeadlineKind],
    *,
    act_day: dt.date,
    filing_day: dt.date,
    calendar: BusinessCalendar,
    measure_id: int | None = None,
) -> list[Deadline]:
    """Open one clock per kind, computed with the rules of the case's regime (fixed at
    filing; `core.law.regime.regime_of_case`)."""
    kinds = list(kinds)
    if not kinds:
        return []
    regime = case_regime(case, act_day)
    rule_set = regime.rules
    opened = compute_opened(
        rule_set, kinds, act_day=act_day, filing_day=filing_day, calendar=calendar
    )
    rows = []
    for kind, (starts_on, due_on) in sorted(opened.items()):
        row = Deadline(
            entity_id=case.entity_id,
            case_id=case.id,
            officer_id=case.assigned_officer_id,
            measure_id=measure_id,
            kind=kind,
            party=rule_set.rule(kind).party,
            rule_version=regime.id,  # the regime whose rules computed it
            starts_on=starts_on,
            due_on=due_on,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def close_deadlines(
    session: Session,
    case: Case,
    kinds: Iterable[DeadlineKind],
    *,
    event: CaseEvent,
    now: dt.datetime,
    measure_id: int | None = None,
) -> list[Deadline]:
    """Stop the open clocks of these kinds (case-level, or of one measure) at this act."""
    kinds = list(kinds)
    if not kinds:
        return []
    query = select(Deadline).where(
        Deadline.case_id == case.id,
        Deadline.kind.in_(kinds),
        Deadline.satisfied_at.is_(None),
    )
    query = query.where(
        Deadline.measure_id.is_(None) if measure_id is None else Deadline.measure_id == measure_id
    )
    rows = list(session.scalars(query).all())
    for row in rows:
        row.satisfied_at = now
        row.satisfied_by_event_id = event.id
    session.flush()
    return rows


def create_forwardings(
    session: Session,
    case: Case,
    planned: Iterable[PlannedForwarding],
    *,
    officer: Officer | None,
    event: CaseEvent,
    now: dt.datetime,
) -> list[Forwarding]:
    rows = [
        Forwarding(
            case_id=case.id,
            destination=p.destination,
            destination_name=p.destination_name,
            is_copy=p.is_copy,
            at=now,
            officer_id=officer.id if officer else None,
            event_id=event.id,
        )
        for p in planned
    ]
    session.add_all(rows)
    session.flush()
    return rows


def assign_case(
    session: Session,
    case: Case,
    *,
    officer: Officer,
    target: Officer | None,
    now: dt.datetime,
    office_recipients: Sequence[crypto.Recipient],
) -> CaseEvent:
    """Assign the case to `target` (None: unassign), carrying its clocks along; recorded and
    audited, never shown to the complainant (who handles a case stays internal)."""
    check_officer(case, officer)
    if target is not None:
        check_officer(case, target)
    previous = case.assigned_officer_id
    case.assigned_officer_id = target.id if target else None
    case.updated_at = now
    session.execute(
        update(Deadline)
        .where(Deadline.case_id == case.id)
        .values(officer_id=case.assigned_officer_id)
    )
    event = record_event(
        session,
        case,
        kind="assigned",
        officer=officer,
        now=now,
        from_state=None,
        to_state=None,
        visible=False,
        data={"from": previous, "to": case.assigned_officer_id},
        reasoning=None,
        office_recipients=office_recipients,
    )
    audit.record(
        session,
        action="case.assigned",
        officer_id=officer.id,
        entity_id=case.entity_id,
        case_id=case.id,
        detail={"event_id": event.id, "from": previous, "to": case.assigned_officer_id},
        now=now,
    )
    return event


def case_regime(case: Case, day: dt.date) -> Regime:
    """The regime an act recorded on `day` follows: the case's own, fixed at filing."""
    return regime_of_case(case.regime, day)


def record_system_event(
    session: Session,
    case: Case,
    *,
    kind: str,
    action: str,
    visible: bool,
    data: dict[str, Any],
    now: dt.datetime,
) -> CaseEvent:
    """An event the system itself records on a case (no officer, no change of state, no
    reasoning): the case's next deadline is refreshed and the audit entry names the event."""
    event = record_event(
        session,
        case,
        kind=kind,
        officer=None,
        now=now,
        from_state=None,
        to_state=None,
        visible=visible,
        data=data,
        reasoning=None,
        office_recipients=(),
    )
    refresh_next_deadline(session, case)
    audit.record(
        session,
        action=action,
        entity_id=case.entity_id,
        case_id=case.id,
        detail={"event_id": event.id, **data},
        now=now,
    )
    return event


def refresh_next_deadline(session: Session, case: Case) -> None:
    """Keep the case's denormalised next-deadline columns in step with its open clocks."""
    row = session.execute(
        select(Deadline.due_on, Deadline.kind)
        .where(Deadline.case_id == case.id, Deadline.satisfied_at.is_(None))
        .order_by(Deadline.due_on, Deadline.id)
        .limit(1)
    ).first()
    case.next_deadline_on = row.due_on if row else None
    case.next_deadline_kind = row.kind if row else None


def _open_kinds(session: Session, case: Case) -> frozenset[DeadlineKind]:
    return frozenset(
        session.scalars(
            select(Deadline.kind).where(
                Deadline.case_id == case.id, Deadline.satisfied_at.is_(None)
            )
        ).all()
    )


def lock_case(session: Session, case: Case, now: dt.datetime) -> None:
    """Serialise acts on `case` and reload it as committed by any act that came first.

    A no-op-like UPDATE takes the row lock on PostgreSQL (the database write lock on SQLite)
    before the facts are read, so two submissions of the same act (a double click, two
    officers) cannot both pass the workflow on the same stale state: the second one waits,
    then sees the new state and is refused. Pending changes are flushed first.
    """
    session.flush()
    session.execute(
        update(Case).where(Case.id == case.id).values(updated_at=now),
        execution_options={"synchronize_session": False},
    )
    session.refresh(case)
