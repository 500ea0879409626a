"""Measure details (issue 12): the days in force in clear (clocks and statistics count them),
the duration and a transfer's target unit sealed to the office (docs/threat-model.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from case_factory import make_case
from factories import make_entity
from factories import make_officer
from sqlalchemy import select

import crypto
from core.law.enums import MeasureType
from core.law.enums import Role
from core.services import measure_details
from core.storage.db import utcnow
from core.storage.models import AuditEntry

UNIT = "Sede Regional Piura, Oficina de Abastecimiento"


def _measure(db_session, settings, measure_type):  # type: ignore[no-untyped-def]
    ent = make_entity(db_session, settings)
    filed = make_case(db_session, settings, ent, protection=(measure_type,))
    head = make_officer(db_session, settings, ent, username="jefa.det", role=Role.HEAD).officer
    office = [crypto.parse_recipient(ent.entity.office_recipient)]
    return ent, filed.case.measures[0], head, office


def test_dates_clear_texts_sealed_and_the_office_reads_them(db_session, settings):
    ent, measure, head, office = _measure(db_session, settings, MeasureType.TRANSFER_COMPLAINANT)
    measure_details.record_details(
        db_session, measure, officer=head,
        in_force_from=dt.date(2026, 4, 1), in_force_until=dt.date(2026, 9, 30),
        duration="Seis meses, renovables", target_unit=UNIT,
        now=utcnow(), office_recipients=office,
    )  # fmt: skip
    assert (measure.in_force_from, measure.in_force_until) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 9, 30),
    )
    assert measure.details_sealed is not None
    assert UNIT.encode() not in measure.details_sealed  # invariant 1
    details = measure_details.read_details(measure, [ent.office])
    assert (details.duration, details.target_unit) == ("Seis meses, renovables", UNIT)
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "measure.details_recorded")
    ).one()
    assert "Piura" not in entry.detail and entry.officer_id == head.id


@pytest.mark.parametrize(
    ("measure_type", "kwargs", "code"),
    [
        (MeasureType.IDENTITY_RESERVE, {"target_unit": UNIT}, "target_unit_not_a_transfer"),
        (
            MeasureType.TRANSFER_COMPLAINANT,
            {"in_force_from": dt.date(2026, 4, 2), "in_force_until": dt.date(2026, 4, 1)},
            "in_force_until_before_from",
        ),
        (
            MeasureType.TRANSFER_COMPLAINANT,
            {"duration": "x" * 301},
            "measure_details_too_long",
        ),
        (
            MeasureType.TRANSFER_COMPLAINANT,
            {"in_force_until": dt.date(2026, 4, 1)},
            "in_force_from_required",
        ),
    ],
)
def test_details_that_make_no_sense_are_refused(db_session, settings, measure_type, kwargs, code):
    _ent, measure, head, office = _measure(db_session, settings, measure_type)
    values = {"in_force_from": None, "in_force_until": None, "duration": "", "target_unit": ""}
    values.update(kwargs)
    with pytest.raises(measure_details.DetailsRefused) as refused:
        measure_details.record_details(
            db_session, measure, officer=head, now=utcnow(), office_recipients=office, **values
        )
    assert refused.value.code == code
    assert measure.details_sealed is None
