"""RG 4.4: the complainant has 3 business days from notification to complete the complaint;
DL 8.1: a complaint not completed is archived as withdrawn. Integra notifies through the
follow-up page, so the term runs from the first time the complainant opens the request
(TUO LPAG arts. 20.4 and 25.2: effective the day it is recorded as received). Issue 11 item 5.

Hand-computed: November 2026 has no Peruvian holiday on a weekday (1 Nov is a Sunday).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from case_builders import K
from case_builders import S
from case_builders import World
from case_builders import act
from case_builders import at_lima
from case_builders import file_case
from case_builders import open_clocks
from case_builders import open_notice
from sqlalchemy import select

from core.errors import TransitionRefused
from core.law.workflow import Act
from core.law.workflow import RequirementItem
from core.services import subsanacion
from core.storage.models import AuditEntry
from core.storage.models import CaseEvent


def _observed(world: World):  # type: ignore[no-untyped-def]
    # Filed Fri 13 Nov 2026; the officer asks for the facts (item 2) on Mon 16 Nov.
    case = file_case(world, at_lima(2026, 11, 13))
    act(world, case, Act.REQUEST_SUBSANACION, at_lima(2026, 11, 16), missing_items=[2])
    return case


def test_rg_4_4_the_term_runs_from_the_day_the_complainant_opens_the_request(
    world: World,
) -> None:
    case = _observed(world)
    pending = subsanacion.pending_request(world.session, case)
    assert pending is not None
    assert pending.missing_items == (RequirementItem.FACTS,)
    assert pending.opened_at is None and pending.due_on is None
    # Counted from the request (Tue 17, Wed 18, Thu 19) the term would end on Thu 19 Nov;
    # the complainant logs in only on Thu 19 Nov at 21:00 in Lima.
    event = open_notice(world, case, at_lima(2026, 11, 19, hour=21))
    assert event is not None
    # Fri 20 (1), Mon 23 (2), Tue 24 (3).
    assert open_clocks(world.session, case) == {K.SUBSANACION: dt.date(2026, 11, 24)}
    assert event.visible_to_complainant
    assert event.data == {
        "request_event_id": pending.request.id,
        "due_on": "2026-11-24",
    }
    pending = subsanacion.pending_request(world.session, case)
    assert pending is not None and pending.due_on == dt.date(2026, 11, 24)
    assert case.next_deadline_on == dt.date(2026, 11, 24)


def test_dl_8_1_no_withdrawal_before_the_term_from_opening_has_run(world: World) -> None:
    case = _observed(world)
    open_notice(world, case, at_lima(2026, 11, 19, hour=21))
    for day in (20, 23, 24):  # the old count would have allowed Fri 20
        with pytest.raises(TransitionRefused) as refused:
            act(world, case, Act.DECLARE_WITHDRAWAL, at_lima(2026, 11, day, hour=23))
        assert refused.value.code == "subsanacion_period_open"
        assert case.state is S.OBSERVED
    act(world, case, Act.DECLARE_WITHDRAWAL, at_lima(2026, 11, 25))
    assert case.state is S.ARCHIVED_WITHDRAWAL


def test_dl_8_1_no_withdrawal_while_the_request_was_never_opened(world: World) -> None:
    case = _observed(world)
    # A month later, the complainant never came back: the term never started.
    with pytest.raises(TransitionRefused) as refused:
        act(world, case, Act.DECLARE_WITHDRAWAL, at_lima(2026, 12, 16))
    assert refused.value.code == "subsanacion_period_open"


def test_opened_on_a_saturday_counts_from_monday(world: World) -> None:
    case = _observed(world)
    # Opened Sat 21 Nov 2026: deemed received Mon 23 [INF]; Tue 24, Wed 25, Thu 26.
    open_notice(world, case, at_lima(2026, 11, 21))
    assert open_clocks(world.session, case) == {K.SUBSANACION: dt.date(2026, 11, 26)}


def test_only_the_first_opening_is_recorded_and_it_identifies_no_client(world: World) -> None:
    case = _observed(world)
    assert open_notice(world, case, at_lima(2026, 11, 17)) is not None
    assert open_notice(world, case, at_lima(2026, 11, 18)) is None
    events = world.session.scalars(
        select(CaseEvent).where(CaseEvent.kind == "subsanacion_notice_opened")
    ).all()
    assert len(events) == 1
    # Wed 18, Thu 19, Fri 20: the second visit moved nothing.
    assert open_clocks(world.session, case) == {K.SUBSANACION: dt.date(2026, 11, 20)}
    entry = world.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "case.subsanacion_notice_opened")
    ).one()
    assert entry.officer_id is None and entry.actor == "system"
    assert set(json.loads(entry.detail)) == {"event_id", "request_event_id", "due_on"}


def test_a_second_request_needs_its_own_opening(world: World) -> None:
    case = _observed(world)
    open_notice(world, case, at_lima(2026, 11, 16, hour=12))
    act(world, case, Act.RECEIVE_SUBSANACION, at_lima(2026, 11, 18))
    act(world, case, Act.REQUEST_SUBSANACION, at_lima(2026, 11, 19), missing_items=[2])
    pending = subsanacion.pending_request(world.session, case)
    assert pending is not None and pending.opened_at is None
    with pytest.raises(TransitionRefused):
        act(world, case, Act.DECLARE_WITHDRAWAL, at_lima(2026, 12, 1))
    open_notice(world, case, at_lima(2026, 11, 30))
    # Tue 1, Wed 2, Thu 3 Dec; withdrawal possible from Fri 4 Dec.
    assert open_clocks(world.session, case) == {K.SUBSANACION: dt.date(2026, 12, 3)}
    with pytest.raises(TransitionRefused):
        act(world, case, Act.DECLARE_WITHDRAWAL, at_lima(2026, 12, 3))
    act(world, case, Act.DECLARE_WITHDRAWAL, at_lima(2026, 12, 4))
    assert case.state is S.ARCHIVED_WITHDRAWAL


def test_nothing_to_open_outside_observada(world: World) -> None:
    case = file_case(world, at_lima(2026, 11, 13))
    assert subsanacion.pending_request(world.session, case) is None
    assert open_notice(world, case, at_lima(2026, 11, 16)) is None
