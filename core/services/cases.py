"""Case services: apply workflow acts, keep statutory clocks, list what is due.

Services take the session first, flush and never commit (docs/architecture.md). The workflow
itself is the pure table in `core.law.workflow`; these functions read the facts it needs, record
what it returns and leave an audit entry for every act. The building blocks they record with
(events, clocks, forwardings, assignment, the case lock, the entity's calendar) are
`core.services.case_records`, shared with the measure and bad-faith services.

Clocks: a Deadline row stops only when an act is recorded (`satisfied_at` and
`satisfied_by_event_id`), never because the case happens to be in some state. New clocks use
the rules of the case's regime, fixed at filing (`core.law.regime`): a clock opened after a
reform still follows the regime the case was filed under, unless the reform's own transitional
provision takes pending cases over. Periods already running keep their stored due date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from collections.abc import Sequence

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from core.errors import TransitionRefused
from core.law.calendar import BusinessCalendar
from core.law.calendar import local_day
from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.enums import MeasureState
from core.law.measures_workflow import UNDECIDED_STATES
from core.law.measures_workflow import MeasureAct
from core.law.measures_workflow import MeasureFacts
from core.law.measures_workflow import MeasureInputs
from core.law.measures_workflow import plan_measure_act
from core.law.workflow import Act
from core.law.workflow import ActInputs
from core.law.workflow import CaseFacts
from core.law.workflow import RequirementItem
from core.law.workflow import forwarding_key
from core.law.workflow import plan_act
from core.law.workflow import plan_registration
from core.services.case_records import _DESTINATIONS
from core.services.case_records import _open_kinds
from core.services.case_records import case_regime
from core.services.case_records import check_officer
from core.services.case_records import close_deadlines
from core.services.case_records import create_forwardings
from core.services.case_records import lock_case
from core.services.case_records import open_deadlines
from core.services.case_records import record_event
from core.services.case_records import refresh_next_deadline
from core.storage import audit
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Deadline
from core.storage.models import Measure
from core.storage.models import Officer

# Sealed into the event like any reasoning and shown to officers as written: Spanish, the
# language of the file (the law's vocabulary), like the reasoning officers type.
# core.services.messages records a complainant's answer to a subsanación request as this event.
SUBSANACION_ANSWER_EVENT = "subsanacion_response"
# core.services.subsanacion records the complainant's first opening of a subsanación request
# (the notification received, RG 4.4) as this event; their term runs from that day.
SUBSANACION_NOTICE_OPENED_EVENT = "subsanacion_notice_opened"
SYSTEM_REASONING_AT_FILING = "Acto automático al registrar la denuncia (RG 4.1-4.3)."


# --- facts -------------------------------------------------------------------------------------


def _event_after(session: Session, case: Case, kind: str, event: CaseEvent | None) -> bool:
    """Whether an event of `kind` was recorded on `case` after `event` (False without one)."""
    if event is None:
        return False
    found = session.scalar(
        select(CaseEvent.id)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == kind, CaseEvent.id > event.id)
        .limit(1)
    )
    return found is not None


def case_facts(session: Session, case: Case, *, today: dt.date) -> CaseFacts:
    """What the workflow needs about `case`, read from its rows."""
    subsanacion = session.scalars(
        select(Deadline)
        .where(
            Deadline.case_id == case.id,
            Deadline.kind == DeadlineKind.SUBSANACION,
            Deadline.measure_id.is_(None),
        )
        .order_by(Deadline.id.desc())
        .limit(1)
    ).first()
    request = session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == f"case.{Act.REQUEST_SUBSANACION}")
        .order_by(CaseEvent.id.desc())
        .limit(1)
    ).first()
    missing = frozenset(
        RequirementItem(int(i)) for i in (request.data.get("missing_items", []) if request else [])
    )
    answered = _event_after(session, case, SUBSANACION_ANSWER_EVENT, request)
    # RG 4.4: the term runs from the notification, recorded when the complainant first opens
    # the request; before that there is no due day and withdrawal cannot be declared.
    notified = _event_after(session, case, SUBSANACION_NOTICE_OPENED_EVENT, request)
    evaluation = session.scalars(
        select(Deadline.due_on)
        .where(
            Deadline.case_id == case.id,
            Deadline.kind == DeadlineKind.EVALUATE_MEASURES,
            Deadline.measure_id.is_(None),
        )
        .order_by(Deadline.id.desc())
        .limit(1)
    ).first()
    undecided = session.scalar(
        select(func.count(Measure.id)).where(
            Measure.case_id == case.id, Measure.state.in_(UNDECIDED_STATES)
        )
    )
    sent_kinds = [f"case.{a}" for a in (Act.FORWARD, Act.FORWARD_RESERVE_ONLY, Act.REFER_ARCHIVED)]
    forwarded_to = frozenset(
        forwarding_key(Destination(data["destination"]), str(data.get("destination_name", "")))
        for data in session.scalars(
            select(CaseEvent.data).where(
                CaseEvent.case_id == case.id, CaseEvent.kind.in_(sent_kinds)
            )
        ).all()
        if isinstance(data, dict) and data.get("destination") in _DESTINATIONS
    )
    # A withdrawal that forwarded the complaint to the STPAD (RG 4.5, 4.6) sent it there too.
    withdrawals = session.scalars(
        select(CaseEvent.data).where(
            CaseEvent.case_id == case.id, CaseEvent.kind == f"case.{Act.DECLARE_WITHDRAWAL}"
        )
    ).all()
    if any(isinstance(d, dict) and d.get("forwarded_to_stpad") is True for d in withdrawals):
        forwarded_to |= {forwarding_key(Destination.STPAD)}
    return CaseFacts(
        state=case.state,
        forwarded_to=forwarded_to,
        today=today,
        modality=case.modality,
        protection_requested=case.protection_requested,
        reserve_only=case.reserve_only,
        subsanacion_due=subsanacion.due_on if (subsanacion and notified) else None,
        subsanacion_answered=answered,
        missing_items=missing,
        measures_undecided=int(undecided or 0),
        evaluation_due=evaluation,
        open_deadlines=_open_kinds(session, case),
    )


def registration_facts(case: Case, opened: Sequence[Deadline], *, today: dt.date) -> CaseFacts:
    """What `case_facts` reads for a case just registered, from what its registration wrote:
    the `opened` clocks and nothing else (no subsanación, measure, forwarding act or
    withdrawal yet; the registration's automatic copies are not forwarding acts)."""
    evaluation = [
        d.due_on
        for d in opened
        if d.kind == DeadlineKind.EVALUATE_MEASURES and d.measure_id is None
    ]
    return CaseFacts(
        state=case.state,
        forwarded_to=frozenset(),
        today=today,
        modality=case.modality,
        protection_requested=case.protection_requested,
        reserve_only=case.reserve_only,
        subsanacion_due=None,
        subsanacion_answered=False,
        missing_items=frozenset(),
        measures_undecided=0,
        evaluation_due=evaluation[-1] if evaluation else None,
        open_deadlines=frozenset(d.kind for d in opened if d.satisfied_at is None),
    )


# --- acts --------------------------------------------------------------------------------------


def apply_act(
    session: Session,
    case: Case,
    act: Act,
    *,
    officer: Officer | None,
    reasoning: str,
    now: dt.datetime,
    calendar: BusinessCalendar,
    office_recipients: Sequence[crypto.Recipient],
    destination: Destination | None = None,
    destination_name: str = "",
    missing_items: Iterable[RequirementItem | int] = (),
    forward_to_stpad: bool = False,
    queja_reclamo: bool = False,
    notice: str | None = None,
) -> CaseEvent:
    """Record `act` on `case` if the workflow allows it; raise TransitionRefused otherwise.

    `officer=None` records an automatic act of the system (at filing). The reasoning is sealed
    to `office_recipients`; the service never needs a private key.
    """
    check_officer(case, officer)
    lock_case(session, case, now)
    facts = case_facts(session, case, today=local_day(now))
    inputs = ActInputs(
        reasoning=reasoning,
        destination=destination,
        destination_name=destination_name,
        missing_items=frozenset(RequirementItem(int(i)) for i in missing_items),
        forward_to_stpad=forward_to_stpad,
        queja_reclamo=queja_reclamo,
    )
    return _record_act(
        session,
        case,
        act,
        facts,
        inputs,
        officer=officer,
        now=now,
        calendar=calendar,
        office_recipients=office_recipients,
        notice=notice,
    )


def _record_act(
    session: Session,
    case: Case,
    act: Act,
    facts: CaseFacts,
    inputs: ActInputs,
    *,
    officer: Officer | None,
    now: dt.datetime,
    calendar: BusinessCalendar,
    office_recipients: Sequence[crypto.Recipient],
    notice: str | None = None,
) -> CaseEvent:
    """apply_act once the case is locked and its facts are read."""
    today = local_day(now)
    regime = case_regime(case, today)
    if not inputs.missing_items <= regime.requirement_items:
        raise TransitionRefused(
            "requirement_item_not_in_regime",
            f"The regime {regime.id} has no such requirement item.",
        )
    transition = plan_act(facts, act, inputs, regime.case_table)

    event = record_event(
        session,
        case,
        kind=f"case.{act}",
        officer=officer,
        now=now,
        from_state=transition.from_state.value,
        to_state=transition.to_state.value,
        visible=transition.complainant_visible,
        data=dict(transition.data),
        reasoning=inputs.reasoning,
        office_recipients=office_recipients,
        notice=notice,
    )
    case.state = transition.to_state
    closed = close_deadlines(session, case, transition.closes, event=event, now=now)
    opened = open_deadlines(
        session, case, transition.opens, act_day=today, filing_day=today, calendar=calendar
    )
    # The complainant's subsanación term is not known yet: it runs from the day they open the
    # request (core.services.subsanacion), whose event carries the day to answer by.
    forwardings = create_forwardings(
        session, case, transition.forwardings, officer=officer, event=event, now=now
    )
    archived = (
        archive_undecided_measures(session, case, officer=officer, event=event, now=now)
        if transition.archives_measures
        else []
    )
    refresh_next_deadline(session, case)
    case.updated_at = now
    audit.record(
        session,
        action=f"case.{act}",
        officer_id=officer.id if officer else None,
        entity_id=case.entity_id,
        case_id=case.id,
        now=now,
        detail={
            "event_id": event.id,
            "from": transition.from_state.value,
            "to": transition.to_state.value,
            "opened": [d.kind.value for d in opened],
            "closed": [d.kind.value for d in closed],
            "forwarded_to": [f.destination.value for f in forwardings],
            "archived_measures": archived,
            **transition.data,
        },
    )
    session.flush()
    return event


def archive_undecided_measures(
    session: Session,
    case: Case,
    *,
    officer: Officer | None,
    event: CaseEvent,
    now: dt.datetime,
) -> list[int]:
    """DL 8.1: withdrawal archives the protection requests not yet decided (same event)."""
    archived: list[int] = []
    table = case_regime(case, local_day(now)).measure_table
    for measure in case.measures:
        if measure.state not in UNDECIDED_STATES:
            continue
        plan_measure_act(
            MeasureFacts(state=measure.state, measure_type=measure.type),
            MeasureAct.ARCHIVE,
            MeasureInputs(reasoning="desistimiento (DL 8.1)"),
            table,
        )
        measure.state = MeasureState.ARCHIVED
        measure.decided_at = now
        # Every clock of the archived request stops here: its HR report and, for a request
        # recorded after filing, its own evaluation, notification and grant-limit clocks.
        close_deadlines(
            session,
            case,
            list(DeadlineKind),
            event=event,
            now=now,
            measure_id=measure.id,
        )
        archived.append(measure.id)
    session.flush()
    return archived


def register_case_deadlines(
    session: Session,
    case: Case,
    calendar: BusinessCalendar,
    now: dt.datetime,
    *,
    facts_missing: bool = False,
    office_recipients: Sequence[crypto.Recipient] | None = None,
) -> list[CaseEvent]:
    """Clocks, automatic copies and the automatic first act for a new filing.

    Opens the verification clock (and, with a protection request, the notification and grant
    limit clocks, copying the complaint to the OCI and the Procuraduría unless the facts are
    missing, RG 4.3); a reserve-only complaint goes to the STPAD at once (RG 4.2). Returns the
    events recorded. Recipients default to the entity's office recipient (the intake has it).
    """
    recipients = (
        list(office_recipients)
        if office_recipients is not None
        else [crypto.parse_recipient(case.entity.office_recipient)]
    )
    # A complaint received by another channel counts from the day it reached the office
    # (core.services.channels), not from the day an officer registered it.
    filing_day = case.received_on or local_day(case.filed_at)
    plan = plan_registration(
        protection_requested=case.protection_requested,
        reserve_only=case.reserve_only,
        facts_missing=facts_missing,
    )
    event = record_event(
        session,
        case,
        kind="case.registered",
        officer=None,
        now=now,
        from_state=None,
        to_state=case.state.value,
        visible=True,
        data={
            "protection_requested": case.protection_requested,
            "reserve_only": case.reserve_only,
            "copies": [f.destination.value for f in plan.forwardings],
        },
        reasoning=None,
        office_recipients=recipients,
    )
    opened = open_deadlines(
        session, case, plan.opens, act_day=filing_day, filing_day=filing_day, calendar=calendar
    )
    copies = create_forwardings(session, case, plan.forwardings, officer=None, event=event, now=now)
    # The case's next-deadline columns are refreshed once, by the first act below.
    audit.record(
        session,
        action="case.registered",
        entity_id=case.entity_id,
        case_id=case.id,
        now=now,
        detail={
            "event_id": event.id,
            "opened": [d.kind.value for d in opened],
            "copies": [f.destination.value for f in copies],
        },
    )
    # The case was created in this transaction: nobody else can act on it before the commit
    # (no lock to take), and what the workflow needs is what was just written (no reads).
    follow_up = _record_act(
        session,
        case,
        plan.next_act,
        registration_facts(case, opened, today=local_day(now)),
        ActInputs(reasoning=SYSTEM_REASONING_AT_FILING),
        officer=None,
        now=now,
        calendar=calendar,
        office_recipients=recipients,
    )
    return [event, follow_up]


# --- due / overdue view ------------------------------------------------------------------------
