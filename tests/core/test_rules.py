"""Deadline rules as versioned data, and the due dates they give on Peru's calendar."""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

import pytest

from core.law.calendar import BusinessCalendar
from core.law.enums import DeadlineKind
from core.law.rules import DS_002_2020_JUS
from core.law.rules import RULE_SETS
from core.law.rules import NoRuleSetInForce
from core.law.rules import Rule
from core.law.rules import RuleSet
from core.law.rules import compute_due
from core.law.rules import compute_opened
from core.law.rules import rules_for

D = dt.date
K = DeadlineKind


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar()


def test_current_rule_set_covers_every_clock() -> None:
    assert set(DS_002_2020_JUS.rules) == set(DeadlineKind)
    expected = {
        K.VERIFY_REQUIREMENTS: 2,
        K.SUBSANACION: 3,
        K.EVALUATE_MEASURES: 5,
        K.HR_FEASIBILITY: 3,
        K.NOTIFY_MEASURES: 7,
        K.GRANT_LIMIT: 15,
        K.ALEGACIONES: 5,
        K.DECISION: 10,
    }
    assert {k: r.days for k, r in DS_002_2020_JUS.rules.items()} == expected
    assert all(r.business for r in DS_002_2020_JUS.rules.values())
    assert DS_002_2020_JUS.rules[K.SUBSANACION].party == "complainant"


def test_rules_for_picks_the_set_in_force() -> None:
    assert rules_for(D(2026, 7, 27)) is DS_002_2020_JUS
    assert rules_for(D(2020, 2, 6)) is DS_002_2020_JUS
    with pytest.raises(NoRuleSetInForce):
        rules_for(D(2020, 2, 5))
    assert RULE_SETS == (DS_002_2020_JUS,)


def test_a_later_rule_set_is_picked_for_later_dates(cal: BusinessCalendar) -> None:
    # Given a hypothetical reform from 1 Jan 2027 with a 10-business-day verification
    reform = RuleSet(
        version="FAKE-2027",
        effective_from=D(2027, 1, 1),
        source="test",
        rules=MappingProxyType(
            {**DS_002_2020_JUS.rules, K.VERIFY_REQUIREMENTS: Rule(10, True, "filing")}
        ),
    )
    sets = (reform, DS_002_2020_JUS)  # order does not matter
    # Then filings before it use the 2020 rules and filings from it use the reform
    assert rules_for(D(2026, 12, 31), sets) is DS_002_2020_JUS
    assert rules_for(D(2027, 1, 1), sets) is reform
    assert rules_for(D(2030, 5, 5), sets) is reform
    filed = D(2027, 1, 4)  # Monday
    assert compute_due(rules_for(filed, sets), K.VERIFY_REQUIREMENTS, filed, cal) == D(2027, 1, 18)
    assert compute_due(DS_002_2020_JUS, K.VERIFY_REQUIREMENTS, filed, cal) == D(2027, 1, 6)


def test_missing_rule_is_a_domain_error() -> None:
    partial = RuleSet("P", D(2030, 1, 1), "test", {K.SUBSANACION: Rule(3, True, "notification")})
    with pytest.raises(NoRuleSetInForce):
        partial.rule(K.GRANT_LIMIT)


def test_rule_validation() -> None:
    with pytest.raises(ValueError, match="unknown trigger"):
        Rule(1, True, "whenever")
    with pytest.raises(ValueError, match="backwards"):
        Rule(-1, True, "act")


def test_calendar_day_rule(cal: BusinessCalendar) -> None:
    rs = RuleSet("C", D(2020, 1, 1), "test", {K.DECISION: Rule(10, False, "act")})
    # 27 Jul + 10 calendar days = Thu 6 Aug 2026 (Batalla de Junín, a holiday): the term
    # ends on the next business day, Fri 7 Aug (TUO LPAG art. 145.3).
    assert compute_due(rs, K.DECISION, D(2026, 7, 27), cal) == D(2026, 8, 7)
    # 24 Jul + 10 = Mon 3 Aug, a business day: no roll.
    assert compute_due(rs, K.DECISION, D(2026, 7, 24), cal) == D(2026, 8, 3)


