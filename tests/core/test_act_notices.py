"""The text an act tells the complainant (issue 12): sealed to the office and the complainant,
apart from the internal reasoning, which stays sealed to the office alone."""

from __future__ import annotations

import pytest
from case_factory import make_case
from factories import make_entity
from factories import make_officer
from sqlalchemy.orm import Session

import crypto
from core.law.enums import MeasureType
from core.law.enums import Role
from core.law.measures_workflow import MeasureAct
from core.law.workflow import Act
from core.services import notices
from core.services.case_records import calendar_for
from core.services.cases import apply_act
from core.services.measures import apply_measure_act
from core.services.receipt_keys import complainant_identity
from core.storage.db import utcnow
from core.storage.padding import unpad_text

REASONING = "Nota interna: el denunciado es pariente del gerente."
NOTICE = "Falta el nombre o el cargo del denunciado. Si no responde a tiempo, se archiva."


def _filed(db_session: Session, settings, **overrides):  # type: ignore[no-untyped-def]
    ent = make_entity(db_session, settings)
    filed = make_case(db_session, settings, ent, **overrides)
    return ent, filed, complainant_identity(filed.case, filed.code, settings)


def _office(case):  # type: ignore[no-untyped-def]
    return [crypto.parse_recipient(case.entity.office_recipient)]


def _request(db_session: Session, case, notice: str):  # type: ignore[no-untyped-def]
    """The subsanación request (RG 4.4) with `notice` for the complainant."""
    return apply_act(
        db_session,
        case,
        Act.REQUEST_SUBSANACION,
        officer=None,
        reasoning=REASONING,
        now=utcnow(),
        calendar=calendar_for(db_session, case.entity),
        office_recipients=_office(case),
        missing_items=[2],
        notice=notice,
    )


def test_the_complainant_opens_the_notice_and_never_the_reasoning(db_session, settings):
    ent, filed, mine = _filed(db_session, settings)
    case = filed.case
    event = _request(db_session, case, NOTICE)
    db_session.flush()
    assert event.notice_sealed is not None
    assert NOTICE.encode() not in event.notice_sealed  # sealed, never in clear (invariant 1)
    assert notices.read_notice(event, [mine]) == NOTICE
    assert notices.read_notice(event, [ent.office]) == NOTICE
    # The reasoning is sealed to the office only: the complainant's identity cannot open it.
    assert event.reasoning_sealed is not None
    with pytest.raises(crypto.AgeError):
        crypto.decrypt(event.reasoning_sealed, [mine])
    assert unpad_text(crypto.decrypt(event.reasoning_sealed, [ent.office])) == REASONING


def test_an_act_without_a_notice_stores_none(db_session, settings):
    _ent, filed, mine = _filed(db_session, settings)
    case = filed.case
    event = _request(db_session, case, "   ")
    assert event.notice_sealed is None
    assert notices.read_notice(event, [mine]) is None


def test_a_notice_is_refused_on_an_act_the_complainant_does_not_see(db_session, settings):
    ent, filed, _mine = _filed(db_session, settings, protection=(MeasureType.TRANSFER_COMPLAINANT,))
    head = make_officer(db_session, settings, ent, username="jefa.notices", role=Role.HEAD)
    (measure,) = filed.case.measures
    # Denying is internal until the complainant is notified (RG 5.1): the text goes there.
    with pytest.raises(notices.NoticeNotVisible):
        apply_measure_act(
            db_session,
            measure,
            MeasureAct.DENY,
            officer=head.officer,
            reasoning=REASONING,
            now=utcnow(),
            calendar=calendar_for(db_session, filed.case.entity),
            office_recipients=_office(filed.case),
            notice="No procede el traslado.",
        )


def test_the_denial_reasons_go_with_the_notification(db_session, settings):
    ent, filed, mine = _filed(db_session, settings, protection=(MeasureType.TRANSFER_COMPLAINANT,))
    head = make_officer(db_session, settings, ent, username="jefa.notices2", role=Role.HEAD)
    (measure,) = filed.case.measures
    common = {
        "officer": head.officer,
        "now": utcnow(),
        "calendar": calendar_for(db_session, filed.case.entity),
        "office_recipients": _office(filed.case),
    }
    apply_measure_act(db_session, measure, MeasureAct.DENY, reasoning=REASONING, **common)
    reasons = "Se deniega: no hay plaza equivalente en otra sede dentro de la provincia."
    event = apply_measure_act(
        db_session,
        measure,
        MeasureAct.NOTIFY_COMPLAINANT,
        reasoning="Notificado por la plataforma.",
        notice=reasons,
        **common,
    )
    assert event.visible_to_complainant
    assert notices.read_notice(event, [mine]) == reasons


def test_a_notice_too_long_is_refused(db_session, settings):
    _ent, filed, _mine = _filed(db_session, settings)
    case = filed.case
    with pytest.raises(notices.NoticeTooLong):
        _request(db_session, case, "x" * (notices.MAX_NOTICE + 1))
