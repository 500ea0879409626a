"""Inbox queries: filters, both sorts, keyset pagination and the due/overdue view."""

from __future__ import annotations

import base64
import datetime as dt
import itertools

import pytest
from factories import make_entity
from factories import make_officer
from sqlalchemy import insert
from sqlalchemy.orm import Session

from core.law.calendar import BusinessCalendar
from core.law.enums import CaseState
from core.law.enums import DeadlineKind
from core.law.enums import Modality
from core.law.enums import Motive
from core.law.enums import Role
from core.read import due_clocks
from core.read import inbox
from core.storage.models import Case
from core.storage.models import Deadline

TODAY = dt.date(2026, 3, 10)  # a Tuesday
CAL = BusinessCalendar()
_seq = itertools.count(1)


def add_case(session: Session, entity_id: int, **overrides: object) -> Case:
    """A bare case row with clear metadata only (no blobs): enough for the inbox."""
    n = next(_seq)
    values: dict[str, object] = {
        "entity_id": entity_id,
        "code": f"D-2026-{n:06d}",
        "modality": Modality.ANONYMOUS,
        "motive_1": Motive.MISUSE_OF_RESOURCES,
        "motive_2": None,
        "state": CaseState.VERIFYING,
        "filed_at": dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC) + dt.timedelta(hours=n),
        "receipt_lookup": f"{n:064x}",
        "receipt_salt": b"s" * 16,
        "complainant_recipient": "age1dummy",
        "report_sha256": "0" * 64,
        "acknowledgement_signature": b"sig",
    }
    values.update(overrides)
    case = Case(**values)
    session.add(case)
    session.flush()
    return case


@pytest.fixture
def world(db_session: Session, settings):  # type: ignore[no-untyped-def]
    ent = make_entity(db_session, settings, pq=False)
    other = make_entity(db_session, settings, name="Otra Entidad", pq=False)
    ana = make_officer(db_session, settings, ent, username="ana", grant=False).officer
    beto = make_officer(db_session, settings, ent, username="beto", role=Role.HEAD, grant=False)
    return ent.entity, other.entity, ana, beto.officer


def walk(session: Session, entity_id: int, **kwargs: object) -> list[inbox.InboxRow]:
    rows: list[inbox.InboxRow] = []
    cursor = None
    while True:
        page = inbox.list_cases(
            session, entity_id=entity_id, today=TODAY, calendar=CAL, cursor=cursor, **kwargs
        )
        rows.extend(page.rows)
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


def test_filed_sort_walks_every_case_newest_first_without_repeats(db_session, world):
    entity, other, _, _ = world
    # Given 23 cases, two sharing a filing instant, and one case of another entity
    cases = [add_case(db_session, entity.id) for _ in range(21)]
    same = cases[5].filed_at
    cases += [add_case(db_session, entity.id, filed_at=same) for _ in range(2)]
    add_case(db_session, other.id)

    # When walking the inbox five at a time
    rows = walk(db_session, entity.id, limit=5)

    # Then every case of the entity appears once, newest first, ties broken by id
    expected = sorted(cases, key=lambda c: (c.filed_at, c.id), reverse=True)
    assert [r.id for r in rows] == [c.id for c in expected]


def test_deadline_sort_puts_dated_cases_first_then_undated(db_session, world):
    entity, _, _, _ = world
    dated = [
        add_case(db_session, entity.id, next_deadline_on=TODAY + dt.timedelta(days=d))
        for d in (5, -2, 0, 5, 1, 3, -7)
    ]
    undated = [add_case(db_session, entity.id, state=CaseState.FORWARDED) for _ in range(4)]

    rows = walk(db_session, entity.id, sort="deadline", limit=3)

    expected = sorted(dated, key=lambda c: (c.next_deadline_on, c.id)) + sorted(
        undated, key=lambda c: c.id
    )
    assert [r.id for r in rows] == [c.id for c in expected]


def test_row_shows_business_days_left_and_overdue(db_session, world):
    entity, _, ana, _ = world
    add_case(
        db_session,
        entity.id,
        next_deadline_on=dt.date(2026, 3, 13),  # Friday: 3 business days after Tuesday
        next_deadline_kind=DeadlineKind.VERIFY_REQUIREMENTS,
        assigned_officer_id=ana.id,
        motive_2=Motive.INFLUENCE_PEDDLING,
    )
    add_case(db_session, entity.id, next_deadline_on=dt.date(2026, 3, 6))  # previous Friday

    page = inbox.list_cases(db_session, entity_id=entity.id, today=TODAY, calendar=CAL)
    late, soon = sorted(page.rows, key=lambda r: r.next_deadline_on or TODAY)

    assert soon.business_days_left == 3
    assert not soon.overdue
    assert soon.assigned_officer_name == "ana"
    assert soon.motives == (Motive.MISUSE_OF_RESOURCES, Motive.INFLUENCE_PEDDLING)
    assert late.business_days_left == -2
    assert late.overdue


