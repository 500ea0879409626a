"""The periodic job (`integra periodic`, run by the systemd timer; docs/operations.md).

A list of named steps, each run in its own transaction: one step failing (rolled back and
reported) does not stop the others, and the command's exit status says whether any failed.
To add a step, append a `Step` to STEPS (or call `register`): a function of (session,
settings, now) that does its work without committing and returns a one-line summary with
counts only (it is printed and may be logged: no content, no names).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from config import Settings
from core.access import keysessions
from core.services import followup
from core.services import notify
from core.services import retention
from core.services import transparency
from core.storage import blobs
from core.storage.db import session_scope
from core.storage.db import utcnow

log = logging.getLogger(__name__)

StepFunction = Callable[[Session, Settings, dt.datetime], str]


@dataclass(frozen=True)
class Step:
    name: str
    run: StepFunction


class StepFailed(Exception):
    """A step that did what it could and reports a failure (its message is printed: counts
    and error names only)."""


@dataclass(frozen=True)
class StepResult:
    name: str
    ok: bool
    summary: str


def purge_drafts(session: Session, settings: Settings, now: dt.datetime) -> str:
    """Abandoned intake drafts (older than blobs.DRAFT_MAX_AGE), not only on the next filing."""
    total = 0
    while batch := blobs.purge_drafts(session, now):
        total += batch
    return f"{total} abandoned draft files deleted"


def purge_officer_sessions(session: Session, settings: Settings, now: dt.datetime) -> str:
    """Officer sessions idle or past their absolute lifetime: their sealed keys go too."""
    ended = keysessions.purge_expired(
        session, now=now, idle=dt.timedelta(minutes=settings.officer_idle_minutes)
    )
    return f"{ended} expired officer sessions deleted"


def shred_expired(session: Session, settings: Settings, now: dt.datetime) -> str:
    """Retention (core.services.retention): shred ended cases past their period."""
    return f"{len(retention.run(session, now=now))} expired cases shredded"


def send_notices(session: Session, settings: Settings, now: dt.datetime) -> str:
    """Deadline notices by e-mail (core.services.notify); off without INTEGRA_SMTP_HOST."""
    if not settings.smtp.host:
        return "notices off (INTEGRA_SMTP_HOST is not set)"
    digests = notify.build_digests(session, now=now, notice_days=settings.smtp.notice_days)
    report = notify.send_all(digests, settings.smtp)
    summary = f"{report.sent} digests sent, {len(report.failed)} failed"
    if report.failed:
        errors = "; ".join(f"officer {oid}: {error}" for oid, error in report.failed)
        raise StepFailed(f"{summary} ({errors})")
    return summary


def purge_followup_sessions(session: Session, settings: Settings, now: dt.datetime) -> str:
    """Complainant follow-up sessions past their idle time (core.services.followup)."""
    ended = followup.purge_expired_followup_sessions(session, settings, now)
    return f"{ended} expired follow-up sessions deleted"


def issue_checkpoint(session: Session, settings: Settings, now: dt.datetime) -> str:
    """A signed checkpoint of the audit log when it grew (docs/transparency.md): the timer
    runs at least daily, so outsiders get at least one checkpoint a day."""
    row = transparency.issue_checkpoint(session, settings.secret_bytes("server_key"), now=now)
    if row is None:
        return "audit log did not grow: no new checkpoint"
    return f"checkpoint issued at size {row.size}"


def mail_checkpoint(session: Session, settings: Settings, now: dt.datetime) -> str:
    """Send the checkpoint issued in this run to INTEGRA_CHECKPOINT_RECIPIENTS. A separate
    step: a mail failure is reported without undoing the checkpoint."""
    if not settings.checkpoint_recipients:
        return "no checkpoint recipients configured"
    latest = transparency.latest_checkpoint(session)
    if latest is None or latest.issued_at != now:
        return "no new checkpoint to send"
    if not settings.smtp.host:
        raise StepFailed("INTEGRA_CHECKPOINT_RECIPIENTS is set but INTEGRA_SMTP_HOST is not")
    origin = transparency.verifier_key(session).name
    try:
        notify.send_checkpoint(settings.smtp, settings.checkpoint_recipients, latest.note, origin)
    except Exception as exc:  # noqa: BLE001 - reported, the job goes on
        raise StepFailed(f"checkpoint not sent: {type(exc).__name__}") from exc
    return f"checkpoint of size {latest.size} sent to {len(settings.checkpoint_recipients)}"


STEPS: list[Step] = [
    Step("retention", shred_expired),
    Step("notify", send_notices),
    Step("drafts", purge_drafts),
    Step("officer-sessions", purge_officer_sessions),
    Step("followup-sessions", purge_followup_sessions),
    # Last, so the acts of the steps above are covered by the checkpoint.
    Step("checkpoint", issue_checkpoint),
    Step("checkpoint-mail", mail_checkpoint),
]


def register(step: Step) -> None:
    """Add a step (at the end); a step of the same name is replaced in place."""
    for index, existing in enumerate(STEPS):
        if existing.name == step.name:
            STEPS[index] = step
            return
    STEPS.append(step)


def run(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    now: dt.datetime | None = None,
    steps: Sequence[Step] | None = None,
) -> list[StepResult]:
    """Run every step in order, each committed on its own; never raises for a step."""
    now = now or utcnow()
    results = []
    for step in STEPS if steps is None else steps:
        try:
            with session_scope(factory) as session:
                summary = step.run(session, settings, now)
        except StepFailed as exc:
            log.warning("periodic step %s failed: %s", step.name, exc)
            results.append(StepResult(step.name, False, str(exc)))
        except Exception as exc:  # noqa: BLE001 - one failed step must not stop the others
            # Only the type: a database error's message can quote stored values.
            log.exception("periodic step %s failed", step.name)
            results.append(StepResult(step.name, False, f"failed: {type(exc).__name__}"))
        else:
            results.append(StepResult(step.name, True, summary))
    return results
