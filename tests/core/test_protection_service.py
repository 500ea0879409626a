"""One protection-request service whatever the source (issue 11 item 1; issue 12 defect 3).

Dates are hand-computed on Peru's business calendar (LPAG: day 1 is the first business day
after the request).
"""

from __future__ import annotations

import datetime as dt

import pytest
from case_builders import World
from case_builders import act
from case_builders import at_lima
from case_builders import file_case
from sqlalchemy import select

import crypto
from core.errors import TransitionRefused
from core.law.enums import CaseState
from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.enums import MeasureState
from core.law.enums import MeasureType
from core.law.enums import MessageKind
from core.law.enums import Modality
from core.law.workflow import Act
from core.services.protection import ProtectionSource
from core.services.protection import request_protection
from core.storage.models import Deadline
from core.storage.models import Forwarding
from core.storage.models import Measure
from core.storage.models import Message

K = DeadlineKind


def _clocks(w: World, measure_id: int) -> dict[DeadlineKind, dt.date]:
    rows = w.session.scalars(
        select(Deadline).where(Deadline.measure_id == measure_id, Deadline.satisfied_at.is_(None))
    ).all()
    return {d.kind: d.due_on for d in rows}


def _followup(w: World, case, when, *types: MeasureType):  # type: ignore[no-untyped-def]
    # The builders' cases carry a placeholder; a message is sealed to the complainant too.
    case.complainant_recipient = crypto.X25519Identity.generate().recipient().to_string()
    return request_protection(
        w.session,
        case,
        measure_types=types,
        source=ProtectionSource.FOLLOWUP,
        now=when,
        office_recipients=w.recipients,
        message="Medidas solicitadas: traslado.\n\nRiesgo: me cambiaron de turno.",
        calendar=w.calendar,
    )


def test_an_anonymous_request_is_a_request_not_only_a_message(world: World) -> None:
    """Issue 12, defect 3; RG 4.7, 4.10. An anonymous complaint filed Friday 13 November 2026
    without measures; on Monday 16 November the person asks for a transfer from the follow-up
    page. The case shows the request ("Solicita medidas: Sí"), the measure is recorded with
    its own clocks (evaluation Mon 23 Nov, notice Wed 25 Nov, limit Mon 7 Dec), and verifying
    the requirements on Tuesday 17 November moves the case to `en_evaluacion_medidas`, not
    `verificada`."""
    case = file_case(world, at_lima(2026, 11, 13), modality=Modality.ANONYMOUS)
    assert not case.protection_requested
    (measure,) = _followup(world, case, at_lima(2026, 11, 16), MeasureType.TRANSFER_COMPLAINANT)
    assert case.protection_requested
    assert measure.state is MeasureState.REQUESTED
    assert _clocks(world, measure.id) == {
        K.EVALUATE_MEASURES: dt.date(2026, 11, 23),
        K.NOTIFY_MEASURES: dt.date(2026, 11, 25),
        K.GRANT_LIMIT: dt.date(2026, 12, 7),
    }
    (message,) = world.session.scalars(select(Message).where(Message.case_id == case.id)).all()
    assert message.kind is MessageKind.PROTECTION_REQUEST
    act(world, case, Act.VERIFY_REQUIREMENTS, at_lima(2026, 11, 17))
    assert case.state is CaseState.EVALUATING_MEASURES


def test_the_copies_of_rg_4_3_are_sent_once_across_sources(world: World) -> None:
    """RG 4.3 with RG 4.10: a complaint filed with a protection request got its copies at
    filing; a later request from the follow-up page, then one an officer records, send none
    again."""
    case = file_case(world, at_lima(2026, 11, 13), protection=True)
    _followup(world, case, at_lima(2026, 11, 16), MeasureType.CONTRACT_RENEWAL)
    request_protection(
        world.session,
        case,
        measure_types=[MeasureType.TRANSFER_REPORTED],
        source=ProtectionSource.OFFICER,
        officer=world.officer,
        reasoning="Solicitud recibida por la STPAD (RG 4.10).",
        now=at_lima(2026, 11, 17),
        office_recipients=world.recipients,
        calendar=world.calendar,
    )
    destinations = sorted(
        f.destination
        for f in world.session.scalars(select(Forwarding).where(Forwarding.case_id == case.id))
    )
    assert destinations == [Destination.OCI, Destination.PROCURADURIA]


def test_a_request_names_its_source_honestly(world: World) -> None:
    case = file_case(world, at_lima(2026, 11, 13))
    with pytest.raises(TransitionRefused) as refused:
        request_protection(
            world.session,
            case,
            measure_types=[MeasureType.TRANSFER_COMPLAINANT],
            source=ProtectionSource.FOLLOWUP,
            officer=world.officer,
            now=at_lima(2026, 11, 16),
            office_recipients=world.recipients,
            message="Riesgo.",
        )
    assert refused.value.code == "wrong_source"
    with pytest.raises(TransitionRefused) as refused:
        _followup(world, case, at_lima(2026, 11, 16))
    assert refused.value.code == "measures_required"


def test_a_duplicated_measure_is_requested_once(world: World) -> None:
    case = file_case(world, at_lima(2026, 11, 13))
    t = MeasureType.TRANSFER_COMPLAINANT
    assert len(_followup(world, case, at_lima(2026, 11, 16), t, t)) == 1


def test_a_measure_asked_twice_is_one_request_with_one_set_of_clocks(world: World) -> None:
    """RG 4.10: a form sent twice (or a measure asked again while pending) records nothing new;
    a new measure in the same request is still recorded."""
    case = file_case(world, at_lima(2026, 11, 13))
    _followup(world, case, at_lima(2026, 11, 16), MeasureType.TRANSFER_COMPLAINANT)
    with pytest.raises(TransitionRefused) as refused:
        _followup(world, case, at_lima(2026, 11, 16), MeasureType.TRANSFER_COMPLAINANT)
    assert refused.value.code == "already_requested"
    (added,) = _followup(
        world,
        case,
        at_lima(2026, 11, 17),
        MeasureType.TRANSFER_COMPLAINANT,
        MeasureType.CONTRACT_RENEWAL,
    )
    assert added.type is MeasureType.CONTRACT_RENEWAL
    types = sorted(m.type for m in world.session.scalars(select(Measure)))
    assert types == [MeasureType.CONTRACT_RENEWAL, MeasureType.TRANSFER_COMPLAINANT]
