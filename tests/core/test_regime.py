"""A regime fixed at filing (issue 11 item 7; docs/workflow.md "The regime of a case").

A fictitious reform, registered only in these tests, takes effect on Mon 1 March 2027. It
gives the complainant 10 business days to remedy a complaint (instead of the 3 of RG 4.4),
drops the row that lets a forwarded complaint be forwarded again, no longer requires item 4 of
DL art. 7.1 (place, date and signature) and leaves the attendance exemption out of its measure
catalogue. A case filed before the reform keeps D.S. 002-2020-JUS
for every act and clock after 1 March; a case filed from 1 March follows the reform; a reform
whose transitional provision takes pending cases over governs them from its entry into force.

Hand-computed dates (no Peruvian holiday falls in 1-17 March 2027; Holy Week is 25-26 March):
- RG 4.4, 3 business days from a notice on Wed 3 Mar: Thu 4, Fri 5, Mon 8 -> Mon 8 March.
- Reform, 10 business days from Wed 3 Mar: 4, 5, 8, 9, 10, 11, 12, 15, 16, 17 -> Wed 17 March.
- RG 4.4, verification 2 business days from a filing on Fri 26 Feb: Mon 1, Tue 2 -> 2 March.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from types import MappingProxyType

import pytest
from case_builders import K
from case_builders import S
from case_builders import World
from case_builders import act
from case_builders import at_lima
from case_builders import file_case
from case_builders import open_clocks
from case_builders import request_later
from sqlalchemy import select
from sqlalchemy.orm import Session

import core.law.regime as regime_module
from config import Settings
from core.errors import TransitionRefused
from core.law import workflow
from core.law.enums import Destination
from core.law.enums import MeasureType
from core.law.regime import DS_002_2020_JUS_REGIME
from core.law.regime import NoRegime
from core.law.regime import Regime
from core.law.regime import regime_at_filing
from core.law.regime import regime_by_id
from core.law.regime import regime_of_case
from core.law.rules import DS_002_2020_JUS
from core.law.rules import Rule
from core.law.workflow import Act
from core.law.workflow import RequirementItem
from core.storage.models import Deadline

CURRENT = DS_002_2020_JUS_REGIME
REFORM_DAY = dt.date(2027, 3, 1)
REFORM = Regime(
    id="REFORMA-FICTICIA-2027",
    effective_from=REFORM_DAY,
    source="A reform that does not exist, for these tests only",
    rules=replace(
        DS_002_2020_JUS,
        version="REFORMA-FICTICIA-2027",
        effective_from=REFORM_DAY,
        rules=MappingProxyType(
            {
                **DS_002_2020_JUS.rules,
                K.SUBSANACION: Rule(
                    10, True, "notification", party="complainant", rolls_to_business_day=True
                ),
            }
        ),
    ),
    case_table=MappingProxyType(
        {k: v for k, v in workflow.TABLE.items() if k != (S.FORWARDED, Act.FORWARD)}
    ),
    measure_table=CURRENT.measure_table,
    requirement_items=CURRENT.requirement_items - {RequirementItem.PLACE_DATE_SIGNATURE},
    measure_types=tuple(
        t for t in CURRENT.measure_types if t is not MeasureType.ATTENDANCE_EXEMPTION_REPORTED
    ),
)
TAKEOVER = replace(REFORM, id="REFORMA-FICTICIA-PENDIENTES", applies_to_pending=True)


@pytest.fixture
def reform(monkeypatch: pytest.MonkeyPatch) -> Regime:
    monkeypatch.setattr(regime_module, "REGIMES", (CURRENT, REFORM))
    return REFORM


def _ask_to_remedy(w: World, case, when: dt.datetime) -> Deadline:  # type: ignore[no-untyped-def]
    act(
        w,
        case,
        Act.REQUEST_SUBSANACION,
        when,
        missing_items=[RequirementItem.COMMITMENT],
    )
    return w.session.scalars(
        select(Deadline).where(Deadline.case_id == case.id, Deadline.kind == K.SUBSANACION)
    ).one()


# --- the choice, pure ----------------------------------------------------------------------------


def test_the_regime_is_the_one_in_force_on_the_filing_day(reform: Regime) -> None:
    assert regime_at_filing(dt.date(2027, 2, 28)) is CURRENT
    assert regime_at_filing(REFORM_DAY) is REFORM
    # D.S. 002-2020-JUS is in force from 6 Feb 2020; nothing this version knows covers earlier.
    assert regime_at_filing(dt.date(2020, 2, 6)) is CURRENT
    with pytest.raises(NoRegime):
        regime_at_filing(dt.date(2020, 2, 5))
    with pytest.raises(NoRegime):
        regime_by_id("DS-999-2099-JUS")


def test_a_case_keeps_its_regime_after_a_reform_unless_it_takes_pending_cases_over() -> None:
    after = dt.date(2027, 6, 1)
    regimes = (CURRENT, REFORM)
    assert regime_of_case(CURRENT.id, after, regimes) is CURRENT
    assert regime_of_case(REFORM.id, after, regimes) is REFORM
    with_takeover = (CURRENT, TAKEOVER)
    assert regime_of_case(CURRENT.id, dt.date(2027, 2, 28), with_takeover) is CURRENT
    assert regime_of_case(CURRENT.id, REFORM_DAY, with_takeover) is TAKEOVER


# --- the services --------------------------------------------------------------------------------


def test_a_case_filed_before_a_reform_keeps_its_clocks_rules_after_it(
    world: World, reform: Regime
) -> None:
    # Filed Fri 26 Feb 2027, the last business day before the reform.
    before = file_case(world, at_lima(2027, 2, 26))
    assert before.regime == CURRENT.id
    assert open_clocks(world.session, before) == {K.VERIFY_REQUIREMENTS: dt.date(2027, 3, 2)}
    # Asked to remedy on Wed 3 Mar 2027, after the reform: RG 4.4's 3 business days.
    clock = _ask_to_remedy(world, before, at_lima(2027, 3, 3))
    assert clock.due_on == dt.date(2027, 3, 8)
    assert clock.rule_version == CURRENT.id


def test_a_case_filed_after_a_reform_follows_it(world: World, reform: Regime) -> None:
    after = file_case(world, at_lima(2027, 3, 1))
    assert after.regime == REFORM.id
    clock = _ask_to_remedy(world, after, at_lima(2027, 3, 3))
    assert clock.due_on == dt.date(2027, 3, 17)
    assert clock.rule_version == REFORM.id


def test_a_reform_that_takes_pending_cases_over_governs_their_later_clocks(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(regime_module, "REGIMES", (CURRENT, TAKEOVER))
    before = file_case(world, at_lima(2027, 2, 26))
    clock = _ask_to_remedy(world, before, at_lima(2027, 3, 3))
    # The case still records the regime it was filed under; the clock, the one it followed.
    assert before.regime == CURRENT.id
    assert (clock.due_on, clock.rule_version) == (dt.date(2027, 3, 17), TAKEOVER.id)


def test_each_case_follows_its_own_transition_table(world: World, reform: Regime) -> None:
    def forwarded(filed: dt.datetime) -> object:
        case = file_case(world, filed)
        act(world, case, Act.VERIFY_REQUIREMENTS, at_lima(2027, 3, 3))
        act(world, case, Act.FORWARD, at_lima(2027, 3, 4), destination=Destination.STPAD)
        return case

    before, after = forwarded(at_lima(2027, 2, 26)), forwarded(at_lima(2027, 3, 1))
    # DS-002-2020-JUS lets a forwarded complaint go to another body as well (derivada ->
    # derivada); the fictitious reform has no such row.
    act(world, before, Act.FORWARD, at_lima(2027, 3, 5), destination=Destination.OCI)
    with pytest.raises(TransitionRefused) as refused:
        act(world, after, Act.FORWARD, at_lima(2027, 3, 5), destination=Destination.OCI)
    assert refused.value.code == "act_not_allowed_in_state"


def test_each_case_follows_its_own_measure_catalogue(world: World, reform: Regime) -> None:
    before = file_case(world, at_lima(2027, 2, 26))
    after = file_case(world, at_lima(2027, 3, 1))
    exemption = MeasureType.ATTENDANCE_EXEMPTION_REPORTED
    measure = request_later(world, before, exemption, at_lima(2027, 3, 3))
    assert measure.type is exemption
    with pytest.raises(TransitionRefused) as refused:
        request_later(world, after, exemption, at_lima(2027, 3, 3))
    assert refused.value.code == "measure_type_not_in_regime"


def test_the_intake_stores_the_regime_of_the_filing_day_in_lima(
    db_session: Session, settings: Settings, reform: Regime
) -> None:
    from case_factory import make_case
    from factories import make_entity

    ent = make_entity(db_session, settings)
    # Sun 28 Feb 2027 at 23:30 in Lima is already 1 March in UTC: still filed before the reform.
    late = dt.datetime(2027, 3, 1, 4, 30, tzinfo=dt.UTC)
    assert make_case(db_session, settings, ent, now=late).case.regime == CURRENT.id
    on_the_day = dt.datetime(2027, 3, 1, 5, 0, tzinfo=dt.UTC)  # 00:00 in Lima
    assert make_case(db_session, settings, ent, now=on_the_day).case.regime == REFORM.id


def test_each_case_follows_its_own_requirement_items(world: World, reform: Regime) -> None:
    before = file_case(world, at_lima(2027, 2, 26))
    after = file_case(world, at_lima(2027, 3, 1))
    signature = [RequirementItem.PLACE_DATE_SIGNATURE]
    # DL art. 7.1 item 4 may still be missing from a complaint filed under D.S. 002-2020-JUS.
    act(world, before, Act.REQUEST_SUBSANACION, at_lima(2027, 3, 3), missing_items=signature)
    assert before.state is S.OBSERVED
    with pytest.raises(TransitionRefused) as refused:
        act(world, after, Act.REQUEST_SUBSANACION, at_lima(2027, 3, 3), missing_items=signature)
    assert refused.value.code == "requirement_item_not_in_regime"
    assert after.state is S.VERIFYING
