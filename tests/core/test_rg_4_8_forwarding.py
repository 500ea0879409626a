"""RG 4.8: the complaint is sent to the STPAD once the evaluation period (RG 4.7, 5 business
days after verification) has ended. A protection request still undecided then is flagged as
overdue instead of holding the file forever (issue 11 item 1).

Hand-computed, November-December 2026 (no weekday holiday before 8 December): filed Fri 13
Nov with identity reserve (in force at once, RG 5.2) and a transfer request; verified Mon 16
Nov, so the evaluation ends Mon 23 Nov (17, 18, 19, 20, 23); the RG 6 grant limit is the 15th
business day after filing, Fri 4 Dec (16-20, 23-27 Nov, 30 Nov-4 Dec).
"""

from __future__ import annotations

import datetime as dt

import pytest
from case_builders import K
from case_builders import S
from case_builders import World
from case_builders import act
from case_builders import at_lima
from case_builders import file_case
from case_builders import open_clocks

from core.errors import TransitionRefused
from core.law.enums import Destination
from core.law.enums import MeasureState
from core.law.enums import MeasureType
from core.law.measures_workflow import MeasureAct
from core.law.workflow import Act
from core.services.evaluation import overdue_evaluations
from core.services.measures import apply_measure_act


def _evaluating(world: World):  # type: ignore[no-untyped-def]
    case = file_case(world, at_lima(2026, 11, 13), protection=True)
    act(world, case, Act.VERIFY_REQUIREMENTS, at_lima(2026, 11, 16))
    assert case.state is S.EVALUATING_MEASURES
    assert open_clocks(world.session, case)[K.EVALUATE_MEASURES] == dt.date(2026, 11, 23)
    return case


def test_rg_4_8_no_forwarding_while_the_evaluation_period_runs(world: World) -> None:
    case = _evaluating(world)
    with pytest.raises(TransitionRefused) as refused:
        act(world, case, Act.FORWARD, at_lima(2026, 11, 23, hour=23), destination=Destination.STPAD)
    assert refused.value.code == "measures_undecided"
    assert case.state is S.EVALUATING_MEASURES
    assert overdue_evaluations(world.session, case, today=dt.date(2026, 11, 23)) == []


def test_rg_4_8_after_the_period_an_undecided_measure_is_flagged_not_blocking(
    world: World,
) -> None:
    case = _evaluating(world)
    transfer = next(m for m in case.measures if m.type is MeasureType.TRANSFER_COMPLAINANT)
    assert transfer.state is MeasureState.REQUESTED
    # Tue 24 Nov: the period is over, the transfer is still undecided.
    (flag,) = overdue_evaluations(world.session, case, today=dt.date(2026, 11, 24))
    assert flag.measure.id == transfer.id
    assert flag.evaluation_due == dt.date(2026, 11, 23)
    act(world, case, Act.FORWARD, at_lima(2026, 11, 24), destination=Destination.STPAD)
    assert case.state is S.FORWARDED
    # The RG 6 limit keeps running for the undecided request, and the case cannot be
    # concluded until the request is decided.
    clocks = open_clocks(world.session, case)
    assert clocks[K.GRANT_LIMIT] == dt.date(2026, 12, 4)
    assert K.EVALUATE_MEASURES not in clocks
    assert overdue_evaluations(world.session, case, today=dt.date(2026, 11, 25)) != []
    with pytest.raises(TransitionRefused) as refused:
        act(world, case, Act.CONCLUDE, at_lima(2026, 11, 25))
    assert refused.value.code == "open_deadlines"
    # The head decides: the flag goes, and the grant-limit clock stops.
    apply_measure_act(
        world.session,
        transfer,
        MeasureAct.DENY,
        officer=world.head,
        reasoning="No procede el traslado.",
        now=at_lima(2026, 11, 26),
        calendar=world.calendar,
        office_recipients=world.recipients,
    )
    assert overdue_evaluations(world.session, case, today=dt.date(2026, 11, 26)) == []
    assert K.GRANT_LIMIT not in open_clocks(world.session, case)


def test_rg_4_8_every_measure_decided_ends_the_evaluation_early(world: World) -> None:
    case = _evaluating(world)
    transfer = next(m for m in case.measures if m.type is MeasureType.TRANSFER_COMPLAINANT)
    apply_measure_act(
        world.session,
        transfer,
        MeasureAct.DENY,
        officer=world.head,
        reasoning="No procede.",
        now=at_lima(2026, 11, 18),
        calendar=world.calendar,
        office_recipients=world.recipients,
    )
    act(world, case, Act.FORWARD, at_lima(2026, 11, 18), destination=Destination.STPAD)
    assert case.state is S.FORWARDED
