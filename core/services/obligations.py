"""Two acts on the protected person's situation: a breach of their obligations (DL 13; RG 10.2)
and the end of the PAD, which ends the measures that last only while it lasts (RG 6.2).

Services take the session first, flush and never commit; both are recorded acts with their
reasoning sealed to the office.

- RG 10.2: when the protected person breaches their obligations (DL 13.1; RG 10.1), the OII
  sends the file to the Procurador Público and the Secretaría Técnica. Only a person granted
  measures is "protected" (DL 4.7), so the act needs a measure granted or in force. The
  suspension DL 13.2 allows is a separate RG 9 procedure (`start_suspension`), so the person
  can allege first [INF]. The complainant sees the act on the timeline [INF].
- RG 6.2, last paragraph: transfers, paid leave and attendance exemption are granted only while
  the PAD lasts. The head records the day the PAD ended (the STPAD tells the OII); every such
  measure still active ceases in the same act (ground "fin_pad"), and none can be granted after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from core.errors import CapabilityRequired
from core.errors import TransitionRefused
from core.law.calendar import BusinessCalendar
from core.law.calendar import local_day
from core.law.enums import Destination
from core.law.event_kinds import EventKind
from core.law.measures_workflow import ACTIVE_STATES
from core.law.measures_workflow import PAD_BOUND_MEASURES
from core.law.measures_workflow import ROLE_CAPABILITIES
from core.law.measures_workflow import Capability
from core.law.measures_workflow import CeaseGround
from core.law.measures_workflow import MeasureAct
from core.law.workflow import MAX_REASONING
from core.law.workflow import PlannedForwarding
from core.services.case_records import check_officer
from core.services.case_records import create_forwardings
from core.services.case_records import lock_case
from core.services.case_records import record_event
from core.services.measures import apply_measure_act
from core.storage import audit
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Measure
from core.storage.models import Officer

BREACH_FORWARDINGS = (
    PlannedForwarding(Destination.PROCURADURIA),
    PlannedForwarding(Destination.STPAD),
)


def _check_reasoning(reasoning: str) -> None:
    if not reasoning.strip():
        raise TransitionRefused("reasoning_required", "Every act needs its reasoning.")
    if len(reasoning) > MAX_REASONING:
        raise TransitionRefused("reasoning_too_long", "The reasoning is too long.")


def record_breach(
    session: Session,
    case: Case,
    *,
    officer: Officer,
    reasoning: str,
    now: dt.datetime,
    office_recipients: Sequence[crypto.Recipient],
) -> CaseEvent:
    """RG 10.2: the breach is recorded and the file goes to the Procuraduría and the STPAD."""
    check_officer(case, officer)
    lock_case(session, case, now)
    _check_reasoning(reasoning)
    protected = session.scalar(
        select(Measure.id)
        .where(Measure.case_id == case.id, Measure.state.in_(ACTIVE_STATES))
        .limit(1)
    )
    if protected is None:
        raise TransitionRefused(
            "not_protected",
            "Only a person granted measures has these obligations (DL 4.7, DL 13; RG 10).",
        )
    event = record_event(
        session,
        case,
        kind=EventKind.OBLIGATIONS_BREACHED,
        officer=officer,
        now=now,
        from_state=None,
        to_state=None,
        visible=True,
        data={},
        reasoning=reasoning,
        office_recipients=office_recipients,
    )
    forwardings = create_forwardings(
        session, case, BREACH_FORWARDINGS, officer=officer, event=event, now=now
    )
    audit.record(
        session,
        action="obligations.breached",
        officer_id=officer.id,
        entity_id=case.entity_id,
        case_id=case.id,
        now=now,
        detail={"event_id": event.id, "forwarded_to": [f.destination.value for f in forwardings]},
    )
    case.updated_at = now
    session.flush()
    return event


def record_pad_end(
    session: Session,
    case: Case,
    *,
    officer: Officer,
    ended_on: dt.date,
    reasoning: str,
    now: dt.datetime,
    calendar: BusinessCalendar,
    office_recipients: Sequence[crypto.Recipient],
) -> CaseEvent:
    """RG 6.2: record the PAD's end; the measures bounded by it cease in the same act."""
    check_officer(case, officer)
    lock_case(session, case, now)
    _check_reasoning(reasoning)
    if Capability.DECIDE_MEASURES not in ROLE_CAPABILITIES[officer.role]:
        raise CapabilityRequired("Only the head of the OII (or the MAA) ends measures.")
    if ended_on > local_day(now):
        raise TransitionRefused("pad_end_in_future", "The PAD's end cannot be a future day.")
    already = session.scalar(
        select(CaseEvent.id)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == EventKind.PAD_ENDED)
        .limit(1)
    )
    if already is not None:
        raise TransitionRefused("pad_end_recorded", "The PAD's end is already recorded.")
    event = record_event(
        session,
        case,
        kind=EventKind.PAD_ENDED,
        officer=officer,
        now=now,
        from_state=None,
        to_state=None,
        visible=False,
        data={"ended_on": ended_on.isoformat()},
        reasoning=reasoning,
        office_recipients=office_recipients,
    )
    audit.record(
        session,
        action="pad.ended",
        officer_id=officer.id,
        entity_id=case.entity_id,
        case_id=case.id,
        now=now,
        detail={"event_id": event.id, "ended_on": ended_on.isoformat()},
    )
    bounded = session.scalars(
        select(Measure)
        .where(
            Measure.case_id == case.id,
            Measure.type.in_(PAD_BOUND_MEASURES),
            Measure.state.in_(ACTIVE_STATES),
        )
        .order_by(Measure.id)
    ).all()
    for measure in bounded:
        apply_measure_act(
            session,
            measure,
            MeasureAct.CEASE,
            officer=officer,
            reasoning=reasoning,
            now=now,
            calendar=calendar,
            office_recipients=office_recipients,
            cease_ground=CeaseGround.PAD_ENDED,
        )
    case.updated_at = now
    session.flush()
    return event
