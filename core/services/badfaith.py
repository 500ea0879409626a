"""The bad-faith procedure on a complaint and the person who filed it (DL 14; RG 2.1.3, RG 11).

The rules are the pure table in `core.law.bad_faith`. Services take the session first, flush and
never commit. The procedure's clocks (alegaciones, decision) are `Deadline` rows linked to it
(`bad_faith_id`), so the case cannot be concluded while they run. An upheld decision excludes
the person from every measure through `core.services.measures.apply_measure_act`
(`exclude_for_bad_faith`) and forwards the file to the Procuraduría and the STPAD in the same act.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from core.errors import CapabilityRequired
from core.law.bad_faith import BadFaithAct
from core.law.bad_faith import BadFaithFacts
from core.law.bad_faith import BadFaithInputs
from core.law.bad_faith import BadFaithTransition
from core.law.bad_faith import ProcedureStage
from core.law.bad_faith import plan_bad_faith_act
from core.law.calendar import BusinessCalendar
from core.law.calendar import local_day
from core.law.enums import BadFaithType
from core.law.enums import Beneficiary
from core.law.enums import DeadlineKind
from core.law.enums import MeasureState
from core.law.event_kinds import EventKind
from core.law.measures_workflow import ROLE_CAPABILITIES
from core.law.measures_workflow import Capability
from core.law.measures_workflow import MeasureAct
from core.services.case_records import check_officer
from core.services.case_records import create_forwardings
from core.services.case_records import lock_case
from core.services.case_records import open_deadlines
from core.services.case_records import record_event
from core.services.case_records import refresh_next_deadline
from core.services.measures import apply_measure_act
from core.storage import audit
from core.storage.models import BadFaithProcedure
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Deadline
from core.storage.models import Measure
from core.storage.models import Officer

_EVENT = {
    BadFaithAct.START: EventKind.BAD_FAITH_START,
    BadFaithAct.RECORD_ALEGACIONES: EventKind.BAD_FAITH_RECORD_ALEGACIONES,
    BadFaithAct.DECIDE: EventKind.BAD_FAITH_DECIDE,
}
# Measures that fall with the complainant's exclusion: theirs, and those extended on their
# account to a third person (DL 10) [INF]; a witness's stay.
_EXCLUDED_WITH = frozenset({Beneficiary.COMPLAINANT, Beneficiary.THIRD_PARTY})
_EXCLUDABLE = frozenset(
    {
        MeasureState.REQUESTED,
        MeasureState.HR_FEASIBILITY,
        MeasureState.GRANTED,
        MeasureState.IN_FORCE,
        MeasureState.VARIED,
        MeasureState.VARIATION,
        MeasureState.SUSPENSION,
        MeasureState.SUSPENDED,
        MeasureState.BAD_FAITH_CESSATION,
    }
)


def open_procedure(
    session: Session, case: Case, person: Beneficiary = Beneficiary.COMPLAINANT
) -> BadFaithProcedure | None:
    return session.scalars(
        select(BadFaithProcedure).where(
            BadFaithProcedure.case_id == case.id,
            BadFaithProcedure.person == person,
            BadFaithProcedure.decided_at.is_(None),
        )
    ).first()


def _clocks(session: Session, procedure: BadFaithProcedure) -> list[Deadline]:
    return list(
        session.scalars(
            select(Deadline).where(
                Deadline.bad_faith_id == procedure.id, Deadline.satisfied_at.is_(None)
            )
        ).all()
    )


def _facts(
    session: Session,
    case: Case,
    procedure: BadFaithProcedure | None,
    person: Beneficiary,
    today: dt.date,
) -> BadFaithFacts:
    alegaciones = None
    if procedure is not None:
        alegaciones = session.scalars(
            select(Deadline).where(
                Deadline.bad_faith_id == procedure.id, Deadline.kind == DeadlineKind.ALEGACIONES
            )
        ).first()
    legacy = session.scalar(
        select(Measure.id)
        .where(Measure.case_id == case.id, Measure.state == MeasureState.BAD_FAITH_CESSATION)
        .limit(1)
    )
    return BadFaithFacts(
        stage=ProcedureStage.ALEGACIONES if procedure is not None else ProcedureStage.NONE,
        person=person,
        today=today,
        alegaciones_due=alegaciones.due_on if alegaciones else None,
        alegaciones_received=(
            procedure is not None and procedure.alegaciones_received_at is not None
        ),
        legacy_measure_procedure=legacy is not None,
    )


def _record(
    session: Session,
    case: Case,
    procedure: BadFaithProcedure,
    transition: BadFaithTransition,
    *,
    officer: Officer,
    reasoning: str,
    now: dt.datetime,
    office_recipients: Sequence[crypto.Recipient],
    data: dict[str, object],
) -> CaseEvent:
    event = record_event(
        session,
        case,
        kind=_EVENT[transition.act],
        officer=officer,
        now=now,
        from_state=None,
        to_state=None,
        visible=transition.complainant_visible,
        data={**(transition.data or {}), **data, "procedure": procedure.id},
        reasoning=reasoning,
        office_recipients=office_recipients,
    )
    closed = [d for d in _clocks(session, procedure) if d.kind in transition.closes]
    for d in closed:
        d.satisfied_at = now
        d.satisfied_by_event_id = event.id
    session.flush()
    forwardings = create_forwardings(
        session, case, transition.forwardings, officer=officer, event=event, now=now
    )
    audit.record(
        session,
        action=f"bad_faith.{transition.act}",
        officer_id=officer.id,
        entity_id=case.entity_id,
        case_id=case.id,
        now=now,
        detail={
            "event_id": event.id,
            "procedure": procedure.id,
            "closed": [d.kind.value for d in closed],
            "forwarded_to": [f.destination.value for f in forwardings],
            **(transition.data or {}),
        },
    )
    return event


def start_bad_faith(
    session: Session,
    case: Case,
    *,
    officer: Officer,
    bad_faith_type: BadFaithType | None,
    reasoning: str,
    now: dt.datetime,
    calendar: BusinessCalendar,
    office_recipients: Sequence[crypto.Recipient],
    person: Beneficiary = Beneficiary.COMPLAINANT,
) -> BadFaithProcedure:
    """RG 11 (1)-(2): notice of the intent, with the alegaciones and decision clocks."""
    check_officer(case, officer)
    lock_case(session, case, now)
    today = local_day(now)
    facts = _facts(session, case, open_procedure(session, case, person), person, today)
    transition = plan_bad_faith_act(
        facts,
        BadFaithAct.START,
        BadFaithInputs(reasoning=reasoning, bad_faith_type=bad_faith_type),
    )
    assert bad_faith_type is not None
    procedure = BadFaithProcedure(
        case_id=case.id, person=person, bad_faith_type=bad_faith_type, started_at=now
    )
    session.add(procedure)
    session.flush()
    opened = open_deadlines(
        session, case, transition.opens, act_day=today, filing_day=today, calendar=calendar
    )
    for d in opened:
        d.bad_faith_id = procedure.id
    due = next(d.due_on for d in opened if d.kind is DeadlineKind.ALEGACIONES)
    _record(
        session,
        case,
        procedure,
        transition,
        officer=officer,
        reasoning=reasoning,
        now=now,
        office_recipients=office_recipients,
        data={"due_on": due.isoformat()},
    )
    refresh_next_deadline(session, case)
    case.updated_at = now
    session.flush()
    return procedure


def _plan_on(
    session: Session,
    procedure: BadFaithProcedure,
    act: BadFaithAct,
    inputs: BadFaithInputs,
    *,
    officer: Officer,
    now: dt.datetime,
) -> tuple[Case, BadFaithTransition]:
    """Lock the case, reload the procedure (a concurrent act commits first, or waits) and plan
    `act` on it."""
    case = session.get_one(Case, procedure.case_id)
    check_officer(case, officer)
    lock_case(session, case, now)
    session.refresh(procedure)
    still_open = procedure if procedure.decided_at is None else None
    facts = _facts(session, case, still_open, procedure.person, local_day(now))
    return case, plan_bad_faith_act(facts, act, inputs)


def record_bad_faith_alegaciones(
    session: Session,
    procedure: BadFaithProcedure,
    *,
    officer: Officer,
    reasoning: str,
    now: dt.datetime,
    office_recipients: Sequence[crypto.Recipient],
) -> CaseEvent:
    case, transition = _plan_on(
        session,
        procedure,
        BadFaithAct.RECORD_ALEGACIONES,
        BadFaithInputs(reasoning=reasoning),
        officer=officer,
        now=now,
    )
    procedure.alegaciones_received_at = now
    event = _record(
        session,
        case,
        procedure,
        transition,
        officer=officer,
        reasoning=reasoning,
        now=now,
        office_recipients=office_recipients,
        data={},
    )
    refresh_next_deadline(session, case)
    session.flush()
    return event


def decide_bad_faith(
    session: Session,
    procedure: BadFaithProcedure,
    *,
    officer: Officer,
    upheld: bool | None,
    reasoning: str,
    now: dt.datetime,
    calendar: BusinessCalendar,
    office_recipients: Sequence[crypto.Recipient],
) -> CaseEvent:
    """RG 11 (3)-(4) and DL 14: the reasoned decision (head only); upheld, the person is excluded
    from every measure and the file goes to the Procuraduría and the STPAD."""
    case, transition = _plan_on(
        session,
        procedure,
        BadFaithAct.DECIDE,
        BadFaithInputs(reasoning=reasoning, upheld=upheld),
        officer=officer,
        now=now,
    )
    if Capability.DECIDE_MEASURES not in ROLE_CAPABILITIES[officer.role]:
        raise CapabilityRequired("Only the head of the OII (or the MAA) decides on bad faith.")
    procedure.decided_at = now
    procedure.upheld = bool(upheld)
    session.flush()
    event = _record(
        session,
        case,
        procedure,
        transition,
        officer=officer,
        reasoning=reasoning,
        now=now,
        office_recipients=office_recipients,
        data={},
    )
    if transition.excludes_measures:
        for measure in session.scalars(
            select(Measure)
            .where(
                Measure.case_id == case.id,
                Measure.beneficiary.in_(_EXCLUDED_WITH),
                Measure.state.in_(_EXCLUDABLE),
            )
            .order_by(Measure.id)
        ).all():
            apply_measure_act(
                session,
                measure,
                MeasureAct.EXCLUDE_FOR_BAD_FAITH,
                officer=officer,
                reasoning=reasoning,
                now=now,
                calendar=calendar,
                office_recipients=office_recipients,
            )
    refresh_next_deadline(session, case)
    case.updated_at = now
    session.flush()
    return event
