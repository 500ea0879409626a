"""Peruvian business-day calendar for statutory deadlines (docs/workflow.md).

A day is a business day (día hábil) unless it is a Saturday or Sunday, a national holiday
(the `holidays` package, country "PE"), or an extra non-working day. Days the Executive
declares non-working for the public sector (días no laborables, decreed year by year by the
PCM) are not in the `holidays` package: the platform administrator enters them once for every
entity, and each entity may add its own (core.services.calendar_admin).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import holidays

_ONE_DAY = dt.timedelta(days=1)

# Peru keeps UTC-5 all year (no daylight saving since 1994): a fixed offset avoids depending
# on the tz database being installed.
PERU_TZ = dt.timezone(dt.timedelta(hours=-5), "PET")


def local_day(moment: dt.datetime) -> dt.date:
    """The calendar day in Peru of an aware datetime (deadlines count Peruvian days)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware (UTC) datetime")
    return moment.astimezone(PERU_TZ).date()


class BusinessCalendar:
    """Business days in Peru, plus an entity's own non-working days."""

    def __init__(
        self,
        extra_non_working: Iterable[dt.date] = (),
        *,
        years: Iterable[int] = (),
        country: str = "PE",
    ) -> None:
        # expand=True fills further years lazily on first lookup; `years` only pre-loads.
        self._holidays = holidays.country_holidays(country, years=list(years), expand=True)
        self._extra = frozenset(extra_non_working)

    @property
    def extra_non_working(self) -> frozenset[dt.date]:
        return self._extra

    def holiday_name(self, day: dt.date) -> str | None:
        """The national holiday's name on `day`, if any."""
        name = self._holidays.get(day)
        return None if name is None else str(name)

    def is_business_day(self, day: dt.date) -> bool:
        """True on a weekday that is neither a national holiday nor an entity non-working day."""
        if day.weekday() >= 5:
            return False
        if day in self._extra:
            return False
        return day not in self._holidays

    def next_business_day(self, day: dt.date) -> dt.date:
        """The first business day strictly after `day`."""
        current = day + _ONE_DAY
        while not self.is_business_day(current):
            current += _ONE_DAY
        return current

    def add_business_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th business day after `start` (LPAG: counting starts the day after).

        `start` itself never counts, whether or not it is a business day: a trigger on a
        Saturday makes the following Monday (if a business day) day 1. `n == 0` returns
        `start`; a negative `n` counts backwards the same way.
        """
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        current = start
        while remaining:
            current += step
            if self.is_business_day(current):
                remaining -= 1
        return current

    def business_days_between(self, a: dt.date, b: dt.date) -> int:
        """Business days in (a, b] when b >= a, or minus those in (b, a] when b < a.

        `business_days_between(today, due)` is "business days left": 0 when due today,
        negative when overdue. It is the inverse of `add_business_days` on business days.
        """
        if b == a:
            return 0
        sign = 1 if b > a else -1
        low, high = (a, b) if b > a else (b, a)
        count = 0
        current = low + _ONE_DAY
        while current <= high:
            if self.is_business_day(current):
                count += 1
            current += _ONE_DAY
        return sign * count