@pytest.mark.parametrize(
    ("kind", "trigger", "due"),
    [
        # Filed Mon 27 Jul 2026 (Tue 28 / Wed 29 Fiestas Patrias, Thu 6 Aug Junín).
        (K.VERIFY_REQUIREMENTS, D(2026, 7, 27), D(2026, 7, 31)),
        (K.NOTIFY_MEASURES, D(2026, 7, 27), D(2026, 8, 10)),
        # GRANT_LIMIT: "15 bd from the day after filing" = add_business_days(filing, 15):
        # Thu 30 Jul is day 1 ... Thu 20 Aug is day 15 (not Fri 21 Aug).
        (K.GRANT_LIMIT, D(2026, 7, 27), D(2026, 8, 20)),
        # Filed Fri 13 Nov 2026.
        (K.VERIFY_REQUIREMENTS, D(2026, 11, 13), D(2026, 11, 17)),
        (K.GRANT_LIMIT, D(2026, 11, 13), D(2026, 12, 4)),  # 16 Nov is day 1, Fri 4 Dec day 15
        (K.NOTIFY_MEASURES, D(2026, 11, 13), D(2026, 11, 24)),
        # Filed Sat 14 Nov 2026: office clocks count Monday as day 1 (no roll).
        (K.VERIFY_REQUIREMENTS, D(2026, 11, 14), D(2026, 11, 17)),
        # Verified Tue 1 Dec 2026: 5 bd skipping Tue 8 / Wed 9 Dec.
        (K.EVALUATE_MEASURES, D(2026, 12, 1), D(2026, 12, 10)),
        # HR requested Wed 31 Dec 2025: Thu 1 Jan holiday -> Fri 2, Mon 5, Tue 6.
        (K.HR_FEASIBILITY, D(2025, 12, 31), D(2026, 1, 6)),
        # Semana Santa 2026: notice Wed 1 Apr -> alegaciones Mon 6 ... Fri 10 Apr.
        (K.ALEGACIONES, D(2026, 4, 1), D(2026, 4, 10)),
        (K.DECISION, D(2026, 4, 10), D(2026, 4, 24)),
    ],
)
def test_due_dates(
    cal: BusinessCalendar, kind: DeadlineKind, trigger: dt.date, due: dt.date
) -> None:
    assert compute_due(DS_002_2020_JUS, kind, trigger, cal) == due


def test_subsanacion_notified_on_a_non_business_day_rolls_forward(cal: BusinessCalendar) -> None:
    # Notified Sat 14 Nov 2026: deemed notified Mon 16; 3 bd -> Thu 19 Nov.
    assert compute_due(DS_002_2020_JUS, K.SUBSANACION, D(2026, 11, 14), cal) == D(2026, 11, 19)
    # Notified on a business day (Mon 16 Nov): Tue, Wed, Thu -> Thu 19 Nov as well.
    assert compute_due(DS_002_2020_JUS, K.SUBSANACION, D(2026, 11, 16), cal) == D(2026, 11, 19)
    # Notified Tue 28 Jul 2026 (holiday): deemed Thu 30 Jul; 3 bd -> Tue 4 Aug.
    assert compute_due(DS_002_2020_JUS, K.SUBSANACION, D(2026, 7, 28), cal) == D(2026, 8, 4)


def test_entity_non_working_day_moves_due_dates() -> None:
    cal = BusinessCalendar([D(2026, 11, 16)])
    assert compute_due(DS_002_2020_JUS, K.VERIFY_REQUIREMENTS, D(2026, 11, 13), cal) == D(
        2026, 11, 18
    )


def test_compute_opened_triggers(cal: BusinessCalendar) -> None:
    opened = compute_opened(
        DS_002_2020_JUS,
        [K.DECISION, K.ALEGACIONES],
        act_day=D(2026, 4, 1),
        filing_day=D(2026, 3, 2),
        calendar=cal,
    )
    assert opened[K.ALEGACIONES] == (D(2026, 4, 1), D(2026, 4, 10))
    assert opened[K.DECISION] == (D(2026, 4, 10), D(2026, 4, 24))
    registration = compute_opened(
        DS_002_2020_JUS,
        [K.VERIFY_REQUIREMENTS, K.GRANT_LIMIT],
        act_day=D(2026, 7, 28),
        filing_day=D(2026, 7, 27),
        calendar=cal,
    )
    assert registration[K.GRANT_LIMIT] == (D(2026, 7, 27), D(2026, 8, 20))
    with pytest.raises(ValueError, match="alegaciones"):
        compute_opened(
            DS_002_2020_JUS,
            [K.DECISION],
            act_day=D(2026, 4, 1),
            filing_day=D(2026, 4, 1),
            calendar=cal,
        )
