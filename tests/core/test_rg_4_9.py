"""RG 4.9: a complaint against the OII's own staff or head is handled by the entity's titular,
who sees only such complaints; the OII's officers and head are barred from them in the read
models and in every act (core.access.case_scope)."""

from __future__ import annotations

import datetime as dt

import pytest
from case_factory import make_draft
from factories import make_entity
from factories import make_officer

import crypto
from core.access import case_scope
from core.law.calendar import PERU_TZ
from core.law.calendar import BusinessCalendar
from core.law.enums import Channel
from core.law.enums import Modality
from core.law.enums import Role
from core.law.workflow import Act
from core.read import due_clocks
from core.read import inbox
from core.services import case_records
from core.services import cases
from core.services import channels

NOW = dt.datetime(2026, 11, 10, 10, tzinfo=PERU_TZ).astimezone(dt.UTC)


@pytest.fixture
def office(db_session, settings):  # type: ignore[no-untyped-def]
    ent = make_entity(db_session, settings)
    people = {
        role: make_officer(db_session, settings, ent, username=role.value, role=role).officer
        for role in (Role.OFFICER, Role.HEAD, Role.TITULAR)
    }
    return ent, people


def register(db_session, settings, ent, officer, *, against_oii: bool = False):  # type: ignore[no-untyped-def]
    return channels.register_received_complaint(
        db_session,
        entity=ent.entity,
        officer=officer,
        channel=Channel.WRITTEN,
        received_on=dt.date(2026, 11, 9),
        draft=make_draft(),
        attachments=(),
        settings=settings,
        now=NOW,
        against_oii=against_oii,
    ).case


def test_the_split_is_fixed_at_registration(db_session, settings, office):
    ent, people = office
    ticked = register(db_session, settings, ent, people[Role.OFFICER], against_oii=True)
    by_titular = register(db_session, settings, ent, people[Role.TITULAR])
    ordinary = register(db_session, settings, ent, people[Role.OFFICER])
    assert (ticked.against_oii, by_titular.against_oii, ordinary.against_oii) == (
        True,
        True,
        False,
    )
    assert case_scope.may_handle(Role.TITULAR, ticked)
    assert not case_scope.may_handle(Role.HEAD, ticked)
    assert not case_scope.may_handle(Role.OFFICER, ticked)
    assert not case_scope.may_handle(Role.TITULAR, ordinary)
    assert not case_scope.may_handle(Role.AUDITOR, ordinary)


def test_read_models_show_each_side_only_its_complaints(db_session, settings, office):
    ent, people = office
    against = register(db_session, settings, ent, people[Role.TITULAR])
    ordinary = register(db_session, settings, ent, people[Role.OFFICER])
    calendar = BusinessCalendar(())
    today = dt.date(2026, 11, 10)
    for role, mine, other in (
        (Role.TITULAR, against, ordinary),
        (Role.HEAD, ordinary, against),
        (Role.OFFICER, ordinary, against),
    ):
        listed = inbox.list_cases(
            db_session, entity_id=ent.entity.id, today=today, calendar=calendar, viewer=role
        )
        assert [r.code for r in listed.rows] == [mine.code], role
        due = due_clocks.due_deadlines(
            db_session, entity_id=ent.entity.id, today=today, calendar=calendar, viewer=role
        )
        assert {r.case_code for r in due.rows} == {mine.code}, role
        assert (
            inbox.find_by_code(db_session, entity_id=ent.entity.id, code=mine.code, viewer=role)
            is mine
        )
        assert (
            inbox.find_by_code(db_session, entity_id=ent.entity.id, code=other.code, viewer=role)
            is None
        )


def test_no_act_crosses_the_split(db_session, settings, office):
    ent, people = office
    against = register(db_session, settings, ent, people[Role.TITULAR])
    ordinary = register(db_session, settings, ent, people[Role.OFFICER])
    calendar = case_records.calendar_for(db_session, ent.entity)
    recipients = [crypto.parse_recipient(ent.entity.office_recipient)]

    def verify(case, who):  # type: ignore[no-untyped-def]
        return cases.apply_act(
            db_session,
            case,
            Act.VERIFY_REQUIREMENTS,
            officer=who,
            reasoning="Cumple.",
            now=NOW,
            calendar=calendar,
            office_recipients=recipients,
        )

    for who in (people[Role.OFFICER], people[Role.HEAD]):
        with pytest.raises(case_records.OutOfScope):
            verify(against, who)
    with pytest.raises(case_records.OutOfScope):
        verify(ordinary, people[Role.TITULAR])
    assert verify(against, people[Role.TITULAR]).officer_id == people[Role.TITULAR].id
    assert verify(ordinary, people[Role.OFFICER]).officer_id == people[Role.OFFICER].id


def test_deadline_notices_keep_the_split(db_session, settings, office):
    """The e-mail digests of due clocks name a complaint against the OII to the titular only."""
    from core.services import notify

    ent, people = office
    against = register(db_session, settings, ent, people[Role.TITULAR])
    ordinary = register(db_session, settings, ent, people[Role.OFFICER])
    for who in people.values():
        who.notify_opt_in = True
        who.notify_email = f"{who.username}@example.org"
    db_session.flush()
    digests = {
        d.officer_id: set(d.to_verify) | set(d.overdue) | {c for c, _ in d.due_soon}
        for d in notify.build_digests(db_session, now=NOW, notice_days=5)
    }
    assert digests[people[Role.TITULAR].id] == {against.code}
    assert digests[people[Role.OFFICER].id] == {ordinary.code}
    assert digests[people[Role.HEAD].id] == {ordinary.code}


def test_the_titular_decides_measures_in_a_complaint_against_the_oii_and_the_head_cannot(
    db_session, settings, office
):
    """RG 4.9 with RG 4.1: in a complaint against the OII the titular takes the head's place,
    including the decision on protection measures (the guarantee to a bidder, DL 9.3)."""
    from core.law.enums import MeasureState
    from core.law.enums import MeasureType
    from core.law.measures_workflow import Criterion
    from core.law.measures_workflow import MeasureAct
    from core.services.intake import ComplainantIdentity
    from core.services.intake import ProtectionRequest
    from core.services.measures import apply_measure_act

    ent, people = office
    case = channels.register_received_complaint(
        db_session,
        entity=ent.entity,
        officer=people[Role.TITULAR],
        channel=Channel.VERBAL,
        received_on=dt.date(2026, 11, 9),
        draft=make_draft(
            identity=ComplainantIdentity(full_name="Postor Denunciante"),
            modality=Modality.RESERVED,
            protection=ProtectionRequest(measures=(MeasureType.BIDDER_GUARANTEE,)),
        ),
        attachments=(),
        settings=settings,
        now=NOW,
    ).case
    (measure,) = case.measures
    calendar = case_records.calendar_for(db_session, ent.entity)
    recipients = [crypto.parse_recipient(ent.entity.office_recipient)]

    def grant(who):  # type: ignore[no-untyped-def]
        return apply_measure_act(
            db_session,
            measure,
            MeasureAct.GRANT,
            officer=who,
            reasoning="Riesgo acreditado.",
            now=NOW,
            calendar=calendar,
            office_recipients=recipients,
            criteria={c: True for c in Criterion},
        )

    with pytest.raises(case_records.OutOfScope):
        grant(people[Role.HEAD])
    grant(people[Role.TITULAR])
    assert measure.state is MeasureState.GRANTED