@pytest.mark.parametrize("sort", ["filed", "deadline"])
def test_filters(db_session, world, sort):
    entity, _, ana, beto = world
    a = add_case(
        db_session,
        entity.id,
        state=CaseState.OBSERVED,
        modality=Modality.RESERVED,
        assigned_officer_id=ana.id,
        next_deadline_on=TODAY - dt.timedelta(days=1),
    )
    b = add_case(
        db_session,
        entity.id,
        motive_1=Motive.IRREGULAR_PROCUREMENT,
        motive_2=Motive.INFLUENCE_PEDDLING,
        assigned_officer_id=beto.id,
        next_deadline_on=TODAY,
    )
    c = add_case(db_session, entity.id, state=CaseState.FORWARDED)

    def ids(**flt: object) -> set[int]:
        filters = inbox.InboxFilter(**flt)  # type: ignore[arg-type]
        return {r.id for r in walk(db_session, entity.id, filters=filters, sort=sort, limit=2)}

    assert ids() == {a.id, b.id, c.id}
    assert ids(states=frozenset({CaseState.OBSERVED, CaseState.FORWARDED})) == {a.id, c.id}
    assert ids(modality=Modality.RESERVED) == {a.id}
    assert ids(motive=Motive.INFLUENCE_PEDDLING) == {b.id}  # second motive counts
    assert ids(assigned_officer_id=ana.id) == {a.id}
    assert ids(unassigned=True) == {c.id}
    assert ids(overdue=True) == {a.id}  # due today is not overdue
    assert ids(code=b.code.lower()) == {b.id}
    assert ids(code=b.code[:-1]) >= {b.id}
    assert ids(code="X-1999") == set()


@pytest.mark.parametrize("sort", ["filed", "deadline"])
def test_code_search_lists_by_code_newest_first_across_pages(db_session, world, sort):
    entity, other, _, _ = world
    # Given codes of two years (numbered in filing order) and a case of another entity
    mine = [
        add_case(db_session, entity.id, code=code, next_deadline_on=TODAY)
        for code in ("D-2025-000007", "D-2026-000001", "D-2025-000010", "D-2026-000002")
    ]
    add_case(db_session, other.id, code="D-2026-000003")
    add_case(db_session, entity.id, code="E-2026-000001")

    def codes(prefix: str) -> list[str]:
        flt = inbox.InboxFilter(code=prefix)
        return [r.code for r in walk(db_session, entity.id, filters=flt, sort=sort, limit=1)]

    # Then any prefix, "D" included, lists this entity's matches by code, highest first,
    # one page at a time without repeats, whichever sort was asked for
    assert codes("d") == sorted((c.code for c in mine), reverse=True)
    assert codes("D-2025") == ["D-2025-000010", "D-2025-000007"]
    assert codes("D-2026-00000") == ["D-2026-000002", "D-2026-000001"]
    page = inbox.list_cases(
        db_session,
        entity_id=entity.id,
        today=TODAY,
        calendar=CAL,
        filters=inbox.InboxFilter(code="D"),
        sort=sort,  # type: ignore[arg-type]
    )
    assert page.sort == "code"


def test_code_search_keeps_other_filters(db_session, world):
    entity, _, _, _ = world
    a = add_case(db_session, entity.id, code="D-2026-000101", state=CaseState.OBSERVED)
    add_case(db_session, entity.id, code="D-2026-000102", state=CaseState.VERIFYING)
    flt = inbox.InboxFilter(code="D-2026-0001", states=frozenset({CaseState.OBSERVED}))
    assert [r.id for r in walk(db_session, entity.id, filters=flt, limit=1)] == [a.id]


def test_find_by_code_is_exact_and_entity_scoped(db_session, world):
    entity, other, _, _ = world
    case = add_case(db_session, entity.id)
    assert (
        inbox.find_by_code(db_session, entity_id=entity.id, code=f" {case.code.lower()} ") is case
    )
    assert inbox.find_by_code(db_session, entity_id=other.id, code=case.code) is None


@pytest.mark.parametrize("cursor", ["not-base64!", "e30", inbox._encode({"s": "filed", "t": 1})])
def test_bad_cursor_is_refused(db_session, world, cursor):
    entity, _, _, _ = world
    with pytest.raises(inbox.InvalidCursor):
        inbox.list_cases(db_session, entity_id=entity.id, today=TODAY, calendar=CAL, cursor=cursor)


