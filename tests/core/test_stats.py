"""Statistics: counts, small-cell suppression, medians, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import random
import statistics
from collections import Counter

import pytest
from factories import make_entity
from sqlalchemy.orm import Session

from core.law.calendar import BusinessCalendar
from core.law.calendar import local_day
from core.law.enums import CaseState
from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.enums import MeasureState
from core.law.enums import MeasureType
from core.law.enums import Modality
from core.law.enums import Motive
from core.read import stats
from core.read import stats_sql
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Deadline
from core.storage.models import Forwarding
from core.storage.models import Measure

_SEQ = itertools.count(1)
MONDAY = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)  # 10:00 in Lima


def _case(session: Session, entity_id: int, **kw: object) -> Case:
    n = next(_SEQ)
    values: dict[str, object] = {
        "entity_id": entity_id,
        "code": f"D-2026-{n:06d}",
        "modality": Modality.ANONYMOUS,
        "motive_1": Motive.IRREGULAR_PROCUREMENT,
        "state": CaseState.REGISTERED,
        "filed_at": MONDAY,
        "receipt_lookup": f"{n:064x}",
        "receipt_salt": b"s" * 16,
        "complainant_recipient": "age1test",
        "report_sha256": "0" * 64,
        "acknowledgement_signature": b"sig",
    }
    values.update(kw)
    case = Case(**values)
    session.add(case)
    session.flush()
    return case


@pytest.fixture
def entity_id(db_session: Session, settings) -> int:  # type: ignore[no-untyped-def]
    return make_entity(db_session, settings, pq=False).entity.id


def test_suppress_small_cells_and_complement():
    table = stats.suppress("x", {"a": 3, "b": 10, "c": 7, "d": 0})
    shown = {c.key: c.shown for c in table.cells}
    # 3 is small; alone it could be recovered from the total, so the smallest other
    # non-zero cell (7) is hidden too; zero stays visible.
    assert shown == {"a": "<5", "b": "10", "c": "•", "d": "0"}
    assert table.total_shown == "20"


def test_two_small_cells_that_pin_each_other_get_a_complement():
    # 4 + 4 = 8 would be recoverable (both must be 4)
    table = stats.suppress("x", {"a": 4, "b": 4, "c": 30})
    assert [c.shown for c in table.cells] == ["<5", "<5", "•"]
    assert table.total_shown == "38"


def test_two_small_cells_need_no_complement():
    table = stats.suppress("x", {"a": 3, "b": 2, "c": 9})
    assert [c.shown for c in table.cells] == ["<5", "<5", "9"]
    assert table.total_shown == "14"


def test_lone_small_cell_with_only_a_minimal_partner_hides_the_total():
    table = stats.suppress("x", {"a": 1, "b": 5})
    assert [c.shown for c in table.cells] == ["<5", "•"]
    assert table.total_shown == "•"


def test_small_total_is_suppressed():
    table = stats.suppress("x", {"a": 3, "b": 0})
    assert [c.shown for c in table.cells] == ["<5", "0"]
    assert table.total_shown == "<5"


def test_no_suppression_for_large_counts():
    table = stats.suppress("x", {"a": 5, "b": 6})
    assert [c.shown for c in table.cells] == ["5", "6"]
    assert table.total_shown == "11"


@pytest.mark.parametrize(
    "counts",
    [
        {"a": 1, "b": 5, "c": 6},
        {"a": 4, "b": 50},
        {"a": 2, "b": 3, "c": 20},
        {"a": 1, "b": 0, "c": 0, "d": 12, "e": 7},
        {"a": 4, "b": 4, "c": 6, "d": 7},
        {"a": 1, "b": 6, "c": 5, "d": 40},
        {"a": 3, "b": 1, "c": 2, "d": 9},
    ],
)
def test_no_small_cell_is_recoverable_from_total(counts):
    # Property: knowing the total and the visible cells, each "<5" cell keeps at least
    # two candidate values (brute force over every assignment consistent with the display).
    table = stats.suppress("x", counts)
    if table.total_shown in ("<5", "•"):
        return
    hidden = [c for c in table.cells if c.suppressed]
    budget = table.total - sum(c.count for c in table.cells if not c.suppressed)
    ranges = [range(1, 5) if c.shown == "<5" else range(5, budget + 1) for c in hidden]
    for i, cell in enumerate(hidden):
        if cell.shown != "<5":
            continue
        possible = {combo[i] for combo in itertools.product(*ranges) if sum(combo) == budget}
        assert len(possible) >= 2, (counts, cell.key, possible)


def test_report_counts_and_timings(db_session: Session, entity_id: int):
    # Given 6 cases: 5 anonymous, 1 reserved; all verified 2 business days after filing
    cases = []
    for i in range(6):
        case = _case(
            db_session,
            entity_id,
            modality=Modality.RESERVED if i == 0 else Modality.ANONYMOUS,
            motive_2=Motive.OTHER_ETHICS if i < 2 else None,
            state=CaseState.FORWARDED,
        )
        cases.append(case)
        db_session.add(
            CaseEvent(
                case_id=case.id,
                kind="case.verify_requirements",
                at=MONDAY + dt.timedelta(days=2),
                from_state="en_verificacion",
                to_state="en_evaluacion_medidas",
                data={},
            )
        )
        db_session.add(
            Forwarding(
                case_id=case.id,
                destination=Destination.STPAD,
                at=MONDAY + dt.timedelta(days=7),  # the next Monday: 5 business days
            )
        )
        db_session.add(
            Deadline(
                entity_id=entity_id,
                case_id=case.id,
                kind=DeadlineKind.VERIFY_REQUIREMENTS,
                rule_version="test",
                starts_on=MONDAY.date(),
                due_on=MONDAY.date() + dt.timedelta(days=2),
                satisfied_at=MONDAY + dt.timedelta(days=2 if i else 5),
            )
        )
    db_session.add(
        Measure(
            case_id=cases[0].id,
            type=MeasureType.IDENTITY_RESERVE,
            beneficiary="denunciante",
            state=MeasureState.GRANTED,
            decided_at=MONDAY + dt.timedelta(days=1),
        )
    )
    db_session.flush()
    # When the report is built
    report = stats.build_report(db_session, entity_id=entity_id, now=MONDAY + dt.timedelta(days=30))
    # Then counts are right, small ones suppressed
    assert report.cases == 6
    modality = {c.key: c.shown for c in report.table("modality").cells}
    assert modality["con_reserva"] == "<5"
    # 1 + 5: hiding the 5 is not enough (5 >= 5 forces the other to be 1): total hidden
    assert modality["anonima"] == "•"
    assert report.table("modality").total_shown == "•"
    state = {c.key: c.count for c in report.table("state").cells}
    assert state["derivada"] == 6
    motive = {c.key: c.count for c in report.table("motive").cells}
    assert motive["contratacion_irregular"] == 6
    assert motive["otros_actos"] == 2
    deadlines = {c.key: c.count for c in report.table("deadlines").cells}
    assert deadlines == {"met": 5, "missed": 1, "open": 0}
    timings = {t.act: t for t in report.timings}
    assert timings["verification"].median_business_days == 2
    assert timings["verification"].median_calendar_days == 2
    assert timings["forwarding"].median_business_days == 5
    assert timings["forwarding"].median_calendar_days == 7
    # One measure decision only: its median is not shown
    assert timings["measure_decision"].cases == 1
    assert timings["measure_decision"].median_business_days is None


def test_report_is_scoped_to_entity_and_period(db_session: Session, entity_id: int, settings):
    other = make_entity(db_session, settings, name="Otra Entidad", pq=False).entity.id
    _case(db_session, entity_id)
    _case(db_session, other)
    _case(db_session, entity_id, filed_at=MONDAY - dt.timedelta(days=60))
    report = stats.build_report(
        db_session,
        entity_id=entity_id,
        now=MONDAY,
        period_from=MONDAY.date() - dt.timedelta(days=1),
        period_to=MONDAY.date(),
    )
    assert report.cases == 1
    assert report.table("state").total_shown == "<5"


def test_open_deadline_past_due_is_missed(db_session: Session, entity_id: int):
    case = _case(db_session, entity_id)
    deadline = Deadline(
        entity_id=entity_id,
        case_id=case.id,
        kind=DeadlineKind.VERIFY_REQUIREMENTS,
        rule_version="t",
        starts_on=MONDAY.date(),
        due_on=MONDAY.date(),
    )
    assert stats.deadline_outcome(deadline, MONDAY.date()) == "open"
    assert stats.deadline_outcome(deadline, MONDAY.date() + dt.timedelta(days=1)) == "missed"


def test_csv_keeps_suppression(db_session: Session, entity_id: int):
    for _ in range(3):
        _case(db_session, entity_id)
    report = stats.build_report(db_session, entity_id=entity_id, now=MONDAY)
    rows = list(csv.reader(io.StringIO(stats.to_csv(report, {"anonima": "Anónima"}))))
    assert rows[0] == ["section", "key", "label", "value"]
    anonymous = next(r for r in rows if r[0] == "modality" and r[1] == "anonima")
    assert anonymous == ["modality", "anonima", "Anónima", "<5"]
    totals = [r for r in rows if r[0] == "modality" and r[1] == "total"]
    assert totals[0][3] == "<5"
    # No cell anywhere in the CSV holds a count from 1 to 4
    assert not any(r[3] in {"1", "2", "3", "4"} for r in rows[1:])


def test_report_follows_the_real_case_services(db_session: Session, settings):
    # Given 5 complaints filed through the intake on a Monday, verified on Tuesday and
    # forwarded on Thursday by the real workflow services
    from case_factory import DEFAULT_NOW
    from case_factory import make_case
    from factories import make_officer

    from core.law.workflow import Act
    from core.services.case_records import calendar_for
    from core.services.cases import apply_act

    ent = make_entity(db_session, settings, pq=False)
    officer = make_officer(db_session, settings, ent).officer
    calendar = calendar_for(db_session, ent.entity)
    recipients = [ent.office.recipient()]
    for _ in range(5):
        case = make_case(db_session, settings, ent, now=DEFAULT_NOW).case
        for act, days, extra in (
            (Act.VERIFY_REQUIREMENTS, 1, {}),
            (
                Act.FORWARD,
                3,
                {"destination": Destination.OTHER_ENTITY, "destination_name": "Contraloría"},
            ),
        ):
            apply_act(
                db_session,
                case,
                act,
                officer=officer,
                reasoning="Motivación.",
                now=DEFAULT_NOW + dt.timedelta(days=days),
                calendar=calendar,
                office_recipients=recipients,
                **extra,  # type: ignore[arg-type]
            )
    # When the statistics are built
    report = stats.build_report(
        db_session, entity_id=ent.entity.id, now=DEFAULT_NOW + dt.timedelta(days=10)
    )
    # Then they reflect the recorded acts
    assert {c.key: c.shown for c in report.table("state").cells}["derivada"] == "5"
    assert {c.key: c.shown for c in report.table("destination").cells}["otra_entidad"] == "5"
    timings = {t.act: t for t in report.timings}
    assert timings["verification"].median_business_days == 1
    assert timings["forwarding"].median_business_days == 3
    assert timings["forwarding"].median_calendar_days == 3
    deadlines = {c.key: c.count for c in report.table("deadlines").cells}
    assert deadlines["missed"] == 0
    assert deadlines["met"] >= 5


def test_a_hidden_total_is_not_given_away_by_another_table(db_session: Session, entity_id: int):
    # Given 8 cases: 4 registered and 4 forwarded (two "<5" cells that pin each other once
    # the total is known, so the state table hides its total), all of them anonymous
    for state in [CaseState.REGISTERED] * 4 + [CaseState.FORWARDED] * 4:
        _case(db_session, entity_id, state=state)
    report = stats.build_report(db_session, entity_id=entity_id, now=MONDAY)
    state, modality = report.table("state"), report.table("modality")
    assert state.total_shown == stats.COMPLEMENTARY
    # Then the modality table (same population) neither shows the total nor cells adding up
    # to it, so 4 + 4 cannot be worked out
    # nor does the motive table (no second motives: its total is the number of cases too)
    for table in (modality, report.table("motive")):
        assert table.total_shown == stats.COMPLEMENTARY, table.name
        visible = [int(c.shown) for c in table.cells if not c.suppressed]
        assert sum(visible) != 8, table.name
    rows = list(csv.reader(io.StringIO(stats.to_csv(report))))
    for name in ("state", "modality", "motive"):
        assert [name, "total", "total", "8"] not in rows


def test_csv_cells_cannot_start_a_formula():
    report = stats.Report(
        period_from=None,
        period_to=None,
        cases=0,
        tables=(stats.suppress("x", {"a": 7}),),
        timings=(),
        generated_at=MONDAY,
    )
    out = stats.to_csv(report, {"a": '=HYPERLINK("http://x")', "total": "+1", "x": "-2"})
    rows = list(csv.reader(io.StringIO(out)))
    for row in rows[1:]:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row


def test_periods_are_widened_to_whole_months() -> None:
    # Two reports one day apart would subtract to that day's exact counts.
    assert stats.snap_period(dt.date(2026, 3, 17), dt.date(2026, 3, 18)) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
    )
    assert stats.snap_period(dt.date(2026, 12, 5), dt.date(2027, 2, 2)) == (
        dt.date(2026, 12, 1),
        dt.date(2027, 2, 28),
    )
    assert stats.snap_period(None, dt.date(2028, 2, 10)) == (None, dt.date(2028, 2, 29))
    assert stats.snap_period(None, None) == (None, None)


def test_a_one_day_report_counts_its_whole_month(db_session: Session, entity_id: int):
    _case(db_session, entity_id)  # Monday 2 March
    _case(db_session, entity_id, filed_at=MONDAY + dt.timedelta(days=10))  # 12 March
    _case(db_session, entity_id, filed_at=MONDAY + dt.timedelta(days=31))  # 2 April
    report = stats.build_report(
        db_session,
        entity_id=entity_id,
        now=MONDAY,
        period_from=MONDAY.date(),
        period_to=MONDAY.date(),
    )
    assert report.cases == 2
    assert (report.period_from, report.period_to) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


@pytest.mark.parametrize("last", [dt.date(9999, 12, 31), dt.date(9999, 12, 1), dt.date.max])
def test_far_future_period_ends_do_not_overflow(db_session: Session, entity_id: int, last):
    _case(db_session, entity_id)
    report = stats.build_report(
        db_session, entity_id=entity_id, now=MONDAY, period_from=None, period_to=last
    )
    assert report.cases == 1
    assert report.period_to == dt.date(9999, 12, 31)


def test_database_counting_agrees_with_the_rules_at_lima_midnight(db_session: Session, entity_id):
    """The GROUP BY queries (core.read.stats_sql) count as the Python rules do, at the edges
    of a Peruvian day: 04:59 UTC is still the previous day in Lima (UTC-5), 05:00 is not."""
    rnd = random.Random(1327)
    due = dt.date(2026, 3, 4)  # a Wednesday
    edges = [dt.timedelta(hours=h, minutes=m) for h, m in ((4, 59), (5, 0), (0, 0), (23, 59))]
    today = dt.date(2026, 3, 6)
    filings: list[tuple[dt.datetime, dt.datetime]] = []
    for i in range(40):
        # Filed at a random edge of a day in the week before; verified 0-9 days later at an edge.
        filed = dt.datetime.combine(due - dt.timedelta(days=rnd.randint(0, 6)), dt.time(), dt.UTC)
        filed += rnd.choice(edges)
        verified = dt.datetime.combine(filed.date(), dt.time(), dt.UTC)
        verified += dt.timedelta(days=rnd.randint(0, 9)) + rnd.choice(edges)
        verified = max(verified, filed)
        case = _case(db_session, entity_id, filed_at=filed)
        filings.append((filed, verified))
        db_session.add(
            CaseEvent(
                case_id=case.id,
                kind="case.verify_requirements",
                at=verified,
                from_state="en_verificacion",
                to_state="requisitos_verificados",
                data={},
            )
        )
        satisfied = None
        if i % 5:  # a fifth stay open, due before, on or after today
            satisfied = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(), dt.UTC)
            satisfied += rnd.choice(edges) - dt.timedelta(days=rnd.randint(0, 1))
        db_session.add(
            Deadline(
                entity_id=entity_id,
                case_id=case.id,
                kind=DeadlineKind.VERIFY_REQUIREMENTS,
                rule_version="t",
                starts_on=due - dt.timedelta(days=2),
                due_on=due + dt.timedelta(days=rnd.randint(0, 4)) if satisfied is None else due,
                satisfied_at=satisfied,
            )
        )
    db_session.flush()
    now = dt.datetime.combine(today, dt.time(15), dt.UTC)

    report = stats.build_report(db_session, entity_id=entity_id, now=now)

    expected = Counter(
        stats.deadline_outcome(d, today)
        for d in db_session.query(Deadline).filter(Deadline.entity_id == entity_id)
    )
    assert {c.key: c.count for c in report.table("deadlines").cells} == {
        k: expected.get(k, 0) for k in ("met", "missed", "open")
    }
    assert expected["met"] and expected["missed"] and expected["open"]  # every branch taken
    cal = BusinessCalendar()
    spans = [(local_day(f), local_day(v)) for f, v in filings]
    timing = {t.act: t for t in report.timings}["verification"]
    assert timing.cases == 40
    assert timing.median_business_days == statistics.median(
        cal.business_days_between(a, b) for a, b in spans
    )
    assert timing.median_calendar_days == statistics.median((b - a).days for a, b in spans)


@pytest.mark.parametrize(
    "values",
    [[(3, 1)], [(1, 2), (5, 2)], [(2, 3), (9, 1), (0, 1)], [(4, 0), (7, 2), (1, 1)]],
)
def test_weighted_median_is_the_median_of_the_multiset(values):
    multiset = [v for v, w in values for _ in range(w)]
    assert stats_sql.weighted_median(values) == statistics.median(multiset)
