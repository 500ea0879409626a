"""The details of a protection measure the office records once decided: the days it is in
force, its duration and, for a transfer, the unit the person is moved to (issue 12).

What is stored where follows docs/threat-model.md: the two days in force are clear columns
(`measures.in_force_from`, `in_force_until`) because clocks and statistics count them; the
duration as the resolution words it and the target unit of a transfer say where a person
works, so they are sealed to the office (`measures.details_sealed`, padded like every typed
text) and read only on the office's audited pages.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

import crypto
from core.errors import DomainError
from core.law.enums import MeasureType
from core.services.case_records import check_officer
from core.services.case_records import lock_case
from core.storage import audit
from core.storage.models import Measure
from core.storage.models import Officer
from core.storage.padding import pad_text
from core.storage.padding import unpad_text

MAX_TEXT = 300
TRANSFERS = frozenset({MeasureType.TRANSFER_COMPLAINANT, MeasureType.TRANSFER_REPORTED})


class DetailsRefused(DomainError):
    code = "measure_details_refused"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class MeasureDetails:
    in_force_from: dt.date | None
    in_force_until: dt.date | None
    duration: str
    target_unit: str


def record_details(
    session: Session,
    measure: Measure,
    *,
    officer: Officer,
    in_force_from: dt.date | None,
    in_force_until: dt.date | None,
    duration: str,
    target_unit: str,
    now: dt.datetime,
    office_recipients: Sequence[crypto.Recipient],
) -> None:
    """Record (or correct) the measure's details; the texts are sealed to the office."""
    case = measure.case
    check_officer(case, officer)
    duration, target_unit = duration.strip(), target_unit.strip()
    if len(duration) > MAX_TEXT or len(target_unit) > MAX_TEXT:
        raise DetailsRefused("measure_details_too_long", "A detail is too long.")
    if target_unit and measure.type not in TRANSFERS:
        raise DetailsRefused("target_unit_not_a_transfer", "Only a transfer has a target unit.")
    if in_force_from and in_force_until and in_force_until < in_force_from:
        raise DetailsRefused("in_force_until_before_from", "The measure ends before it starts.")
    if in_force_until and not in_force_from and not measure.in_force_from:
        raise DetailsRefused("in_force_from_required", "Give the day the measure starts.")
    if not office_recipients:
        raise ValueError("at least one office recipient is needed to seal the details")
    lock_case(session, case, now)
    if in_force_from is not None:
        measure.in_force_from = in_force_from
    measure.in_force_until = in_force_until
    if (
        measure.in_force_from
        and measure.in_force_until
        and measure.in_force_until < measure.in_force_from
    ):
        raise DetailsRefused("in_force_until_before_from", "The measure ends before it starts.")
    text = json.dumps({"duration": duration, "target_unit": target_unit}, ensure_ascii=False)
    measure.details_sealed = crypto.encrypt(pad_text(text), list(office_recipients))
    case.updated_at = now
    session.flush()
    audit.record(
        session,
        action="measure.details_recorded",
        officer_id=officer.id,
        entity_id=case.entity_id,
        case_id=case.id,
        detail={"measure": measure.id},  # no content: the texts stay sealed
        now=now,
    )


def read_details(measure: Measure, identities: Sequence[crypto.Identity]) -> MeasureDetails:
    """The measure's details, the sealed texts opened with the office identity."""
    texts = {"duration": "", "target_unit": ""}
    if measure.details_sealed is not None:
        value = json.loads(unpad_text(crypto.decrypt(measure.details_sealed, identities)))
        if isinstance(value, dict):
            texts.update({k: str(value.get(k) or "") for k in texts})
    return MeasureDetails(
        in_force_from=measure.in_force_from,
        in_force_until=measure.in_force_until,
        duration=texts["duration"],
        target_unit=texts["target_unit"],
    )
