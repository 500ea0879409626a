"""National and entity non-working days move the open clocks (issue 11 item 6).

Dates are computed by hand from the 2027 calendar: Mon 7 June (Batalla de Arica y Día de
la Bandera), Mon 30 August (Santa Rosa de Lima) and Mon 1 November (Todos los
Santos) are national holidays; weekends never count. RG 4.4 (2 business days to verify), RG
5.1 (7 to notify measures), RG 6 (15 from the day after filing), counted under the LPAG from
the day after the trigger.
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

import holidays
import pytest
from case_builders import K
from case_builders import World
from case_builders import act
from case_builders import at_lima
from case_builders import build_world
from case_builders import file_case
from case_builders import open_clocks
from case_builders import open_notice
from sqlalchemy import select

from core.errors import NotFound
from core.law.calendar import BusinessCalendar
from core.law.enums import DeadlineKind
from core.law.enums import MeasureType
from core.law.measures_workflow import MeasureAct
from core.law.rules import Rule
from core.law.rules import RuleSet
from core.law.rules import compute_due
from core.law.workflow import Act
from core.services import calendar_admin
from core.services.case_records import calendar_for
from core.services.measures import apply_measure_act
from core.storage.models import AuditEntry
from core.storage.models import CaseEvent
from core.storage.models import Deadline


def _recomputed(world: World, case_id: int) -> list[CaseEvent]:
    return list(
        world.session.scalars(
            select(CaseEvent).where(
                CaseEvent.case_id == case_id, CaseEvent.kind == calendar_admin.RECOMPUTED_EVENT
            )
        ).all()
    )


def test_holidays_package_knows_the_2027_peruvian_holidays_the_clocks_rely_on() -> None:
    # holidays>=0.77 (pyproject): the first release with 7 June and 23 July for Peru.
    pe = holidays.country_holidays("PE", years=[2027])
    for day in (dt.date(2027, 6, 7), dt.date(2027, 7, 23), dt.date(2027, 8, 30)):
        assert day in pe
    assert dt.date(2027, 11, 1) in pe


def test_rg_4_4_verification_skips_7_june_2027(world: World) -> None:
    # Filed Fri 4 Jun 2027: Mon 7 is a holiday, so Tue 8 is day 1 and Wed 9 day 2.
    case = file_case(world, at_lima(2027, 6, 4))
    assert open_clocks(world.session, case) == {K.VERIFY_REQUIREMENTS: dt.date(2027, 6, 9)}


def test_rg_5_1_and_rg_6_skip_30_august_2027(world: World) -> None:
    # Filed Fri 27 Aug 2027 with a protection request. Mon 30 is Santa Rosa.
    # RG 4.4: Tue 31 (1), Wed 1 Sep (2). RG 5.1: 31, 1, 2, 3, 6, 7, 8 -> Wed 8 Sep.
    # RG 6: 31 Aug, 1-3, 6-10, 13-17 Sep is 14 days; Mon 20 Sep is the 15th.
    case = file_case(world, at_lima(2027, 8, 27), protection=True)
    assert open_clocks(world.session, case) == {
        K.VERIFY_REQUIREMENTS: dt.date(2027, 9, 1),
        K.NOTIFY_MEASURES: dt.date(2027, 9, 8),
        K.GRANT_LIMIT: dt.date(2027, 9, 20),
    }


def test_a_national_day_moves_every_entitys_open_clocks_and_back(world: World) -> None:
    # Two entities, each with a case filed Fri 29 Oct 2027: Mon 1 Nov is a holiday, so the
    # RG 4.4 clock is due Wed 3 Nov (Tue 2 is day 1).
    other = build_world(world.session)
    mine = file_case(world, at_lima(2027, 10, 29))
    theirs = file_case(other, at_lima(2027, 10, 29))
    assert open_clocks(world.session, mine) == {K.VERIFY_REQUIREMENTS: dt.date(2027, 11, 3)}

    # When a PCM decree makes Tue 2 Nov 2027 non-working for the public sector
    moved = calendar_admin.add_national_day(
        world.session,
        dt.date(2027, 11, 2),
        reason="D.S. ficticio-2027-PCM",
        now=at_lima(2027, 11, 1),
        actor="cli",
    )
    # Then both cases move: Wed 3 is day 1, Thu 4 day 2
    for case in (mine, theirs):
        assert open_clocks(world.session, case) == {K.VERIFY_REQUIREMENTS: dt.date(2027, 11, 4)}
        assert case.next_deadline_on == dt.date(2027, 11, 4)
        (event,) = _recomputed(world, case.id)
        assert event.visible_to_complainant is False
        assert event.data["day"] == "2027-11-02"
        assert event.data["scope"] == "national"
        assert [(c["kind"], c["from"], c["to"]) for c in event.data["clocks"]] == [
            ("verificar_requisitos", "2027-11-03", "2027-11-04")
        ]
    assert {m.case_id for m in moved} == {mine.id, theirs.id}
    # And the new calendar is everyone's calendar
    assert not calendar_for(world.session, other.entity).is_business_day(dt.date(2027, 11, 2))

    # When the day is removed again, the clocks come back, with a second event each
    calendar_admin.remove_national_day(
        world.session, dt.date(2027, 11, 2), now=at_lima(2027, 11, 1, 12), actor="cli"
    )
    for case in (mine, theirs):
        assert open_clocks(world.session, case) == {K.VERIFY_REQUIREMENTS: dt.date(2027, 11, 3)}
        assert len(_recomputed(world, case.id)) == 2
    actions = world.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("calendar.national_day_added") == 1
    assert actions.count("calendar.national_day_removed") == 1
    assert actions.count("case.clocks_recomputed") == 4


def test_a_national_day_twice_is_refused_and_an_unknown_one_cannot_be_removed(
    world: World,
) -> None:
    day = dt.date(2027, 11, 2)
    calendar_admin.add_national_day(
        world.session, day, reason="", now=at_lima(2027, 1, 4), actor="t"
    )
    with pytest.raises(calendar_admin.DayAlreadyNonWorking):
        calendar_admin.add_national_day(
            world.session, day, reason="", now=at_lima(2027, 1, 4), actor="t"
        )
    with pytest.raises(NotFound):
        calendar_admin.remove_national_day(
            world.session, dt.date(2027, 11, 5), now=at_lima(2027, 1, 4), actor="t"
        )


def test_an_entity_day_moves_only_that_entitys_clocks_and_stopped_clocks_never_move(
    world: World,
) -> None:
    other = build_world(world.session)
    mine = file_case(world, at_lima(2027, 10, 29))
    theirs = file_case(other, at_lima(2027, 10, 29))
    calendar_admin.add_entity_day(
        world.session,
        world.entity,
        dt.date(2027, 11, 3),
        reason="Aniversario",
        officer=world.officer,
        now=at_lima(2027, 11, 1),
    )
    # Mine: Tue 2 (1), Wed 3 is the entity's own day, Thu 4 (2).
    assert open_clocks(world.session, mine) == {K.VERIFY_REQUIREMENTS: dt.date(2027, 11, 4)}
    assert open_clocks(world.session, theirs) == {K.VERIFY_REQUIREMENTS: dt.date(2027, 11, 3)}
    assert _recomputed(world, theirs.id) == []
    assert len(_recomputed(world, mine.id)) == 1


def test_an_unaffected_day_records_nothing(world: World) -> None:
    case = file_case(world, at_lima(2027, 10, 29))
    moved = calendar_admin.add_national_day(
        world.session, dt.date(2027, 12, 24), reason="", now=at_lima(2027, 11, 1), actor="t"
    )
    assert moved == []
    assert _recomputed(world, case.id) == []


_CALENDAR_RULES = RuleSet(
    version="TEST-calendar-days",
    effective_from=dt.date(2020, 1, 1),
    source="test",
    rules=MappingProxyType({DeadlineKind.DECISION: Rule(30, False, "act")}),
)


@pytest.mark.parametrize(
    ("trigger", "due"),
    [
        # 8 May 2027 + 30 days = Mon 7 June (holiday) -> Tue 8 June.
        (dt.date(2027, 5, 8), dt.date(2027, 6, 8)),
        # 31 Jul 2027 + 30 days = Mon 30 August (Santa Rosa) -> Tue 31 August.
        (dt.date(2027, 7, 31), dt.date(2027, 8, 31)),
        # 1 Oct 2027 + 30 days = Sun 31 Oct; Mon 1 Nov is a holiday -> Tue 2 November.
        (dt.date(2027, 10, 1), dt.date(2027, 11, 2)),
        # 2 Oct 2027 + 30 days = Mon 1 Nov (holiday) -> Tue 2 November.
        (dt.date(2027, 10, 2), dt.date(2027, 11, 2)),
        # 4 Oct 2027 + 30 days = Wed 3 Nov, a business day: no roll.
        (dt.date(2027, 10, 4), dt.date(2027, 11, 3)),
    ],
)
def test_tuo_lpag_145_3_a_calendar_day_term_ending_on_a_holiday_ends_next_business_day(
    trigger: dt.date, due: dt.date
) -> None:
    assert compute_due(_CALENDAR_RULES, DeadlineKind.DECISION, trigger, BusinessCalendar()) == due


def test_a_new_day_inside_the_alegaciones_period_moves_the_decision_clock_too(
    world: World,
) -> None:
    # RG 9: an intended variation of the identity reserve (in force since filing) opens the
    # alegaciones period (5 business days) and the decision clock (10 after its end).
    case = file_case(world, at_lima(2027, 10, 1), protection=True)
    reserve = next(m for m in case.measures if m.type is MeasureType.IDENTITY_RESERVE)
    apply_measure_act(
        world.session,
        reserve,
        MeasureAct.START_VARIATION,
        officer=world.head,
        reasoning="Variación prevista.",
        now=at_lima(2027, 10, 25),
        calendar=world.calendar,
        office_recipients=world.recipients,
    )
    # From Mon 25 Oct: 26, 27, 28, 29 Oct, (1 Nov holiday) 2 Nov; then 3-5, 8-12, 15, 16 Nov.
    assert _measure_clocks(world, reserve.id) == {
        K.ALEGACIONES: dt.date(2027, 11, 2),
        K.DECISION: dt.date(2027, 11, 16),
    }
    # When Wed 27 Oct 2027 becomes a national non-working day
    calendar_admin.add_national_day(
        world.session, dt.date(2027, 10, 27), reason="", now=at_lima(2027, 10, 26), actor="t"
    )
    # Then 26, 28, 29 Oct, 2, 3 Nov; and 4, 5, 8-12, 15-17 Nov.
    assert _measure_clocks(world, reserve.id) == {
        K.ALEGACIONES: dt.date(2027, 11, 3),
        K.DECISION: dt.date(2027, 11, 17),
    }


def _measure_clocks(world: World, measure_id: int) -> dict[DeadlineKind, dt.date]:
    rows = world.session.scalars(
        select(Deadline).where(Deadline.measure_id == measure_id, Deadline.satisfied_at.is_(None))
    ).all()
    return {d.kind: d.due_on for d in rows}


def test_the_complainant_sees_their_subsanacion_term_move_once_it_has_started(
    world: World,
) -> None:
    # RG 4.4: requested Tue 2 Nov 2027 and opened the same day: Wed 3, Thu 4, Fri 5 Nov.
    opened_case = file_case(world, at_lima(2027, 10, 29))
    act(world, opened_case, Act.REQUEST_SUBSANACION, at_lima(2027, 11, 2), missing_items=[2])
    open_notice(world, opened_case, at_lima(2027, 11, 2, hour=12))
    assert open_clocks(world.session, opened_case) == {K.SUBSANACION: dt.date(2027, 11, 5)}
    # A request the complainant has not opened yet: its term has not started.
    unopened = file_case(world, at_lima(2027, 10, 29))
    act(world, unopened, Act.REQUEST_SUBSANACION, at_lima(2027, 11, 2), missing_items=[2])
    # When Thu 4 Nov 2027 is declared non-working: Wed 3, Fri 5, Mon 8 Nov.
    calendar_admin.add_national_day(
        world.session, dt.date(2027, 11, 4), reason="", now=at_lima(2027, 11, 3), actor="t"
    )
    assert open_clocks(world.session, opened_case) == {K.SUBSANACION: dt.date(2027, 11, 8)}
    (shown,) = _recomputed(world, opened_case.id)
    assert shown.visible_to_complainant and shown.data["due_on"] == "2027-11-08"
    (hidden,) = _recomputed(world, unopened.id)
    assert not hidden.visible_to_complainant and "due_on" not in hidden.data
