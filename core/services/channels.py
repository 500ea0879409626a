"""Complaints received by another channel: written, verbal, e-mail or the State's platform.

DL 4.4 defines a complaint as a verbal, written or virtual communication; the OII receives
them at the front desk (mesa de partes), in person (an acta the officer writes), by e-mail and
from the Plataforma Digital Única de Denuncias del Ciudadano (RG 13). An officer registers
such a complaint here:

- the facts typed and/or the scanned document (or the e-mail, or the acta) attached, sealed
  exactly like a web filing by `core.services.intake.submit_report` (to the office and to the
  receipt-derived complainant key; identity data to the vault): nothing in plaintext at rest;
- the channel recorded on the case (`Case.channel`, `core.law.enums.Channel`);
- the day the complaint reached the office (`Case.received_on`), which the officer enters:
  never in the future, never before the entity's channel could have received it (a bound of
  one year back catches a mistyped year) — every statutory clock counts from it, with the
  same business-day rules as a web filing (core.services.cases.register_case_deadlines);
- a receipt code and a signed acknowledgement, which the officer prints and hands to the
  complainant, who then follows the case on the web (/seguimiento) like any filer.

The scanned document is stored as received [INF]: it is the office's own record of what was
handed in (chain of custody); metadata is removed when it leaves (forwarding packages, the
"copy without metadata" download), as for every attachment.

Services flush and never commit: the caller commits, then shows the receipt once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from config import Settings
from core.errors import CapabilityRequired
from core.law.calendar import local_day
from core.law.enums import Channel
from core.law.enums import Role
from core.services.case_records import WrongEntity
from core.services.intake import IntakeRefused
from core.services.intake import Receipt
from core.services.intake import ReportDraft
from core.services.intake import UploadedEvidence
from core.services.intake import submit_report
from core.storage.models import Entity
from core.storage.models import Officer

# The channels an officer registers (the web channel files itself through the intake).
OFFICE_CHANNELS = tuple(c for c in Channel if c is not Channel.WEB)
# The titular registers the complaints against the OII that reach them (RG 4.9).
REGISTERING_ROLES = frozenset({Role.OFFICER, Role.HEAD, Role.TITULAR})
# How far back a day of receipt may lie: a typo guard, not a rule of law [INF].
MAX_AGE_DAYS = 366


def check_received_on(received_on: dt.date, *, now: dt.datetime) -> None:
    """The day of receipt as the law needs it: known, not in the future, not absurdly old."""
    today = local_day(now)
    if received_on > today:
        raise IntakeRefused("received_in_future", "the day of receipt cannot be in the future")
    if (today - received_on).days > MAX_AGE_DAYS:
        raise IntakeRefused("received_too_old", "the day of receipt is more than a year ago")


def register_received_complaint(
    session: Session,
    *,
    entity: Entity,
    officer: Officer,
    channel: Channel,
    received_on: dt.date,
    draft: ReportDraft,
    attachments: Sequence[UploadedEvidence],
    settings: Settings,
    now: dt.datetime,
    against_oii: bool = False,
) -> Receipt:
    """Register a complaint that reached the office by `channel` on `received_on`.

    `against_oii` (RG 4.9): the complaint is against the OII's own staff or head; it goes to
    the entity's titular, and the OII (the registering officer included) no longer sees it.
    Registered by the titular, a complaint is always one of those.

    Refuses the web channel (it files itself), an officer of another entity or without an
    acting role, a day of receipt in the future, and a complaint with neither typed facts nor
    an attached document. Flushes only; the caller commits and then shows the receipt.
    """
    if officer.entity_id != entity.id:
        raise WrongEntity("The officer does not belong to this entity.")
    if officer.role not in REGISTERING_ROLES or not officer.active:
        raise CapabilityRequired("Only active OII officers register complaints.")
    if channel not in OFFICE_CHANNELS:
        raise IntakeRefused("channel_not_allowed", "choose how the complaint was received")
    check_received_on(received_on, now=now)
    if not draft.facts.strip() and not attachments:
        raise IntakeRefused(
            "facts_or_document_required", "type the facts or attach the document received"
        )
    return submit_report(
        session,
        entity=entity,
        draft=draft,
        attachments=attachments,
        settings=settings,
        now=now,
        channel=channel,
        received_on=received_on,
        registered_by=officer,
        against_oii=against_oii or officer.role is Role.TITULAR,
    )
