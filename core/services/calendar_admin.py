"""Non-working days: national (PCM decrees, entered once for every entity) and an entity's
own, and the recomputation of the open clocks a change of calendar moves (docs/workflow.md,
"Deadlines").

A clock's due day is computed once, when it opens, from its trigger day (`Deadline.starts_on`) with
the rules of the regime that computed it (`Deadline.rule_version`). Adding or removing a non-working
day changes which days are business days, so every open clock of the entities concerned is computed
again from its own trigger and rule; a clock whose due day moves is updated, and each case with a
moved clock gets one internal event (`clocks_recomputed`) and one audit entry. Clocks already
stopped by an act are history and never move.

Services take the session first, flush and never commit (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import DomainError
from core.errors import NotFound
from core.law.calendar import BusinessCalendar
from core.law.enums import DeadlineKind
from core.law.regime import regime_by_id
from core.law.rules import compute_due
from core.services import subsanacion
from core.services.case_records import extra_non_working_days
from core.services.case_records import record_system_event
from core.storage import audit
from core.storage.models import Case
from core.storage.models import Deadline
from core.storage.models import Entity
from core.storage.models import NationalNonWorkingDay
from core.storage.models import NonWorkingDay
from core.storage.models import Officer

RECOMPUTED_EVENT = "clocks_recomputed"
MAX_REASON = 200


class DayAlreadyNonWorking(DomainError):
    """The day is already registered in that calendar."""

    code = "day_already_registered"


@dataclass(frozen=True)
class MovedClock:
    deadline_id: int
    case_id: int
    kind: DeadlineKind
    before: dt.date
    after: dt.date


# --- national days (platform administrator) ------------------------------------------------


def list_national_days(session: Session) -> list[NationalNonWorkingDay]:
    return list(
        session.scalars(select(NationalNonWorkingDay).order_by(NationalNonWorkingDay.day)).all()
    )


def add_national_day(
    session: Session,
    day: dt.date,
    *,
    reason: str,
    now: dt.datetime,
    actor: str,
    officer: Officer | None = None,
) -> list[MovedClock]:
    """Declare `day` non-working for every entity and move the open clocks it affects."""
    if session.scalar(select(NationalNonWorkingDay).where(NationalNonWorkingDay.day == day)):
        raise DayAlreadyNonWorking(f"{day.isoformat()} is already a national non-working day.")
    session.add(NationalNonWorkingDay(day=day, reason=reason.strip()[:MAX_REASON], created_at=now))
    return _national_day_changed(session, "added", day, now=now, actor=actor, officer=officer)


def remove_national_day(
    session: Session,
    day: dt.date,
    *,
    now: dt.datetime,
    actor: str,
    officer: Officer | None = None,
) -> list[MovedClock]:
    """Withdraw a national non-working day (e.g. entered by mistake) and move the clocks back."""
    row = session.scalar(select(NationalNonWorkingDay).where(NationalNonWorkingDay.day == day))
    if row is None:
        raise NotFound(f"{day.isoformat()} is not a national non-working day.")
    session.delete(row)
    return _national_day_changed(session, "removed", day, now=now, actor=actor, officer=officer)


def _national_day_changed(
    session: Session,
    change: str,
    day: dt.date,
    *,
    now: dt.datetime,
    actor: str,
    officer: Officer | None,
) -> list[MovedClock]:
    """Audit a national day added or removed, and move every entity's open clocks."""
    session.flush()
    audit.record(
        session,
        action=f"calendar.national_day_{change}",
        actor=actor,
        officer_id=officer.id if officer else None,
        detail={"day": day.isoformat()},
        now=now,
    )
    return recompute_open_clocks(
        session, _all_entity_ids(session), now=now, change=_change(change, "national", day)
    )


# --- an entity's own days ------------------------------------------------------------------


def add_entity_day(
    session: Session,
    entity: Entity,
    day: dt.date,
    *,
    reason: str,
    officer: Officer,
    now: dt.datetime,
) -> list[MovedClock]:
    """A day `entity` alone does not work; its open clocks move accordingly."""
    exists = session.scalar(
        select(NonWorkingDay).where(NonWorkingDay.entity_id == entity.id, NonWorkingDay.day == day)
    )
    if exists is not None:
        raise DayAlreadyNonWorking(f"{day.isoformat()} is already registered.")
    session.add(NonWorkingDay(entity_id=entity.id, day=day, reason=reason.strip()[:MAX_REASON]))
    session.flush()
    audit.record(
        session,
        action="entity.non_working_day_added",
        officer_id=officer.id,
        entity_id=entity.id,
        detail={"day": day.isoformat()},
        now=now,
    )
    return recompute_open_clocks(
        session, [entity.id], now=now, change=_change("added", "entity", day)
    )


