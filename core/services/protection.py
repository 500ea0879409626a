"""One protection-request service whatever the source (issue 11 item 1; docs/workflow.md).

A protection request reaches the office three ways: with the filing (the intake), later from
the complainant's follow-up page, or recorded by an officer (RG 4.10 during the PAD; DL 10
for third persons). Each goes through `request_protection`, which records every measure with
`core.services.measure_requests.request_measure` (the clocks of RG 4.7, 5.1 and 6, the RG 4.3 copies
once, the case's "protection requested" mark) and, for the follow-up page, the complainant's
sealed message that carries the risk they describe.

The complaint's modality does not matter: an anonymous complainant's request is recorded and
evaluated like any other (issue 12, defect 3). The law does not bar it; whether a labour
measure can be executed without knowing who the complainant is, is for the head to weigh in
the decision, and the office may ask them, through the follow-up messages, to identify
themselves [INF] (research: "Can an anonymous filer get protection measures?").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from core.errors import TransitionRefused
from core.law.calendar import BusinessCalendar
from core.law.enums import Beneficiary
from core.law.enums import MeasureType
from core.law.enums import MessageDirection
from core.law.enums import MessageKind
from core.law.measures_workflow import ACTIVE_STATES
from core.law.measures_workflow import UNDECIDED_STATES
from core.services.measure_requests import request_measure
from core.services.messages import post_message
from core.storage.models import Case
from core.storage.models import Measure
from core.storage.models import Officer


class ProtectionSource(StrEnum):
    FILING = "filing"  # with the complaint (RG 4.3)
    FOLLOWUP = "followup"  # the complainant, later, from the follow-up page (RG 4.10)
    OFFICER = "officer"  # recorded by an officer (RG 4.10; DL 10)


# The reasoning sealed with a request nobody at the office wrote.
REASONING = {
    ProtectionSource.FILING: "Solicitada por el denunciante al presentar la denuncia.",
    ProtectionSource.FOLLOWUP: "Solicitada por el denunciante desde el seguimiento.",
}


def request_protection(
    session: Session,
    case: Case,
    *,
    measure_types: Sequence[MeasureType],
    source: ProtectionSource,
    now: dt.datetime,
    office_recipients: Sequence[crypto.Recipient],
    officer: Officer | None = None,
    beneficiary: Beneficiary = Beneficiary.COMPLAINANT,
    reasoning: str = "",
    message: str = "",
    calendar: BusinessCalendar | None = None,
) -> list[Measure]:
    """Record a protection request for `measure_types` (each once, in the order given).

    `message` (follow-up only) is the complainant's own text (the measures and the risk); it is
    sealed to the office and to the complainant like every message. Raises TransitionRefused
    when the source and the officer do not match or nothing was asked for.
    """
    types = list(dict.fromkeys(measure_types))
    if not types:
        raise TransitionRefused("measures_required", "Name at least one measure.")
    if beneficiary is Beneficiary.COMPLAINANT:
        # Sent again (a double submission, or asked once more while pending): each measure is
        # requested once; only the new ones are recorded.
        live = set(
            session.scalars(
                select(Measure.type).where(
                    Measure.case_id == case.id,
                    Measure.beneficiary == Beneficiary.COMPLAINANT,
                    Measure.state.in_(UNDECIDED_STATES | ACTIVE_STATES),
                )
            )
        )
        types = [t for t in types if t not in live]
        if not types:
            raise TransitionRefused(
                "already_requested", "Every measure named is already requested or in force."
            )
    if (source is ProtectionSource.OFFICER) != (officer is not None):
        raise TransitionRefused(
            "wrong_source", "Only a request recorded by an officer names an officer."
        )
    if source is ProtectionSource.FOLLOWUP and not message.strip():
        raise TransitionRefused("risk_required", "Describe the risk.")
    why = reasoning if source is ProtectionSource.OFFICER else REASONING[source]
    measures = [
        request_measure(
            session,
            case,
            measure_type=measure_type,
            beneficiary=beneficiary,
            officer=officer,
            reasoning=why,
            now=now,
            office_recipients=office_recipients,
            calendar=calendar,
            with_filing=source is ProtectionSource.FILING,
        )
        for measure_type in types
    ]
    if source is ProtectionSource.FOLLOWUP:
        post_message(
            session,
            case,
            direction=MessageDirection.FROM_COMPLAINANT,
            kind=MessageKind.PROTECTION_REQUEST,
            body=message,
            officer_id=None,
            now=now,
        )
    return measures
