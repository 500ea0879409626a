"""Protection-measure services: request, HR report, decisions, notice, variation/suspension/
cessation procedures (docs/workflow.md).

Services take the session first, flush and never commit. The lifecycle is the pure table in
`core.law.measures_workflow`; acts that need the head role are checked here against the officer.

Case-level clocks follow the measures: when no requested measure is left undecided, the
grant limit (RG 6) and the evaluation clock (RG 4.7) stop at that act; when every measure has
been notified (or archived), the notification clock (RG 5.1) stops at that act.

Requesting a measure (at filing or later, RG 4.10; for a third person, DL 10) is
core.services.measure_requests; measures requested later are left out of the case-level
checks above.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from core.errors import CapabilityRequired
from core.law.calendar import BusinessCalendar
from core.law.calendar import local_day
from core.law.enums import BadFaithType
from core.law.enums import Beneficiary
from core.law.enums import DeadlineKind
from core.law.enums import MeasureState
from core.law.event_kinds import EventKind
from core.law.measures_workflow import ROLE_CAPABILITIES
from core.law.measures_workflow import UNDECIDED_STATES
from core.law.measures_workflow import CeaseGround
from core.law.measures_workflow import Criterion
from core.law.measures_workflow import MeasureAct
from core.law.measures_workflow import MeasureFacts
from core.law.measures_workflow import MeasureInputs
from core.law.measures_workflow import MeasureTransition
from core.law.measures_workflow import plan_measure_act
from core.services.case_records import case_regime
from core.services.case_records import check_officer
from core.services.case_records import close_deadlines
from core.services.case_records import create_forwardings
from core.services.case_records import lock_case
from core.services.case_records import open_deadlines
from core.services.case_records import record_event
from core.services.case_records import refresh_next_deadline
from core.storage import audit
from core.storage.models import BadFaithProcedure
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Deadline
from core.storage.models import Measure
from core.storage.models import Officer

# States in which the measure protects: the day it enters one of them is `in_force_from`.
PROTECTING = frozenset({MeasureState.IN_FORCE, MeasureState.VARIED})
ENDED = frozenset({MeasureState.CEASED, MeasureState.EXCLUDED})


def _check_capability(transition: MeasureTransition, officer: Officer | None) -> None:
    if transition.capability is None:
        return
    if officer is None or transition.capability not in ROLE_CAPABILITIES[officer.role]:
        raise CapabilityRequired(
            "Only the head of the OII (or the MAA) can decide on protection measures."
        )


def measure_facts(session: Session, measure: Measure, *, today: dt.date) -> MeasureFacts:
    """What the lifecycle needs about `measure`, read from its rows."""
    hr_report = session.scalar(
        select(CaseEvent.id)
        .where(
            CaseEvent.measure_id == measure.id,
            CaseEvent.kind == f"measure.{MeasureAct.RECORD_HR_REPORT}",
        )
        .limit(1)
    )
    alegaciones = session.scalars(
        select(Deadline)
        .where(Deadline.measure_id == measure.id, Deadline.kind == DeadlineKind.ALEGACIONES)
        .order_by(Deadline.id.desc())
        .limit(1)
    ).first()
    # The bad-faith procedure concerns the complainant; a witness's measures are not theirs.
    procedures = (
        session.execute(
            select(BadFaithProcedure.decided_at, BadFaithProcedure.upheld).where(
                BadFaithProcedure.case_id == measure.case_id
            )
        ).all()
        if measure.beneficiary is not Beneficiary.WITNESS
        else []
    )
    pad_ended = session.scalar(
        select(CaseEvent.id)
        .where(CaseEvent.case_id == measure.case_id, CaseEvent.kind == EventKind.PAD_ENDED)
        .limit(1)
    )
    return MeasureFacts(
        state=measure.state,
        measure_type=measure.type,
        beneficiary=measure.beneficiary,
        today=today,
        hr_report_recorded=hr_report is not None,
        notified=measure.notified_at is not None,
        alegaciones_due=alegaciones.due_on if alegaciones else None,
        alegaciones_received=alegaciones is not None and alegaciones.satisfied_at is not None,
        bad_faith_pending=any(decided is None for decided, _ in procedures),
        bad_faith_upheld=any(upheld is True for _, upheld in procedures),
        pad_ended=pad_ended is not None,
    )


def _audit(
    session: Session,
    case: Case,
    measure: Measure,
    transition: MeasureTransition,
    *,
    officer: Officer | None,
    event: CaseEvent,
    now: dt.datetime,
    opened: Sequence[Deadline],
    closed: Sequence[Deadline],
    forwarded: Sequence[str],
) -> None:
    audit.record(
        session,
        action=f"measure.{transition.act}",
        officer_id=officer.id if officer else None,
        entity_id=case.entity_id,
        case_id=case.id,
        now=now,
        detail={
            "event_id": event.id,
            "measure_id": measure.id,
            "from": transition.from_state.value if transition.from_state else None,
            "to": transition.to_state.value,
            "opened": [d.kind.value for d in opened],
            "closed": [d.kind.value for d in closed],
            "forwarded_to": list(forwarded),
            **transition.data,
        },
    )


def apply_measure_act(
    session: Session,
    measure: Measure,
    act: MeasureAct,
    *,
    officer: Officer | None,
    reasoning: str,
    now: dt.datetime,
    calendar: BusinessCalendar,
    office_recipients: Sequence[crypto.Recipient],
    criteria: Mapping[Criterion, bool] | None = None,
    hr_feasible: bool | None = None,
    bad_faith_type: BadFaithType | None = None,
    upheld: bool = True,
    cease_ground: CeaseGround | None = None,
    notice: str | None = None,
) -> CaseEvent:
    """Record `act` on `measure` if the lifecycle allows it and the officer may do it;
    `notice` is what the complainant reads with it (core.services.notices)."""
    case = measure.case
    check_officer(case, officer)
    lock_case(session, case, now)  # a concurrent act on this case commits first, or waits
    session.refresh(measure)
    today = local_day(now)
    facts = measure_facts(session, measure, today=today)
    inputs = MeasureInputs(
        reasoning=reasoning,
        criteria=dict(criteria or {}),
        hr_feasible=hr_feasible,
        bad_faith_type=bad_faith_type,
        upheld=upheld,
        cease_ground=cease_ground,
    )
    transition = plan_measure_act(facts, act, inputs, case_regime(case, today).measure_table)
    _check_capability(transition, officer)

    event = record_event(
        session,
        case,
        kind=f"measure.{act}",
        officer=officer,
        now=now,
        from_state=transition.from_state.value if transition.from_state else None,
        to_state=transition.to_state.value,
        visible=transition.complainant_visible,
        data={
            **transition.data,
            # What the complainant is told about: granted (or in force) or denied (RG 5.1).
            **({"decision": measure.state.value} if transition.notifies else {}),
        },
        reasoning=reasoning,
        office_recipients=office_recipients,
        measure_id=measure.id,
        notice=notice,
    )
    previous = measure.state
    measure.state = transition.to_state
    if transition.decides:
        measure.decided_at = now
    if transition.notifies:
        measure.notified_at = now
    if act is MeasureAct.GRANT:
        measure.criteria = {str(k): bool(v) for k, v in inputs.criteria.items()}
    if act is MeasureAct.START_BAD_FAITH_CESSATION and bad_faith_type is not None:
        measure.bad_faith_type = bad_faith_type
    if transition.to_state in PROTECTING and previous not in PROTECTING:
        measure.in_force_from = measure.in_force_from or today
    if transition.to_state in ENDED:
        measure.in_force_until = today

    # A later request's own clocks stop at its decision and at its notice.
    own: list[DeadlineKind] = list(transition.closes)
    if transition.decides:
        own += [DeadlineKind.GRANT_LIMIT, DeadlineKind.EVALUATE_MEASURES]
    if transition.notifies:
        own.append(DeadlineKind.NOTIFY_MEASURES)
    closed = close_deadlines(session, case, own, event=event, now=now, measure_id=measure.id)
    opened = open_deadlines(
        session,
        case,
        transition.opens,
        act_day=today,
        filing_day=today,
        calendar=calendar,
        measure_id=measure.id,
    )
    closed += _close_case_clocks(session, case, transition, event=event, now=now)
    forwardings = create_forwardings(
        session, case, transition.forwardings, officer=officer, event=event, now=now
    )
    refresh_next_deadline(session, case)
    case.updated_at = now
    _audit(
        session,
        case,
        measure,
        transition,
        officer=officer,
        event=event,
        now=now,
        opened=opened,
        closed=closed,
        forwarded=[f.destination.value for f in forwardings],
    )
    session.flush()
    return event


def _close_case_clocks(
    session: Session,
    case: Case,
    transition: MeasureTransition,
    *,
    event: CaseEvent,
    now: dt.datetime,
) -> list[Deadline]:
    """Stop case-level clocks this act completes (see the module docstring)."""
    session.flush()
    with_own_clocks = set(
        session.scalars(
            select(Deadline.measure_id).where(
                Deadline.case_id == case.id,
                Deadline.kind == DeadlineKind.NOTIFY_MEASURES,
                Deadline.measure_id.is_not(None),
            )
        ).all()
    )
    measures = [
        m
        for m in session.scalars(select(Measure).where(Measure.case_id == case.id)).all()
        if m.id not in with_own_clocks
    ]
    kinds: list[DeadlineKind] = []
    if transition.decides and not any(m.state in UNDECIDED_STATES for m in measures):
        kinds += [DeadlineKind.GRANT_LIMIT, DeadlineKind.EVALUATE_MEASURES]
    if transition.notifies and all(
        m.notified_at is not None or m.state is MeasureState.ARCHIVED for m in measures
    ):
        kinds.append(DeadlineKind.NOTIFY_MEASURES)
    return close_deadlines(session, case, kinds, event=event, now=now)
