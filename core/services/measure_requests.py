"""Requesting a protection measure: at filing, later in the procedure or the PAD, or for a
third person (DL 8, DL 10; RG 4.10, RG 5).

A measure requested after filing and recorded by an officer gets its own evaluation,
notification and grant-limit clocks counted from the request day ([INF] RG 4.10 sends such
requests through RG arts 4-5); only the notification clock when it is in force on request
(identity reserve). Identity reserve is in force at once (RG 5.2). What happens to a measure
after it is requested is core.services.measures. Flushes, never commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from core.errors import TransitionRefused
from core.law.calendar import BusinessCalendar
from core.law.calendar import local_day
from core.law.enums import Beneficiary
from core.law.enums import CaseState
from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.enums import MeasureType
from core.law.measures_workflow import ACTIVE_STATES
from core.law.measures_workflow import UNDECIDED_STATES
from core.law.measures_workflow import MeasureAct
from core.law.measures_workflow import MeasureFacts
from core.law.measures_workflow import MeasureInputs
from core.law.measures_workflow import plan_measure_act
from core.law.workflow import PlannedForwarding
from core.services.case_records import calendar_for
from core.services.case_records import case_regime
from core.services.case_records import check_officer
from core.services.case_records import create_forwardings
from core.services.case_records import lock_case
from core.services.case_records import open_deadlines
from core.services.case_records import record_event
from core.services.case_records import refresh_next_deadline
from core.services.measures import PROTECTING
from core.services.measures import _audit
from core.storage.models import BadFaithProcedure
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Deadline
from core.storage.models import Forwarding
from core.storage.models import Measure
from core.storage.models import Officer

_LATER_REQUEST_CLOCKS = (
    DeadlineKind.EVALUATE_MEASURES,
    DeadlineKind.NOTIFY_MEASURES,
    DeadlineKind.GRANT_LIMIT,
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
