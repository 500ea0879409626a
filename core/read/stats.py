"""Non-identifying statistics for the OII's follow-up and systematisation (RG 2.1.1).

Counts by state, motive, modality, channel of receipt, forwarding destination, measure type
and deadline outcome, and median times from filing to each act. Only clear metadata is read (never
sealed content). Small counts are suppressed so that an aggregate cannot single out a
complainant in a small entity:

- a cell from 1 to 4 is shown as "<5" (0 is shown: it describes nobody);
- the total minus the visible cells gives the sum of the hidden ones; from it a lone
  "<5" cell (or two "<5" cells summing to 8) could be worked out exactly. So further
  cells, smallest first, are hidden ("complementary", shown as "•") until every "<5"
  cell has at least two possible values given that sum; if no cell is left to hide,
  the table's total is hidden ("•") instead;
- a total from 1 to 4 is suppressed; medians over fewer than 5 cases are not shown.

The tables of one report share the same population (all cases of the period), so
hiding only the total would not be enough: another table's total gives it away. That is
why complementary suppression, not total suppression, is the first remedy.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.law.calendar import PERU_TZ
from core.law.calendar import BusinessCalendar
from core.law.calendar import local_day
from core.law.enums import CaseState
from core.law.enums import Channel
from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.enums import MeasureType
from core.law.enums import Modality
from core.law.enums import Motive
from core.read import stats_sql
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Deadline
from core.storage.models import Forwarding
from core.storage.models import Measure
from core.storage.models import NationalNonWorkingDay
from core.storage.models import NonWorkingDay

THRESHOLD = 5
SMALL = "<5"
COMPLEMENTARY = "•"
VERIFICATION_EVENT = "case.verify_requirements"


@dataclass(frozen=True)
class Cell:
    key: str
    count: int
    shown: str  # the number, "<5" or "•"

    @property
    def suppressed(self) -> bool:
        return self.shown in (SMALL, COMPLEMENTARY)


@dataclass(frozen=True)
class Table:
    name: str
    cells: tuple[Cell, ...]
    total: int
    total_shown: str

    @property
    def max_count(self) -> int:
        return max((c.count for c in self.cells if not c.suppressed), default=0)


@dataclass(frozen=True)
class Timing:
    act: str
    cases: int
    median_business_days: float | None  # None when suppressed (fewer than 5 cases)
    median_calendar_days: float | None

    @property
    def cases_shown(self) -> str:
        return SMALL if 0 < self.cases < THRESHOLD else str(self.cases)


@dataclass(frozen=True)
class Report:
    period_from: dt.date | None
    period_to: dt.date | None
    cases: int
    tables: tuple[Table, ...]
    timings: tuple[Timing, ...]
    generated_at: dt.datetime
    table_index: dict[str, Table] = field(default_factory=dict)

    def table(self, name: str) -> Table:
        return self.table_index[name]


def _ambiguous(counts: Mapping[str, int], small: set[str], extra: set[str], threshold: int) -> bool:
    """True when, knowing the hidden cells' sum, every small cell has at least two
    possible values (small cells lie in 1..threshold-1, complementary ones >= threshold)."""
    hidden = small | extra
    total_hidden = sum(counts[k] for k in hidden)
    for key in small:
        others = hidden - {key}
        min_others = sum(1 if k in small else threshold for k in others)
        max_others = sum(threshold - 1 if k in small else total_hidden for k in others)
        low = max(1, total_hidden - max_others)
        high = min(threshold - 1, total_hidden - min_others)
        if high <= low:
            return False
    return True


def suppress(name: str, counts: Mapping[str, int], *, threshold: int = THRESHOLD) -> Table:
    """Apply the small-cell rule (module docstring) to one table of counts."""
    total = sum(counts.values())
    small = {key for key, value in counts.items() if 0 < value < threshold}
    extra: set[str] = set()
    total_shown = SMALL if 0 < total < threshold else str(total)
    if small and total_shown != SMALL:
        candidates = sorted((value, key) for key, value in counts.items() if value >= threshold)
        while not _ambiguous(counts, small, extra, threshold):
            if not candidates:
                # Nothing left to hide with: hide the total instead.
                total_shown = COMPLEMENTARY
                break
            extra.add(candidates.pop(0)[1])
    cells = tuple(
        Cell(
            key=key,
            count=value,
            shown=SMALL if key in small else COMPLEMENTARY if key in extra else str(value),
        )
        for key, value in counts.items()
    )
    return Table(name=name, cells=cells, total=total, total_shown=total_shown)


def hide_total(table: Table) -> Table:
    """The table's total must stay unknown: hide it, and if every non-zero cell is shown
    (their sum would give the total back), hide the smallest of them too."""
    if table.total_shown == SMALL or table.total == 0:
        return table
    cells = list(table.cells)
    if not any(c.suppressed and c.count > 0 for c in cells):
        visible = sorted((c.count, i) for i, c in enumerate(cells) if c.count > 0)
        if visible:
            i = visible[0][1]
            cells[i] = Cell(key=cells[i].key, count=cells[i].count, shown=COMPLEMENTARY)
    return Table(name=table.name, cells=tuple(cells), total=table.total, total_shown=COMPLEMENTARY)


def link_totals(tables: tuple[Table, ...], names: Iterable[str]) -> tuple[Table, ...]:
    """Tables over the same population (every case of the period, once) share their total:
    if one of them had to hide it, another must not show it (or cells that add up to it)."""
    shared = set(names)
    if not any(t.name in shared and t.total_shown == COMPLEMENTARY for t in tables):
        return tables
    return tuple(hide_total(t) if t.name in shared else t for t in tables)


def _with_keys(counter: Counter[str], keys: Iterable[str]) -> dict[str, int]:
    return {key: counter.get(key, 0) for key in keys}


def _case_filter(
    query: Any,
    entity_id: int,
    start: dt.datetime | None,
    end: dt.datetime | None,
) -> Any:
    query = query.where(Case.entity_id == entity_id)
    if start is not None:
        query = query.where(Case.filed_at >= start)
    if end is not None:
        query = query.where(Case.filed_at < end)
    return query


def snap_period(
    period_from: dt.date | None, period_to: dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    """Widen a period to whole calendar months.

    With arbitrary days, two reports differing by one day ([d1, d2] and [d1, d2 - 1])
    subtract to the exact, unsuppressed counts of that day, which can single out one
    complaint's modality and motives. Whole months keep every difference at least a
    month of filings wide (docs/operations.md, "Statistics and small counts").
    """
    start = period_from.replace(day=1) if period_from else None
    end = None
    if period_to:
        if period_to.month == 12:  # also keeps year 9999 from overflowing
            end = period_to.replace(day=31)
        else:
            end = period_to.replace(month=period_to.month + 1, day=1) - dt.timedelta(days=1)
    return start, end


def _bounds(
    period_from: dt.date | None, period_to: dt.date | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    # Days are Peruvian calendar days (UTC-5).
    start = (
        dt.datetime.combine(period_from, dt.time(), PERU_TZ).astimezone(dt.UTC)
        if period_from
        else None
    )
    # The last possible day has no "next day" to stop before: no upper bound then.
    end = (
        dt.datetime.combine(period_to + dt.timedelta(days=1), dt.time(), PERU_TZ).astimezone(dt.UTC)
        if period_to and period_to < dt.date.max
        else None
    )
    return start, end


def _median(values: list[tuple[int, int]]) -> float | None:
    """The median of (value, cases) pairs; None under THRESHOLD cases (never shown)."""
    if sum(n for _, n in values) < THRESHOLD:
        return None
    return stats_sql.weighted_median(values)


def _timing(
    act: str, pairs: list[tuple[dt.date, dt.date, int]], calendar: BusinessCalendar
) -> Timing:
    """Median business and calendar days from filing to an act, over (from, to, cases)."""
    business, calendar_days = stats_sql.business_and_calendar_days(pairs, calendar)
    return Timing(
        act=act,
        cases=sum(n for _, _, n in pairs),
        median_business_days=_median(business),
        median_calendar_days=_median(calendar_days),
    )


def deadline_outcome(deadline: Deadline, today: dt.date) -> str:
    """met | missed | open (an open deadline already past due counts as missed)."""
    if deadline.satisfied_at is not None:
        return "met" if local_day(deadline.satisfied_at) <= deadline.due_on else "missed"
    return "missed" if deadline.due_on < today else "open"


def build_report(
    session: Session,
    *,
    entity_id: int,
    now: dt.datetime,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
) -> Report:
    """Every table and timing for one entity, over cases filed in the period.

    The period is widened to whole months (`snap_period`) before anything is counted.
    """
    period_from, period_to = snap_period(period_from, period_to)
    start, end = _bounds(period_from, period_to)
    today = local_day(now)
    # Every count below is one GROUP BY in the database (core.read.stats_sql): a report over
    # a million cases reads a few hundred rows, not a million (docs/performance.md).

    def of_cases(stmt: Any, table: Any) -> Any:
        """Rows of `table` whose case is this entity's and filed in the period: a join, so
        that a small table (measures, forwardings) drives the query, not a million cases."""
        return _case_filter(stmt.join(Case, Case.id == table.case_id), entity_id, start, end)

    # One pass over the cases for the three tables that describe them.
    profile = (Case.state, Case.modality, Case.channel, Case.motive_1, Case.motive_2)
    stmt = _case_filter(select(*profile, func.count()), entity_id, start, end)
    by_state: Counter[str] = Counter()
    by_modality: Counter[str] = Counter()
    by_channel: Counter[str] = Counter()
    by_motive: Counter[str] = Counter()
    for state, modality, channel, motive_1, motive_2, count in session.execute(
        stmt.group_by(*profile)
    ):
        by_state[str(state)] += count
        by_modality[str(modality)] += count
        by_channel[str(channel)] += count
        by_motive[str(motive_1)] += count
        if motive_2 is not None:
            by_motive[str(motive_2)] += count
    total_cases = sum(by_state.values())

    forwarded = of_cases(select(Forwarding.destination, func.count()), Forwarding)
    by_destination = stats_sql.grouped(session, forwarded.group_by(Forwarding.destination))
    measured = of_cases(select(Measure.type, func.count()), Measure)
    by_measure = stats_sql.grouped(session, measured.group_by(Measure.type))

    # Without a period every clock of the entity counts: read them by entity alone.
    clocks = (
        [Deadline.entity_id == entity_id]
        if start is None and end is None
        else [Deadline.case_id.in_(_case_filter(select(Case.id), entity_id, start, end))]
    )
    outcomes = stats_sql.deadline_outcomes(session, clocks, today)
    by_outcome: Counter[str] = Counter()
    by_kind_outcome: Counter[str] = Counter()
    for (kind, outcome), count in outcomes.items():
        by_outcome[outcome] += count
        by_kind_outcome[f"{kind}:{outcome}"] += count
    kinds = [k.value for k in DeadlineKind]

    tables: tuple[Table, ...] = (
        suppress("state", _with_keys(by_state, [s.value for s in CaseState])),
        suppress("modality", _with_keys(by_modality, [m.value for m in Modality])),
        suppress("channel", _with_keys(by_channel, [c.value for c in Channel])),
        suppress("motive", _with_keys(by_motive, [m.value for m in Motive])),
        suppress("destination", _with_keys(by_destination, [d.value for d in Destination])),
        suppress("measure_type", _with_keys(by_measure, [m.value for m in MeasureType])),
        suppress("deadlines", _with_keys(by_outcome, ["met", "missed", "open"])),
        suppress(
            "deadlines_by_kind",
            {
                f"{k}:{o}": by_kind_outcome.get(f"{k}:{o}", 0)
                for k in kinds
                for o in ("met", "missed")
                if by_kind_outcome.get(f"{k}:met", 0) or by_kind_outcome.get(f"{k}:missed", 0)
            },
        ),
    )

    # State, modality and channel count each case of the period exactly once; so does the
    # motive table whenever no case has a second motive (the usual case).
    tables = link_totals(tables, ("state", "modality", "channel", "motive"))

    extra_days = session.scalars(
        select(NonWorkingDay.day).where(NonWorkingDay.entity_id == entity_id)
    ).all()
    national_days = session.scalars(select(NationalNonWorkingDay.day)).all()
    calendar = BusinessCalendar({*extra_days, *national_days})

    def spans(acts: Any) -> list[tuple[dt.date, dt.date, int]]:
        """(filing day, act day, cases) for a subquery of (filed_at, at)."""
        filed_day = stats_sql.local_date(session, acts.c.filed_at)
        act_day = stats_sql.local_date(session, acts.c.at)
        stmt = select(filed_day, act_day, func.count()).group_by(filed_day, act_day)
        return stats_sql.day_pairs(session, stmt)

    verified = (
        of_cases(select(Case.filed_at, func.min(CaseEvent.at).label("at")), CaseEvent)
        .where(CaseEvent.kind == VERIFICATION_EVENT)
        .group_by(CaseEvent.case_id, Case.filed_at)
        .subquery()
    )
    first_forward = (
        of_cases(select(Case.filed_at, func.min(Forwarding.at).label("at")), Forwarding)
        .where(Forwarding.is_copy.is_(False))
        .group_by(Forwarding.case_id, Case.filed_at)
        .subquery()
    )
    decided = (
        of_cases(select(Case.filed_at, Measure.decided_at.label("at")), Measure)
        .where(Measure.decided_at.is_not(None))
        .subquery()
    )
    timings = (
        _timing("verification", spans(verified), calendar),
        _timing("forwarding", spans(first_forward), calendar),
        _timing("measure_decision", spans(decided), calendar),
    )
    return Report(
        period_from=period_from,
        period_to=period_to,
        cases=total_cases,
        tables=tables,
        timings=timings,
        generated_at=now,
        table_index={t.name: t for t in tables},
    )


def to_csv(report: Report, labels: Mapping[str, str] | None = None) -> str:
    """The report as CSV (suppressed cells stay suppressed: "<5" or "•")."""
    labels = labels or {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def row(*values: str) -> None:
        writer.writerow([_cell(v) for v in values])

    row("section", "key", "label", "value")
    for table in report.tables:
        for cell in table.cells:
            row(table.name, cell.key, labels.get(cell.key, cell.key), cell.shown)
        row(table.name, "total", labels.get("total", "total"), table.total_shown)
    for timing in report.timings:
        for key, value in (
            ("cases", timing.cases_shown),
            ("median_business_days", _fmt(timing.median_business_days)),
            ("median_calendar_days", _fmt(timing.median_calendar_days)),
        ):
            row(f"time_to_{timing.act}", key, labels.get(key, key), value)
    return out.getvalue()


def _cell(value: str) -> str:
    """Spreadsheets run a cell starting with = + - @ (or tab/CR) as a formula: quote it."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def _fmt(value: float | None) -> str:
    if value is None:
        return SMALL
    return f"{value:g}"
