"""Protection-measure services: request, HR report, decisions, notice, variation/suspension/
cessation procedures (docs/workflow.md).

Services take the session first, flush and never commit. The lifecycle is the pure table in
`core.law.measures_workflow`; acts that need the head role are checked here against the officer.

Case-level clocks follow the measures: when no requested measure is left undecided, the
grant limit (RG 6) and the evaluation clock (RG 4.7) stop at that act; when every measure has
been notified (or archived), the notification clock (RG 5.1) stops at that act.

A measure requested after filing and recorded by an officer (during the procedure or the
PAD, RG 4.10; extension to third persons, DL 10) gets its own evaluation, notification and
grant-limit clocks counted from the request day ([INF] RG 4.10 sends such requests through
RG arts 4-5); only the notification clock when it is in force on request (identity reserve).
Those measures are then left out of the case-level checks above.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from core.errors import CapabilityRequired
from core.errors import TransitionRefused
from core.law.calendar import BusinessCalendar
from core.law.calendar import local_day
from core.law.enums import BadFaithType
from core.law.enums import Beneficiary
from core.law.enums import CaseState
from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.enums import MeasureState
from core.law.enums import MeasureType
from core.law.event_kinds import EventKind
from core.law.measures_workflow import ACTIVE_STATES
from core.law.measures_workflow import ROLE_CAPABILITIES
from core.law.measures_workflow import UNDECIDED_STATES
from core.law.measures_workflow import CeaseGround
from core.law.measures_workflow import Criterion
from core.law.measures_workflow import MeasureAct
from core.law.measures_workflow import MeasureFacts
from core.law.measures_workflow import MeasureInputs
from core.law.measures_workflow import MeasureTransition
from core.law.measures_workflow import plan_measure_act
from core.law.workflow import PlannedForwarding
from core.services.cases import calendar_for
from core.services.cases import case_regime
from core.services.cases import check_officer
from core.services.cases import close_deadlines
from core.services.cases import create_forwardings
from core.services.cases import lock_case
from core.services.cases import open_deadlines
from core.services.cases import record_event
from core.services.cases import refresh_next_deadline
from core.storage import audit
from core.storage.models import BadFaithProcedure
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Deadline
from core.storage.models import Forwarding
from core.storage.models import Measure
from core.storage.models import Officer

# States in which the measure protects: the day it enters one of them is `in_force_from`.
PROTECTING = frozenset({MeasureState.IN_FORCE, MeasureState.VARIED})
ENDED = frozenset({MeasureState.CEASED, MeasureState.EXCLUDED})
_LATER_REQUEST_CLOCKS = (
    DeadlineKind.EVALUATE_MEASURES,
    DeadlineKind.NOTIFY_MEASURES,
    DeadlineKind.GRANT_LIMIT,
)


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


# RG 4.3: a complaint with a protection request is copied to the OCI and the Procuraduría.
COPY_DESTINATIONS = (Destination.OCI, Destination.PROCURADURIA)


def _copy_later_request(
    session: Session,
    case: Case,
    measure_type: MeasureType,
    *,
    officer: Officer | None,
    event: CaseEvent,
    now: dt.datetime,
) -> None:
    """A protection request made after filing (RG 4.10) gets the copies RG 4.3 gives one made
    with it, unless they were already sent. Identity reserve alone sends none (RG 4.2)."""
    if measure_type is MeasureType.IDENTITY_RESERVE:
        return
    sent = set(
        session.scalars(
            select(Forwarding.destination).where(
                Forwarding.case_id == case.id, Forwarding.destination.in_(COPY_DESTINATIONS)
            )
        )
    )
    planned = [PlannedForwarding(d, is_copy=True) for d in COPY_DESTINATIONS if d not in sent]
    if planned:
        create_forwardings(session, case, planned, officer=officer, event=event, now=now)
        event.data = {**(event.data or {}), "copies": [p.destination.value for p in planned]}


def request_measure(
    session: Session,
    case: Case,
    *,
    measure_type: MeasureType,
    beneficiary: Beneficiary = Beneficiary.COMPLAINANT,
    officer: Officer | None,
    reasoning: str,
    now: dt.datetime,
    office_recipients: Sequence[crypto.Recipient],
    calendar: BusinessCalendar | None = None,
    with_filing: bool = False,
) -> Measure:
    """Record a protection request, whoever makes it (RG 4.10, DL 10): with the filing
    (`with_filing=True`, by the intake), later by the complainant from the follow-up page
    (`officer=None`), or recorded by an officer.

    Identity reserve for the complainant or a witness is in force at once (RG 5.2). A request
    made with the filing is covered by the filing's clocks and copies
    (`core.services.cases.register_case_deadlines`); any later one opens its own clocks on
    `calendar` (default: the entity's) and sends the RG 4.3 copies once (docs/workflow.md).
    """
    check_officer(case, officer)
    lock_case(session, case, now)
    if case.state is CaseState.ARCHIVED_WITHDRAWAL:
        raise TransitionRefused(
            "case_archived", "The complaint was archived by desistimiento (DL 8.1)."
        )
    if beneficiary is not Beneficiary.WITNESS and session.scalar(
        select(BadFaithProcedure.id)
        .where(BadFaithProcedure.case_id == case.id, BadFaithProcedure.upheld.is_(True))
        .limit(1)
    ):
        # DL 14: bad faith upheld excludes the person from the measures [INF: later ones too].
        raise TransitionRefused(
            "excluded_for_bad_faith", "The complainant was excluded for bad faith (DL 14)."
        )
    if beneficiary is Beneficiary.COMPLAINANT and session.scalar(
        select(Measure.id)
        .where(
            Measure.case_id == case.id,
            Measure.type == measure_type,
            Measure.beneficiary == Beneficiary.COMPLAINANT,
            Measure.state.in_(UNDECIDED_STATES | ACTIVE_STATES),
        )
        .limit(1)
    ):
        # The same measure asked twice (a double submission, a form sent again) is one request
        # with one set of clocks; witnesses and third persons may be several people.
        raise TransitionRefused(
            "already_requested", "This measure is already requested or in force."
        )
    today = local_day(now)
    regime = case_regime(case, today)
    if measure_type not in regime.measure_types:
        raise TransitionRefused(
            "measure_type_not_in_regime",
            f"The regime {regime.id} the complaint was filed under has no such measure.",
        )
    facts = MeasureFacts(
        state=None, measure_type=measure_type, beneficiary=beneficiary, today=today
    )
    transition = plan_measure_act(
        facts, MeasureAct.REQUEST, MeasureInputs(reasoning=reasoning), regime.measure_table
    )
    measure = Measure(
        case_id=case.id,
        type=measure_type,
        beneficiary=beneficiary,
        state=transition.to_state,
        requested_at=now,
        in_force_from=today if transition.to_state in PROTECTING else None,
    )
    session.add(measure)
    # Whoever asks, and whatever the modality, the case now shows the request, and verifying
    # the requirements leads to the evaluation of measures (RG 4.7; issue 12, defect 3).
    case.protection_requested = True
    session.flush()
    event = record_event(
        session,
        case,
        kind=f"measure.{MeasureAct.REQUEST}",
        officer=officer,
        now=now,
        from_state=None,
        to_state=transition.to_state.value,
        visible=transition.complainant_visible,
        data={**transition.data, "beneficiary": beneficiary.value},
        reasoning=reasoning,
        office_recipients=office_recipients,
        measure_id=measure.id,
    )
    opened: list[Deadline] = []
    if not with_filing:
        if calendar is None:
            calendar = calendar_for(session, case.entity)
        kinds = (
            (DeadlineKind.NOTIFY_MEASURES,)
            if transition.to_state in PROTECTING
            else _LATER_REQUEST_CLOCKS
        )
        opened = open_deadlines(
            session,
            case,
            kinds,
            act_day=today,
            filing_day=today,
            calendar=calendar,
            measure_id=measure.id,
        )
        refresh_next_deadline(session, case)
        _copy_later_request(session, case, measure_type, officer=officer, event=event, now=now)
    _audit(
        session,
        case,
        measure,
        transition,
        officer=officer,
        event=event,
        now=now,
        opened=opened,
        closed=[],
        forwarded=[],
    )
    return measure


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