def remove_entity_day(
    session: Session, entity: Entity, day_id: int, *, officer: Officer, now: dt.datetime
) -> list[MovedClock]:
    row = session.get(NonWorkingDay, day_id)
    if row is None or row.entity_id != entity.id:
        raise NotFound("No such non-working day in this entity.")
    day = row.day
    session.delete(row)
    session.flush()
    audit.record(
        session,
        action="entity.non_working_day_removed",
        officer_id=officer.id,
        entity_id=entity.id,
        detail={"day": day.isoformat()},
        now=now,
    )
    return recompute_open_clocks(
        session, [entity.id], now=now, change=_change("removed", "entity", day)
    )


# --- recomputation -------------------------------------------------------------------------


def recompute_open_clocks(
    session: Session,
    entity_ids: Iterable[int],
    *,
    now: dt.datetime,
    change: dict[str, Any],
) -> list[MovedClock]:
    """Compute every open clock of these entities again with their current calendar."""
    moved: list[MovedClock] = []
    for entity_id in entity_ids:
        calendar = BusinessCalendar(extra_non_working_days(session, entity_id))
        rows = list(
            session.scalars(
                select(Deadline)
                .where(Deadline.entity_id == entity_id, Deadline.satisfied_at.is_(None))
                .order_by(Deadline.case_id, Deadline.id)
            ).all()
        )
        by_case: dict[int, list[MovedClock]] = {}
        for row in rows:
            moved_clock = _recompute(session, row, calendar)
            if moved_clock is not None:
                by_case.setdefault(row.case_id, []).append(moved_clock)
        for case_id, clocks in by_case.items():
            _record_case(session, case_id, clocks, now=now, change=change)
            moved.extend(clocks)
    session.flush()
    return moved


def _recompute(session: Session, row: Deadline, calendar: BusinessCalendar) -> MovedClock | None:
    rule_set = regime_by_id(row.rule_version).rules
    trigger = row.starts_on
    if rule_set.rule(row.kind).counted_from == "alegaciones_end":
        # The decision clock counts from the last day of the alegaciones period opened in the
        # same act (RG 9, RG 11): when that day moves, the trigger moves with it.
        trigger = _alegaciones_end(session, row, calendar) or trigger
        row.starts_on = trigger
    due = compute_due(rule_set, row.kind, trigger, calendar)
    if due == row.due_on:
        return None
    before, row.due_on = row.due_on, due
    return MovedClock(row.id, row.case_id, row.kind, before, due)


def _alegaciones_end(
    session: Session, decision: Deadline, calendar: BusinessCalendar
) -> dt.date | None:
    """The recomputed end of the alegaciones period opened in the same act as `decision`
    (the latest alegaciones clock of the same case and measure before it)."""
    query = select(Deadline).where(
        Deadline.case_id == decision.case_id,
        Deadline.kind == DeadlineKind.ALEGACIONES,
        Deadline.id < decision.id,
    )
    query = query.where(
        Deadline.measure_id.is_(None)
        if decision.measure_id is None
        else Deadline.measure_id == decision.measure_id
    )
    alegaciones = session.scalars(query.order_by(Deadline.id.desc()).limit(1)).first()
    if alegaciones is None:
        return None
    # Open or already answered, the period's legal end is where the calendar puts it now.
    rule_set = regime_by_id(alegaciones.rule_version).rules
    return compute_due(rule_set, alegaciones.kind, alegaciones.starts_on, calendar)


def _record_case(
    session: Session,
    case_id: int,
    clocks: list[MovedClock],
    *,
    now: dt.datetime,
    change: dict[str, Any],
) -> None:
    case = session.get(Case, case_id)
    assert case is not None
    data = {
        **change,
        "clocks": [
            {
                "deadline_id": c.deadline_id,
                "kind": c.kind.value,
                "from": c.before.isoformat(),
                "to": c.after.isoformat(),
            }
            for c in clocks
        ],
    }
    # The office's clocks are internal; when the complainant's own clock (subsanación) moves,
    # their timeline shows the new day they must answer by.
    pending = subsanacion.pending_request(session, case)
    started = pending is not None and pending.opened_at is not None
    # Before the complainant opens the request their term has not started (RG 4.4).
    complainant_due = [
        c.after.isoformat() for c in clocks if c.kind is DeadlineKind.SUBSANACION and started
    ]
    if complainant_due:
        data["due_on"] = complainant_due[-1]
    record_system_event(
        session,
        case,
        kind=RECOMPUTED_EVENT,
        action="case.clocks_recomputed",
        visible=bool(complainant_due),
        data=data,
        now=now,
    )


def _change(what: str, scope: str, day: dt.date) -> dict[str, Any]:
    return {"change": what, "scope": scope, "day": day.isoformat()}


def _all_entity_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Entity.id).order_by(Entity.id)).all())
