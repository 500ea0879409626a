"""Retention, legal hold and shredding of ended cases (issue 9; docs/workflow.md "Retention").

`run` (from `integra retention run` and the periodic job) shreds every case whose outcome's
retention period (core/law/retention.py, or the entity's `retention_rules`) is over, unless a
legal hold is active or a clock is still open. Shredding deletes what was sealed: the report,
identity and attachment blobs with their chunks, attachment metadata, messages, notes, the
sealed reasoning of events, measure details and hold reasons, and the receipt traces (lookup,
salt, complainant recipient, acknowledgement signature), so neither the office key nor the
complainant's receipt opens anything of it any more. The case row stays as the tombstone:
code, dates, outcome, modality and motives, with its events, clocks, measures and forwardings
(metadata only), so the statistics of past periods do not change. The audit log records it.

On SQLite `secure_delete` is on (core/storage/db.py), so deleted rows are overwritten in the
file; PostgreSQL leaves dead tuples until VACUUM reuses them (docs/threat-model.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

import crypto
from core.errors import DomainError
from core.law import retention as rules
from core.law.calendar import local_day as lima_date
from core.law.enums import CaseState
from core.storage import audit
from core.storage.models import Attachment
from core.storage.models import Blob
from core.storage.models import BlobChunk
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Deadline
from core.storage.models import LegalHold
from core.storage.models import Measure
from core.storage.models import Message
from core.storage.models import Note
from core.storage.models import Officer
from core.storage.models import RetentionRule
from core.storage.padding import pad_text

MAX_REASON = 2000


class HoldRefused(DomainError):
    code = "hold_refused"


def keep_years(session: Session, entity_id: int, outcome: CaseState) -> int:
    row = session.get(RetentionRule, (entity_id, outcome.value))
    return row.keep_years if row is not None else rules.DEFAULT_KEEP_YEARS[outcome]


def set_rule(session: Session, *, entity_id: int, outcome: CaseState, years: int) -> None:
    if outcome not in rules.ENDED_STATES or not 1 <= years <= rules.MAX_KEEP_YEARS:
        raise ValueError("retention is set for an ended outcome, 1 to 100 years")
    row = session.get(RetentionRule, (entity_id, outcome.value))
    if row is None:
        session.add(RetentionRule(entity_id=entity_id, outcome=outcome.value, keep_years=years))
    else:
        row.keep_years = years
    session.flush()
    audit.record(
        session,
        action="retention.rule_set",
        entity_id=entity_id,
        detail={"outcome": outcome.value, "years": years},
    )


def active_hold(session: Session, case: Case) -> LegalHold | None:
    return session.scalar(
        select(LegalHold)
        .where(LegalHold.case_id == case.id, LegalHold.released_at.is_(None))
        .order_by(LegalHold.id)
        .limit(1)
    )


def place_hold(
    session: Session,
    *,
    case: Case,
    officer: Officer,
    reason: str,
    office_recipients: Sequence[crypto.Recipient],
    now: dt.datetime,
) -> LegalHold:
    """Place a legal hold with a reason (sealed to the office, like other reasoning)."""
    reason = reason.strip()
    if not reason:
        raise HoldRefused("reason_required")
    if len(reason) > MAX_REASON:
        raise HoldRefused("reason_too_long")
    if case.shredded_at is not None:
        raise HoldRefused("shredded")
    if active_hold(session, case) is not None:
        raise HoldRefused("already_held")
    hold = LegalHold(
        case_id=case.id,
        officer_id=officer.id,
        reason_sealed=crypto.encrypt(pad_text(reason), list(office_recipients)),
        placed_at=now,
    )
    session.add(hold)
    session.flush()
    audit.record(
        session,
        action="case.legal_hold_placed",
        officer_id=officer.id,
        entity_id=case.entity_id,
        case_id=case.id,
        detail={"hold": hold.id},
        now=now,
    )
    return hold


def release_hold(session: Session, *, case: Case, officer: Officer, now: dt.datetime) -> None:
    hold = active_hold(session, case)
    if hold is None:
        raise HoldRefused("not_held")
    hold.released_at = now
    hold.released_by = officer.id
    session.flush()
    audit.record(
        session,
        action="case.legal_hold_released",
        officer_id=officer.id,
        entity_id=case.entity_id,
        case_id=case.id,
        detail={"hold": hold.id},
        now=now,
    )


def ended_on(session: Session, case: Case) -> dt.date | None:
    """The day (Lima) the case reached its current ended state, or None if it has not."""
    if case.state not in rules.ENDED_STATES:
        return None
    at = session.scalar(
        select(func.max(CaseEvent.at)).where(
            CaseEvent.case_id == case.id, CaseEvent.to_state == case.state.value
        )
    )
    return lima_date(at) if at is not None else None


@dataclass(frozen=True)
class Due:
    case: Case
    ended_on: dt.date
    keep_until: dt.date


def due_cases(session: Session, *, today: dt.date) -> list[Due]:
    """Ended cases past their retention, without an active hold or an open clock."""
    held = select(LegalHold.case_id).where(LegalHold.released_at.is_(None))
    open_clocks = select(Deadline.case_id).where(Deadline.satisfied_at.is_(None))
    candidates = session.scalars(
        select(Case)
        .where(
            Case.state.in_(tuple(rules.ENDED_STATES)),
            Case.shredded_at.is_(None),
            Case.id.not_in(held),
            Case.id.not_in(open_clocks),
        )
        .order_by(Case.id)
    ).all()
    due = []
    for case in candidates:
        ended = ended_on(session, case)
        if ended is None:
            continue
        until = rules.keep_until(ended, keep_years(session, case.entity_id, case.state))
        if until < today:
            due.append(Due(case=case, ended_on=ended, keep_until=until))
    return due


def shred(session: Session, due: Due, *, now: dt.datetime) -> None:
    """Delete everything sealed of one case; the row stays as its tombstone."""
    case = due.case
    case_id = case.id
    blob_ids = select(Blob.id).where(Blob.case_id == case_id)
    case.report_blob_id = None
    case.identity_blob_id = None
    session.flush()
    session.execute(delete(Attachment).where(Attachment.case_id == case_id))
    session.execute(delete(BlobChunk).where(BlobChunk.blob_id.in_(blob_ids)))
    session.execute(delete(Blob).where(Blob.case_id == case_id))
    session.execute(delete(Message).where(Message.case_id == case_id))
    session.execute(delete(Note).where(Note.case_id == case_id))
    for model, column in (
        (CaseEvent, CaseEvent.reasoning_sealed),
        (CaseEvent, CaseEvent.notice_sealed),
        (Measure, Measure.details_sealed),
        (LegalHold, LegalHold.reason_sealed),
    ):
        session.execute(
            update(model)
            .where(model.case_id == case_id)
            .values({column.key: None})
            .execution_options(synchronize_session=False)
        )
    # Receipt traces: the receipt must not even confirm that this case existed.
    case.receipt_lookup = f"shredded:{case_id}"
    case.receipt_salt = b""
    case.complainant_recipient = ""
    case.acknowledgement_signature = b""
    case.acknowledgement_sealed = None
    case.shredded_at = now
    session.flush()
    session.expire(case, ["attachments", "messages", "events", "measures"])
    audit.record(
        session,
        action="case.shredded",
        actor="system:retention",
        entity_id=case.entity_id,
        case_id=case_id,
        detail={
            "code": case.code,
            "outcome": case.state.value,
            "filed_on": lima_date(case.filed_at).isoformat(),
            "ended_on": due.ended_on.isoformat(),
            "kept_until": due.keep_until.isoformat(),
        },
        now=now,
    )


def run(session: Session, *, now: dt.datetime, dry_run: bool = False) -> list[Due]:
    """Shred every case that is due (or only list them with dry_run)."""
    due = due_cases(session, today=lima_date(now))
    if not dry_run:
        for item in due:
            shred(session, item, now=now)
    return due
