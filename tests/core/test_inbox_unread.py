"""The inbox's markers of what complainants sent that no officer has opened, and the count of
what needs action today (issue 12): one query for a page's markers, whatever its length."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event
from sqlalchemy.orm import Session

from core.law.enums import DeadlineKind
from core.law.enums import MessageDirection
from core.law.enums import MessageKind
from core.law.enums import Role
from core.read import inbox
from core.storage.models import Deadline
from core.storage.models import Message

from .test_inbox import CAL
from .test_inbox import TODAY
from .test_inbox import add_case
from .test_inbox import world  # noqa: F401 - the fixture

AT = dt.datetime(2026, 3, 9, 15, tzinfo=dt.UTC)


def _message(session: Session, case_id: int, kind: MessageKind, **extra: object) -> None:
    values: dict[str, object] = {
        "case_id": case_id,
        "direction": MessageDirection.FROM_COMPLAINANT,
        "kind": kind,
        "body_sealed": b"sealed",
        "created_at": AT,
    }
    values.update(extra)
    session.add(Message(**values))


def _clock(session: Session, case, due_on: dt.date, **extra: object) -> None:  # type: ignore[no-untyped-def]
    session.add(
        Deadline(
            entity_id=case.entity_id,
            case_id=case.id,
            kind=DeadlineKind.VERIFY_REQUIREMENTS,
            party="office",
            rule_version="r",
            starts_on=due_on - dt.timedelta(days=3),
            due_on=due_on,
            **extra,
        )
    )


def test_rows_carry_what_the_office_has_not_read_by_kind(db_session, world):  # noqa: F811
    entity, other, _ana, _beto = world
    quiet, busy, answered = (add_case(db_session, entity.id) for _ in range(3))
    foreign = add_case(db_session, other.id)
    _message(db_session, busy.id, MessageKind.RETALIATION)
    _message(db_session, busy.id, MessageKind.MESSAGE)
    _message(db_session, busy.id, MessageKind.MESSAGE)
    _message(db_session, busy.id, MessageKind.PROTECTION_REQUEST)
    _message(db_session, busy.id, MessageKind.MESSAGE, read_at=AT)  # opened already
    _message(db_session, answered.id, MessageKind.SUBSANACION_RESPONSE)
    # The office's own message is never "unread by the office".
    _message(db_session, quiet.id, MessageKind.MESSAGE, direction=MessageDirection.TO_COMPLAINANT)
    _message(db_session, foreign.id, MessageKind.RETALIATION)
    db_session.flush()

    page = inbox.list_cases(db_session, entity_id=entity.id, today=TODAY, calendar=CAL)
    unread = {r.id: dict(r.unread) for r in page.rows}
    assert unread == {
        quiet.id: {},
        busy.id: {
            MessageKind.RETALIATION: 1,
            MessageKind.MESSAGE: 2,
            MessageKind.PROTECTION_REQUEST: 1,
        },
        answered.id: {MessageKind.SUBSANACION_RESPONSE: 1},
    }


def test_a_page_of_markers_costs_one_query_whatever_its_length(db_session, world, engine):  # noqa: F811
    entity, _other, _ana, _beto = world

    def statements(n_cases: int) -> int:
        for _ in range(n_cases):
            case = add_case(db_session, entity.id)
            _message(db_session, case.id, MessageKind.MESSAGE)
        db_session.flush()
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", count)
        try:
            inbox.list_cases(db_session, entity_id=entity.id, today=TODAY, calendar=CAL, limit=200)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    few = statements(2)
    assert few > 0  # the listener sees this session's statements
    assert statements(40) == few  # no per-row query


def test_action_today_counts_clocks_due_up_to_today_and_unread_items(db_session, world):  # noqa: F811
    entity, other, _ana, _beto = world
    a, b = add_case(db_session, entity.id), add_case(db_session, entity.id)
    _clock(db_session, a, TODAY - dt.timedelta(days=1))  # overdue
    _clock(db_session, b, TODAY - dt.timedelta(days=7))  # overdue
    _clock(db_session, a, TODAY)  # due today
    _clock(db_session, b, TODAY + dt.timedelta(days=1))  # tomorrow: not today's work
    _clock(db_session, a, TODAY - dt.timedelta(days=2), satisfied_at=AT)  # done
    _clock(db_session, add_case(db_session, other.id), TODAY)  # another entity's
    _message(db_session, a.id, MessageKind.RETALIATION)
    _message(db_session, b.id, MessageKind.MESSAGE)
    _message(db_session, b.id, MessageKind.MESSAGE, read_at=AT)
    db_session.flush()
    counts = inbox.action_today(db_session, entity_id=entity.id, today=TODAY)
    assert (counts.overdue, counts.due_today, counts.unread, counts.total) == (2, 1, 2, 5)


def test_action_today_keeps_to_the_viewers_scope(db_session, world):  # noqa: F811
    entity, _other, _ana, _beto = world
    # RG 4.9: a complaint against the OII is the titular's alone.
    against_oii = add_case(db_session, entity.id, against_oii=True)
    _message(db_session, against_oii.id, MessageKind.MESSAGE)
    _clock(db_session, against_oii, TODAY)
    db_session.flush()
    officer = inbox.action_today(db_session, entity_id=entity.id, today=TODAY, viewer=Role.OFFICER)
    assert officer.total == 0
    titular = inbox.action_today(db_session, entity_id=entity.id, today=TODAY, viewer=Role.TITULAR)
    assert (titular.due_today, titular.unread) == (1, 1)


def test_action_today_stops_counting_past_its_cap(db_session, world, monkeypatch):  # noqa: F811
    entity, _other, _ana, _beto = world
    monkeypatch.setattr(inbox, "ACTION_CAP", 3)
    for _ in range(6):
        case = add_case(db_session, entity.id)
        _clock(db_session, case, TODAY - dt.timedelta(days=1))
        _message(db_session, case.id, MessageKind.MESSAGE)
    db_session.flush()
    counts = inbox.action_today(db_session, entity_id=entity.id, today=TODAY)
    assert (counts.overdue, counts.unread) == (4, 4)  # the cap + 1: "more than 3"
    assert counts.capped
