"""Deadline notices to officers by e-mail (issue 9; docs/operations.md "Deadline notices").

One digest per officer who opted in and gave an address: complaints waiting for verification
and the statutory clocks due within `notice_days` business days or overdue, as counts and case
codes only (or counts only, when the entity chose so). Never facts, names or motives: mail
crosses servers the entity does not control. Complainants get no e-mail.

Sent through SMTP with STARTTLS (required unless the operator disables it for a relay on
localhost) and authentication when a user is configured; each message is tried `attempts`
times; failures are reported, never raised mid-run.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
import time
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from email.message import EmailMessage

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import SmtpSettings
from core.access import case_scope
from core.errors import DomainError
from core.law.calendar import local_day
from core.law.enums import CaseState
from core.services.case_records import calendar_for
from core.storage import audit
from core.storage.models import Case
from core.storage.models import Deadline
from core.storage.models import Entity
from core.storage.models import Officer

TO_VERIFY = (CaseState.REGISTERED, CaseState.VERIFYING)


@dataclass(frozen=True)
class Digest:
    officer_id: int
    address: str
    entity_name: str
    counts_only: bool
    to_verify: tuple[str, ...]  # case codes
    overdue: tuple[str, ...]
    due_soon: tuple[tuple[str, dt.date], ...]  # (case code, due date)

    @property
    def empty(self) -> bool:
        return not (self.to_verify or self.overdue or self.due_soon)


def build_digests(session: Session, *, now: dt.datetime, notice_days: int) -> list[Digest]:
    """The digests to send now (officers with nothing to report get none)."""
    today = local_day(now)
    digests = []
    officers = session.scalars(
        select(Officer)
        .where(
            Officer.active.is_(True),
            Officer.notify_opt_in.is_(True),
            Officer.notify_email.is_not(None),
            Officer.role.in_(case_scope.HANDLING_ROLES),
        )
        .order_by(Officer.id)
    ).all()
    horizons: dict[int, dt.date] = {}
    for officer in officers:
        entity: Entity = officer.entity
        if entity.id not in horizons:
            horizons[entity.id] = calendar_for(session, entity).add_business_days(
                today, notice_days
            )
        mine = or_(Case.assigned_officer_id == officer.id, Case.assigned_officer_id.is_(None))
        to_verify = session.scalars(
            select(Case.code)
            .where(
                Case.entity_id == entity.id,
                Case.state.in_(TO_VERIFY),
                mine,
                # RG 4.9: the OII is never told about complaints against itself; the
                # titular only about those.
                case_scope.scope_clause(officer.role),
            )
            .order_by(Case.filed_at, Case.id)
        ).all()
        clocks = session.execute(
            select(Case.code, Deadline.due_on)
            .join(Case, Case.id == Deadline.case_id)
            .where(
                Deadline.entity_id == entity.id,
                Deadline.satisfied_at.is_(None),
                Deadline.party == "office",
                Deadline.due_on <= horizons[entity.id],
                or_(Deadline.officer_id == officer.id, Deadline.officer_id.is_(None)),
                case_scope.scope_clause(officer.role),
            )
            .order_by(Deadline.due_on, Case.code)
        ).all()
        digest = Digest(
            officer_id=officer.id,
            address=str(officer.notify_email),
            entity_name=entity.name,
            counts_only=entity.notify_counts_only,
            to_verify=tuple(to_verify),
            overdue=tuple(code for code, due in clocks if due < today),
            due_soon=tuple((code, due) for code, due in clocks if due >= today),
        )
        if not digest.empty:
            digests.append(digest)
    return digests


def _codes(codes: Sequence[str], counts_only: bool) -> str:
    return "" if counts_only or not codes else ": " + ", ".join(codes)


def render(digest: Digest, sender: str) -> EmailMessage:
    """The message: Spanish first, then English; counts and codes only."""
    soon = [code for code, _ in digest.due_soon]
    co = digest.counts_only
    lines = [
        f"Avisos de plazos — {digest.entity_name}",
        "",
        f"Denuncias por verificar: {len(digest.to_verify)}{_codes(digest.to_verify, co)}",
        f"Plazos vencidos: {len(digest.overdue)}{_codes(digest.overdue, co)}",
        f"Plazos por vencer pronto: {len(soon)}{_codes(soon, co)}",
        "",
        "Ingrese a la plataforma para ver el detalle. Este correo no contiene el contenido de "
        "las denuncias.",
        "",
        "---",
        f"Deadline notices — {digest.entity_name}",
        "",
        f"Complaints to verify: {len(digest.to_verify)}{_codes(digest.to_verify, co)}",
        f"Overdue clocks: {len(digest.overdue)}{_codes(digest.overdue, co)}",
        f"Clocks due soon: {len(soon)}{_codes(soon, co)}",
        "",
        "Log in to the platform for details. This e-mail holds no complaint content.",
    ]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = digest.address
    message["Subject"] = "Integra: avisos de plazos / deadline notices"
    message.set_content("\n".join(lines))
    return message


@dataclass
class SendReport:
    sent: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # (officer id, error)


def _send_one(smtp: SmtpSettings, message: EmailMessage) -> None:
    context = ssl.create_default_context(cafile=smtp.ca_file or None)
    with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as client:
        client.ehlo()
        if smtp.starttls:
            client.starttls(context=context)
            client.ehlo()
        if smtp.username:
            client.login(smtp.username, smtp.password)
        client.send_message(message)


def send_all(
    digests: Sequence[Digest],
    smtp: SmtpSettings,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> SendReport:
    """Send each digest, retrying; collect failures instead of raising."""
    report = SendReport()
    for digest in digests:
        error = ""
        for attempt in range(smtp.attempts):
            try:
                _send_one(smtp, render(digest, smtp.sender))
            except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
                error = f"{type(exc).__name__}: {exc}"[:200]
                if attempt + 1 < smtp.attempts:
                    sleep(smtp.retry_seconds * (attempt + 1))
                continue
            report.sent += 1
            error = ""
            break
        if error:
            report.failed.append((digest.officer_id, error))
    return report


class NoticeRefused(DomainError):
    code = "notice_refused"


def set_preferences(session: Session, *, officer: Officer, opt_in: bool, address: str) -> None:
    """An officer's choice: notices on or off, and the address (required to opt in)."""
    address = address.strip()
    if address and (
        len(address) > 254
        or address.count("@") != 1
        or any(c.isspace() for c in address)
        or not all(address.split("@"))
    ):
        raise NoticeRefused("address")
    if opt_in and not address:
        raise NoticeRefused("address_required")
    officer.notify_opt_in = opt_in
    officer.notify_email = address or None
    session.flush()
    audit.record(
        session,
        action="notify.preferences_changed",
        officer_id=officer.id,
        entity_id=officer.entity_id,
        detail={"opt_in": opt_in},
    )


def set_counts_only(session: Session, *, entity: Entity, counts_only: bool, actor: Officer) -> None:
    entity.notify_counts_only = counts_only
    session.flush()
    audit.record(
        session,
        action="notify.counts_only_changed",
        officer_id=actor.id,
        entity_id=entity.id,
        detail={"counts_only": counts_only},
    )


def send_checkpoint(smtp: SmtpSettings, recipients: Sequence[str], note: str, origin: str) -> None:
    """Mail a signed checkpoint to outside recipients (docs/transparency.md); retried like the
    digests. Raises OSError/SMTPException naming what failed after the last attempt."""
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = f"Punto de control del registro de auditoría: {origin}"
    message.set_content(
        "Punto de control firmado del registro de auditoría (c2sp.org/tlog-checkpoint).\n"
        "Consérvelo: con él se comprueba después que nada anterior fue cambiado.\n\n" + note
    )
    for attempt in range(smtp.attempts):
        try:
            _send_one(smtp, message)
            return
        except (OSError, smtplib.SMTPException, ssl.SSLError):
            if attempt + 1 >= smtp.attempts:
                raise
            time.sleep(smtp.retry_seconds * (attempt + 1))
