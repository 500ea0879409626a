"""Business-day calendar: weekends, Peruvian holidays (holidays package), entity days.

Facts from `holidays` 0.109 for Peru, written out so a package update that changes them is
noticed here rather than in a deadline:
- 2026: Thu 2 Apr and Fri 3 Apr (Jueves/Viernes Santo), Fri 1 May, Mon 29 Jun, Thu 23 Jul
  (Fuerza Aérea), Tue 28 Jul and Wed 29 Jul (Fiestas Patrias), Thu 6 Aug (Junín), Thu 8 Oct,
  Tue 8 Dec and Wed 9 Dec, Fri 25 Dec; Thu 1 Jan 2026 and Fri 1 Jan 2027.
- Mon 27 Jul 2026 is NOT a holiday in the package: the "días no laborables" the Executive decrees
  for the public sector (often the bridge days around Fiestas Patrias) are not in it, so an
  entity enters them as configured non-working days (tested below).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from core.law.calendar import BusinessCalendar

D = dt.date


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar()


@pytest.mark.parametrize(
    ("day", "name_fragment"),
    [
        (D(2026, 1, 1), "New Year"),
        (D(2026, 4, 2), "Maundy Thursday"),
        (D(2026, 4, 3), "Good Friday"),
        (D(2026, 5, 1), "Labor"),
        (D(2026, 6, 29), "Peter"),
        (D(2026, 7, 23), "Air Force"),
        (D(2026, 7, 28), "Independence"),
        (D(2026, 7, 29), "Military Parade"),
        (D(2026, 8, 6), "Jun"),
        (D(2026, 10, 8), "Angamos"),
        (D(2026, 12, 8), "Immaculate"),
        (D(2026, 12, 9), "Ayacucho"),
        (D(2026, 12, 25), "Christmas"),
        (D(2027, 1, 1), "New Year"),
    ],
)
def test_national_holidays_on_weekdays_are_not_business_days(
    cal: BusinessCalendar, day: dt.date, name_fragment: str
) -> None:
    assert day.weekday() < 5
    assert not cal.is_business_day(day)
    name = cal.holiday_name(day)
    assert name is not None


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 7, 27),  # Monday before Fiestas Patrias: not in the package
        D(2026, 7, 30),
        D(2026, 7, 31),
        D(2026, 12, 24),
        D(2026, 12, 31),
        D(2026, 1, 2),
        D(2026, 4, 1),
        D(2026, 4, 6),  # Monday after Easter
    ],
)
def test_ordinary_weekdays_are_business_days(cal: BusinessCalendar, day: dt.date) -> None:
    assert cal.is_business_day(day)


def test_weekends_are_not_business_days(cal: BusinessCalendar) -> None:
    assert not cal.is_business_day(D(2026, 7, 25))  # Saturday
    assert not cal.is_business_day(D(2026, 7, 26))  # Sunday


def test_counting_starts_the_day_after(cal: BusinessCalendar) -> None:
    # Tue 3 Nov 2026 -> 1st business day is Wed 4 Nov.
    assert cal.add_business_days(D(2026, 11, 3), 1) == D(2026, 11, 4)
    assert cal.add_business_days(D(2026, 11, 3), 0) == D(2026, 11, 3)


def test_filing_on_27_july_2026_crosses_fiestas_patrias_and_junin(cal: BusinessCalendar) -> None:
    # Mon 27 Jul; Tue 28 and Wed 29 are holidays; Thu 6 Aug (Junín) is a holiday.
    filed = D(2026, 7, 27)
    assert cal.add_business_days(filed, 1) == D(2026, 7, 30)
    assert cal.add_business_days(filed, 2) == D(2026, 7, 31)
    assert cal.add_business_days(filed, 3) == D(2026, 8, 3)
    assert cal.add_business_days(filed, 5) == D(2026, 8, 5)
    assert cal.add_business_days(filed, 7) == D(2026, 8, 10)  # skips Thu 6 Aug
    assert cal.add_business_days(filed, 15) == D(2026, 8, 20)


def test_entity_non_working_day_27_july_2026() -> None:
    # An entity that adopts 27 Jul 2026 as a non-working day: a filing on Fri 24 Jul has
    # its first business day on Thu 30 Jul (Sat, Sun, Mon entity day, Tue, Wed holidays).
    cal = BusinessCalendar([D(2026, 7, 27)])
    assert not cal.is_business_day(D(2026, 7, 27))
    assert cal.add_business_days(D(2026, 7, 24), 1) == D(2026, 7, 30)
    assert BusinessCalendar().add_business_days(D(2026, 7, 24), 1) == D(2026, 7, 27)
    assert cal.extra_non_working == frozenset({D(2026, 7, 27)})


def test_friday_filing(cal: BusinessCalendar) -> None:
    # Fri 13 Nov 2026: Mon 16 is day 1, Tue 17 day 2.
    assert cal.add_business_days(D(2026, 11, 13), 2) == D(2026, 11, 17)


def test_saturday_filing_counts_from_monday(cal: BusinessCalendar) -> None:
    # Sat 14 Nov 2026: the day itself never counts; Mon 16 is day 1.
    assert cal.add_business_days(D(2026, 11, 14), 1) == D(2026, 11, 16)
    assert cal.add_business_days(D(2026, 11, 14), 2) == D(2026, 11, 17)


def test_new_year(cal: BusinessCalendar) -> None:
    # Wed 31 Dec 2025 -> Thu 1 Jan 2026 holiday -> Fri 2 Jan is day 1, Mon 5 Jan day 2.
    assert cal.add_business_days(D(2025, 12, 31), 1) == D(2026, 1, 2)
    assert cal.add_business_days(D(2025, 12, 31), 2) == D(2026, 1, 5)
    # Across a year boundary the next year loads lazily: Thu 31 Dec 2026 -> Fri 1 Jan 2027.
    assert cal.add_business_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_semana_santa(cal: BusinessCalendar) -> None:
    # Wed 1 Apr 2026; Thu 2 and Fri 3 holidays -> Mon 6 day 1, Tue 7 day 2, Wed 8 day 3.
    assert cal.add_business_days(D(2026, 4, 1), 1) == D(2026, 4, 6)
    assert cal.add_business_days(D(2026, 4, 1), 3) == D(2026, 4, 8)
    # 2027: Thu 25 and Fri 26 March.
    assert cal.add_business_days(D(2027, 3, 24), 1) == D(2027, 3, 29)


def test_negative_counts_backwards(cal: BusinessCalendar) -> None:
    assert cal.add_business_days(D(2026, 7, 30), -1) == D(2026, 7, 27)


def test_business_days_between_is_signed(cal: BusinessCalendar) -> None:
    assert cal.business_days_between(D(2026, 7, 27), D(2026, 7, 31)) == 2
    assert cal.business_days_between(D(2026, 7, 31), D(2026, 7, 27)) == -2
    assert cal.business_days_between(D(2026, 7, 27), D(2026, 7, 27)) == 0
    # Due on a business day, today a Saturday before it: Monday counts.
    assert cal.business_days_between(D(2026, 11, 14), D(2026, 11, 16)) == 1


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 7, 10, 15, 30])
@pytest.mark.parametrize(
    "start", [D(2026, 7, 24), D(2026, 7, 27), D(2026, 3, 31), D(2026, 12, 23), D(2026, 11, 14)]
)
def test_between_inverts_add(cal: BusinessCalendar, start: dt.date, n: int) -> None:
    assert cal.business_days_between(start, cal.add_business_days(start, n)) == n


def test_preloaded_years_match_lazy_lookup() -> None:
    pre = BusinessCalendar(years=[2026])
    lazy = BusinessCalendar()
    days = [D(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    assert [pre.is_business_day(d) for d in days] == [lazy.is_business_day(d) for d in days]


@given(
    start=st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31)),
    n=st.integers(min_value=1, max_value=40),
    extra=st.sets(st.dates(min_value=D(2024, 1, 1), max_value=D(2031, 6, 30)), max_size=5),
)
@settings(max_examples=200, deadline=None)
def test_add_business_days_properties(start: dt.date, n: int, extra: set[dt.date]) -> None:
    cal = BusinessCalendar(extra)
    due = cal.add_business_days(start, n)
    # The due day is a business day after the start, exactly n business days away,
    # and the day before it leaves one business day to go.
    assert due > start
    assert cal.is_business_day(due)
    assert cal.business_days_between(start, due) == n
    assert cal.business_days_between(start, due - dt.timedelta(days=1)) == n - 1
    back = cal.add_business_days(due, -n)
    if cal.is_business_day(start):
        assert back == start
    else:
        assert back < start
