"""DL 8.3 and DL 8.1 ¶2: nothing leaves the office except through a recorded act with its
reasoning, which the complainant sees on the follow-up timeline; an archived complaint whose
information has merit may still be passed on to a competent body, as an act too."""

from __future__ import annotations

import datetime as dt

import pytest
from case_builders import World
from case_builders import act
from case_builders import at_lima
from case_builders import file_case
from case_builders import open_notice
from sqlalchemy import func
from sqlalchemy import select

from core.errors import TransitionRefused
from core.law.enums import CaseState
from core.law.enums import Destination
from core.law.workflow import Act
from core.law.workflow import allowed_acts
from core.law.workflow import allowed_destinations
from core.services.cases import case_facts
from core.storage.models import AuditEntry
from core.storage.models import CaseEvent
from core.storage.models import Forwarding

S = CaseState


def archived(world: World, *, to_stpad: bool):  # type: ignore[no-untyped-def]
    """Filed Fri 13 Nov 2026; the facts (item 2) are missing; subsanación requested on Mon 16
    and opened by the complainant that day (due Thu 19); withdrawal declared on Fri 20 Nov,
    with or without the optional STPAD forwarding (RG 4.6)."""
    case = file_case(world, at_lima(2026, 11, 13))
    act(world, case, Act.REQUEST_SUBSANACION, at_lima(2026, 11, 16), missing_items=[2])
    open_notice(world, case, at_lima(2026, 11, 16))
    act(world, case, Act.DECLARE_WITHDRAWAL, at_lima(2026, 11, 20), forward_to_stpad=to_stpad)
    assert case.state is S.ARCHIVED_WITHDRAWAL
    return case


def count(world: World, model, **where) -> int:  # type: ignore[no-untyped-def]
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return int(world.session.scalar(query) or 0)


def test_an_archived_complaint_with_merit_is_passed_on_by_a_visible_act_dl_8_1(world: World):
    case = archived(world, to_stpad=False)
    event = act(
        world,
        case,
        Act.REFER_ARCHIVED,
        at_lima(2026, 11, 25),
        destination=Destination.PROCURADURIA,
        reasoning="Los hechos tienen materialidad: posible peculado (DL 8.1, segundo párrafo).",
    )
    # It stays archived; the act is on the complainant's timeline with the body's name
    assert case.state is S.ARCHIVED_WITHDRAWAL
    assert event.visible_to_complainant
    assert event.data == {"destination": "procuraduria"}
    assert event.reasoning_sealed is not None  # the reasoning is recorded (sealed)
    (row,) = world.session.scalars(select(Forwarding).where(Forwarding.event_id == event.id))
    assert row.destination is Destination.PROCURADURIA and not row.is_copy
    # Passed on once per body (export its package again instead)
    with pytest.raises(TransitionRefused) as refused:
        act(
            world,
            case,
            Act.REFER_ARCHIVED,
            at_lima(2026, 11, 26),
            destination=Destination.PROCURADURIA,
        )
    assert refused.value.code == "already_forwarded"


@pytest.mark.parametrize(
    ("destination", "name", "code"),
    [
        (None, "", "destination_required"),
        (Destination.NOT_APPLICABLE, "", "destination_not_allowed"),
        (Destination.TITULAR, "", "destination_not_allowed"),
        (Destination.OTHER_ENTITY, "", "destination_name_required"),
    ],
)
def test_passing_on_needs_a_competent_body_and_records_nothing_when_refused(
    world: World, destination: Destination | None, name: str, code: str
):
    case = archived(world, to_stpad=False)
    events, forwardings = count(world, CaseEvent), count(world, Forwarding)
    with pytest.raises(TransitionRefused) as refused:
        act(
            world,
            case,
            Act.REFER_ARCHIVED,
            at_lima(2026, 11, 25),
            destination=destination,
            destination_name=name,
        )
    assert refused.value.code == code
    assert (count(world, CaseEvent), count(world, Forwarding)) == (events, forwardings)
    assert count(world, AuditEntry, action="case.refer_archived") == 0


def test_reasoning_is_required_to_pass_on(world: World):
    case = archived(world, to_stpad=False)
    with pytest.raises(TransitionRefused) as refused:
        act(
            world,
            case,
            Act.REFER_ARCHIVED,
            at_lima(2026, 11, 25),
            destination=Destination.OCI,
            reasoning="  ",
        )
    assert refused.value.code == "reasoning_required"


def test_a_withdrawal_that_went_to_the_stpad_is_not_sent_there_twice_rg_4_5(world: World):
    case = archived(world, to_stpad=True)
    facts = case_facts(world.session, case, today=dt.date(2026, 11, 25))
    assert (Destination.STPAD, "") in facts.forwarded_to
    with pytest.raises(TransitionRefused) as refused:
        act(world, case, Act.REFER_ARCHIVED, at_lima(2026, 11, 25), destination=Destination.STPAD)
    assert refused.value.code == "already_forwarded"
    act(world, case, Act.REFER_ARCHIVED, at_lima(2026, 11, 25), destination=Destination.OCI)


def test_a_concluded_complaint_sends_nothing_more(world: World):
    case = file_case(world, at_lima(2026, 11, 13))
    act(world, case, Act.VERIFY_REQUIREMENTS, at_lima(2026, 11, 16))
    act(world, case, Act.FORWARD, at_lima(2026, 11, 16), destination=Destination.STPAD)
    act(world, case, Act.CONCLUDE, at_lima(2026, 11, 17))
    facts = case_facts(world.session, case, today=dt.date(2026, 11, 18))
    assert allowed_acts(S.CONCLUDED, facts) == []
    for a in (Act.FORWARD, Act.REFER_ARCHIVED):
        with pytest.raises(TransitionRefused) as refused:
            act(world, case, a, at_lima(2026, 11, 18), destination=Destination.OCI)
        assert refused.value.code == "act_not_allowed_in_state"


def test_destinations_come_from_core_and_never_include_the_titular_rg_4_9():
    assert Destination.TITULAR not in allowed_destinations(Act.FORWARD)
    assert Destination.NOT_APPLICABLE in allowed_destinations(Act.FORWARD)
    assert set(allowed_destinations(Act.REFER_ARCHIVED)) == {
        Destination.STPAD,
        Destination.OCI,
        Destination.PROCURADURIA,
        Destination.OTHER_ENTITY,
    }
    assert allowed_destinations(Act.CONCLUDE) == ()


def test_a_forwarding_to_the_titular_is_refused_in_every_state_that_forwards(world: World):
    case = file_case(world, at_lima(2026, 11, 13))
    act(world, case, Act.VERIFY_REQUIREMENTS, at_lima(2026, 11, 16))
    with pytest.raises(TransitionRefused) as refused:
        act(world, case, Act.FORWARD, at_lima(2026, 11, 16), destination=Destination.TITULAR)
    assert refused.value.code == "destination_not_allowed"
    assert case.state is S.VERIFIED
    assert count(world, Forwarding, case_id=case.id) == 0
