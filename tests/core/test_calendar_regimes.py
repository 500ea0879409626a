"""A calendar change recomputes each clock with the rules of the regime that computed it
(issue 11 items 6 and 7): a subsanación term under the current RG 4.4 (3 business days) and one
under the fictitious reform of tests/core/test_regime.py (10 business days) both move by the
new non-working day, each keeping its own length. Hand-computed, March 2027 (no holiday)."""

from __future__ import annotations

import datetime as dt

from case_builders import K
from case_builders import World
from case_builders import act
from case_builders import at_lima
from case_builders import file_case
from case_builders import open_clocks
from case_builders import open_notice

from core.law.regime import Regime
from core.law.workflow import Act
from core.services import calendar_admin

from .test_regime import CURRENT
from .test_regime import reform  # noqa: F401 - fixture


def test_each_clock_moves_under_its_own_regime(world: World, reform: Regime) -> None:  # noqa: F811
    before = file_case(world, at_lima(2027, 2, 26))  # current regime
    after = file_case(world, at_lima(2027, 3, 1))  # the reform's
    assert (before.regime, after.regime) == (CURRENT.id, reform.id)
    for case in (before, after):
        act(world, case, Act.REQUEST_SUBSANACION, at_lima(2027, 3, 3), missing_items=[2])
        open_notice(world, case, at_lima(2027, 3, 3, hour=12))
    # Opened Wed 3 Mar: 4, 5, 8 Mar (3 days); 4, 5, 8-12, 15-17 Mar (10 days).
    assert open_clocks(world.session, before) == {K.SUBSANACION: dt.date(2027, 3, 8)}
    assert open_clocks(world.session, after) == {K.SUBSANACION: dt.date(2027, 3, 17)}
    # Thu 4 Mar 2027 declared non-working: 5, 8, 9 and 5, 8-12, 15-18.
    calendar_admin.add_national_day(
        world.session, dt.date(2027, 3, 4), reason="", now=at_lima(2027, 3, 3, 18), actor="t"
    )
    assert open_clocks(world.session, before) == {K.SUBSANACION: dt.date(2027, 3, 9)}
    assert open_clocks(world.session, after) == {K.SUBSANACION: dt.date(2027, 3, 18)}