_FORGED = [
    # Ids beyond a BIGINT overflow the driver (SQLite and psycopg both raise).
    inbox._encode({"s": "filed", "t": "2026-01-01T00:00:00+00:00", "i": 10**30}),
    inbox._encode({"s": "deadline", "p": 1, "d": "2026-01-01", "i": 10**30}),
    inbox._encode({"s": "deadline", "p": 2, "i": -1}),
    inbox._encode({"s": "due", "d": "2026-01-01", "i": 2**63}),
    # Not an id at all: a string (an injection attempt), a float, a boolean.
    inbox._encode({"s": "filed", "t": "2026-01-01T00:00:00+00:00", "i": "1 OR 1=1"}),
    inbox._encode({"s": "deadline", "p": 2, "i": 1.5}),
    inbox._encode({"s": "deadline", "p": 2, "i": True}),
    # A code cursor that is not a code.
    inbox._encode({"s": "code", "c": 7}),
    inbox._encode({"s": "code", "c": "D" * 40}),
    inbox._encode({"s": "code"}),
    # Deeply nested JSON (RecursionError in the decoder) and an overlong cursor.
    base64.urlsafe_b64encode(b"[" * 100_000).decode("ascii"),
    "A" * 10_000,
]


@pytest.mark.parametrize("cursor", _FORGED)
def test_forged_cursors_are_invalid_never_a_database_error(db_session, world, cursor):
    entity, _, _, _ = world
    for sort in ("filed", "deadline"):
        with pytest.raises(inbox.InvalidCursor):
            inbox.list_cases(
                db_session, entity_id=entity.id, today=TODAY, calendar=CAL, sort=sort, cursor=cursor
            )
    with pytest.raises(inbox.InvalidCursor):
        inbox.list_cases(
            db_session,
            entity_id=entity.id,
            today=TODAY,
            calendar=CAL,
            filters=inbox.InboxFilter(code="D"),
            cursor=cursor,
        )
    with pytest.raises(inbox.InvalidCursor):
        due_clocks.due_deadlines(
            db_session,
            entity_id=entity.id,
            today=TODAY,
            calendar=CAL,
            horizon_days=5,
            cursor=cursor,
        )


def test_cursor_of_another_sort_is_refused(db_session, world):
    entity, _, _, _ = world
    for _ in range(3):
        add_case(db_session, entity.id)
    page = inbox.list_cases(db_session, entity_id=entity.id, today=TODAY, calendar=CAL, limit=1)
    assert page.next_cursor
    with pytest.raises(inbox.InvalidCursor):
        inbox.list_cases(
            db_session,
            entity_id=entity.id,
            today=TODAY,
            calendar=CAL,
            sort="deadline",
            cursor=page.next_cursor,
        )


def add_deadline(session: Session, case: Case, due: dt.date, **kw: object) -> int:
    values: dict[str, object] = {
        "entity_id": case.entity_id,
        "case_id": case.id,
        "officer_id": case.assigned_officer_id,  # as core.services.case_records.open_deadlines does
        "kind": DeadlineKind.VERIFY_REQUIREMENTS,
        "party": "office",
        "rule_version": "test",
        "starts_on": due - dt.timedelta(days=3),
        "due_on": due,
    }
    values.update(kw)
    return int(session.execute(insert(Deadline).values(**values)).inserted_primary_key[0])


def test_due_view_lists_open_clocks_within_horizon_overdue_first(db_session, world):
    entity, other, ana, _ = world
    mine = add_case(db_session, entity.id, assigned_officer_id=ana.id)
    theirs = add_case(db_session, entity.id)
    late = add_deadline(db_session, mine, TODAY - dt.timedelta(days=4))
    soon = add_deadline(
        db_session, theirs, dt.date(2026, 3, 12), kind=DeadlineKind.SUBSANACION, party="complainant"
    )
    add_deadline(db_session, mine, dt.date(2026, 4, 30))  # beyond the horizon
    add_deadline(  # already satisfied
        db_session, mine, TODAY, satisfied_at=dt.datetime(2026, 3, 9, tzinfo=dt.UTC)
    )
    add_deadline(db_session, add_case(db_session, other.id), TODAY)  # another entity

    page = due_clocks.due_deadlines(
        db_session, entity_id=entity.id, today=TODAY, calendar=CAL, horizon_days=5
    )
    assert [r.deadline_id for r in page.rows] == [late, soon]
    assert page.rows[0].overdue and page.rows[0].business_days_left < 0
    assert page.rows[1].party == "complainant" and page.rows[1].business_days_left == 2
    assert page.horizon_until == dt.date(2026, 3, 17)

    mine_only = due_clocks.due_deadlines(
        db_session, entity_id=entity.id, today=TODAY, calendar=CAL, officer_id=ana.id
    )
    assert [r.deadline_id for r in mine_only.rows] == [late]
    assert mine_only.rows[0].assigned_officer_name == "ana"


def test_due_view_paginates(db_session, world):
    entity, _, _, _ = world
    case = add_case(db_session, entity.id)
    ids = [add_deadline(db_session, case, TODAY - dt.timedelta(days=i % 3)) for i in range(7)]
    seen: list[int] = []
    cursor = None
    while True:
        page = due_clocks.due_deadlines(
            db_session, entity_id=entity.id, today=TODAY, calendar=CAL, cursor=cursor, limit=3
        )
        seen += [r.deadline_id for r in page.rows]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))
