"""The subsanación request as the complainant meets it (RG 4.4; DL 8.1; docs/workflow.md,
"The subsanación term").

RG 4.4 gives the complainant 3 business days "from notification". Integra notifies through the
follow-up page, the only channel it has to an anonymous complainant: the request is shown first on
that page, and the first time the complainant opens the page while the request is pending is the day
the notification is recorded as received (TUO LPAG arts. 20.4 and 25.2). That opening is recorded
here as a `subsanacion_notice_opened` event, with no client identifier (no address, no browser, no
session id), and the complainant's clock is counted again from that day with the rules of the regime
that opened it. Until it is opened the clock keeps the provisional due day computed at the request,
and withdrawal cannot be declared (`core.services.cases.case_facts` reports no subsanación due day
to the workflow).

Services take the session first, flush and never commit (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.law.calendar import BusinessCalendar
from core.law.calendar import local_day
from core.law.enums import CaseState
from core.law.enums import DeadlineKind
from core.law.regime import regime_by_id
from core.law.rules import compute_due
from core.law.workflow import Act
from core.services.case_records import lock_case
from core.services.case_records import record_system_event
from core.services.cases import SUBSANACION_NOTICE_OPENED_EVENT
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Deadline

REQUEST_EVENT = f"case.{Act.REQUEST_SUBSANACION}"


@dataclass(frozen=True)
class PendingRequest:
    """The subsanación request the complainant must answer now."""

    request: CaseEvent
    missing_items: tuple[int, ...]
    opened_at: dt.datetime | None
    due_on: dt.date | None  # the term's last day; None until the complainant opens it


def latest_request(session: Session, case: Case) -> CaseEvent | None:
    return session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == REQUEST_EVENT)
        .order_by(CaseEvent.id.desc())
        .limit(1)
    ).first()


def opened_event(session: Session, case: Case, request: CaseEvent) -> CaseEvent | None:
    """The first opening of `request` by the complainant, if any."""
    return session.scalars(
        select(CaseEvent)
        .where(
            CaseEvent.case_id == case.id,
            CaseEvent.kind == SUBSANACION_NOTICE_OPENED_EVENT,
            CaseEvent.id > request.id,
        )
        .order_by(CaseEvent.id)
        .limit(1)
    ).first()


def _open_clock(session: Session, case: Case) -> Deadline | None:
    return session.scalars(
        select(Deadline)
        .where(
            Deadline.case_id == case.id,
            Deadline.kind == DeadlineKind.SUBSANACION,
            Deadline.measure_id.is_(None),
            Deadline.satisfied_at.is_(None),
        )
        .order_by(Deadline.id.desc())
        .limit(1)
    ).first()


def pending_request(session: Session, case: Case) -> PendingRequest | None:
    """The request awaiting the complainant's answer (the case is `observada`), or None."""
    if case.state is not CaseState.OBSERVED:
        return None
    request = latest_request(session, case)
    if request is None:
        return None
    opened = opened_event(session, case, request)
    clock = _open_clock(session, case)
    return PendingRequest(
        request=request,
        missing_items=tuple(int(i) for i in (request.data or {}).get("missing_items", [])),
        opened_at=opened.at if opened else None,
        due_on=clock.due_on if (opened and clock) else None,
    )


def record_notice_opened(
    session: Session, case: Case, *, now: dt.datetime, calendar: BusinessCalendar
) -> CaseEvent | None:
    """Record the complainant's first opening of the pending request and start their term.

    Returns the event, or None when there is no pending request or it was opened before.
    """
    first = pending_request(session, case)
    if first is None or first.opened_at is not None:
        return None  # nothing pending, or opened before: no write, no lock
    lock_case(session, case, now)  # two tabs at once record one opening
    pending = pending_request(session, case)
    if pending is None or pending.opened_at is not None:
        return None
    clock = _open_clock(session, case)
    data: dict[str, object] = {"request_event_id": pending.request.id}
    if clock is not None:
        # RG 4.4: 3 business days from the notification, received today (TUO LPAG 25.2); a
        # day that is not a business day counts as the next one (the rule's roll, [INF]).
        day = local_day(now)
        clock.starts_on = day
        clock.due_on = compute_due(
            regime_by_id(clock.rule_version).rules, DeadlineKind.SUBSANACION, day, calendar
        )
        data["due_on"] = clock.due_on.isoformat()
    event = record_system_event(
        session,
        case,
        kind=SUBSANACION_NOTICE_OPENED_EVENT,
        action="case.subsanacion_notice_opened",
        visible=True,
        data=data,
        now=now,
    )
    session.flush()
    return event
