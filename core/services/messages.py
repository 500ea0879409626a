"""Messages between the office and the complainant, and evidence added later.

Every message (both directions) and every later attachment is sealed to the
entity's office recipient and to the case's complainant recipient, so the office
reads it with its identity and the complainant with their receipt. The clear
columns hold only direction, kind and dates.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

import crypto
from core.errors import DomainError
from core.law.enums import MessageDirection
from core.law.enums import MessageKind
from core.law.event_kinds import EventKind
from core.services.intake import UploadedEvidence
from core.services.intake import seal_attachment
from core.storage import audit
from core.storage.models import Attachment
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Message
from core.storage.padding import pad_text
from core.storage.padding import unpad_text

MAX_BODY = 20_000

# CaseEvent kinds recorded for messages (the complainant sees both directions on the timeline).
EVENT_FOR = {
    (MessageDirection.TO_COMPLAINANT, MessageKind.MESSAGE): EventKind.OFFICE_MESSAGE,
    (MessageDirection.FROM_COMPLAINANT, MessageKind.MESSAGE): EventKind.COMPLAINANT_MESSAGE,
    (
        MessageDirection.FROM_COMPLAINANT,
        MessageKind.SUBSANACION_RESPONSE,
    ): EventKind.SUBSANACION_RESPONSE,
    (
        MessageDirection.FROM_COMPLAINANT,
        MessageKind.PROTECTION_REQUEST,
    ): EventKind.PROTECTION_REQUESTED_LATER,
    (MessageDirection.FROM_COMPLAINANT, MessageKind.RETALIATION): EventKind.RETALIATION_REPORTED,
}


class MessageRefused(DomainError):
    code = "message_refused"


def case_recipients(case: Case) -> list[crypto.Recipient]:
    """The office and the complainant: every file of a case is sealed to both."""
    return [
        crypto.parse_recipient(case.entity.office_recipient),
        crypto.parse_recipient(case.complainant_recipient),
    ]


def post_message(
    session: Session,
    case: Case,
    *,
    direction: MessageDirection,
    kind: MessageKind,
    body: str,
    officer_id: int | None,
    now: dt.datetime,
) -> Message:
    """Seal and store a message; record a complainant-visible event (no content)."""
    if not body.strip():
        raise MessageRefused("the message is empty")
    if len(body) > MAX_BODY:
        raise MessageRefused("the message is too long")
    if direction is MessageDirection.FROM_COMPLAINANT and officer_id is not None:
        raise MessageRefused("a complainant message has no officer")
    if direction is MessageDirection.TO_COMPLAINANT and kind is not MessageKind.MESSAGE:
        raise MessageRefused("the office sends plain messages; acts are recorded by workflow")
    message = Message(
        case_id=case.id,
        direction=direction,
        kind=kind,
        body_sealed=crypto.encrypt(pad_text(body), case_recipients(case)),
        officer_id=officer_id,
        created_at=now,
    )
    session.add(message)
    session.flush()
    session.add(
        CaseEvent(
            case_id=case.id,
            kind=EVENT_FOR.get((direction, kind), EventKind.MESSAGE).value,
            at=now,
            officer_id=officer_id,
            visible_to_complainant=True,
            data={"message": message.id, "kind": kind.value},
        )
    )
    case.updated_at = now
    session.flush()
    audit.record(
        session,
        action="message.posted",
        actor=None if officer_id is not None else "complainant",
        officer_id=officer_id,
        entity_id=case.entity_id,
        case_id=case.id,
        detail={"message": message.id, "direction": direction.value, "kind": kind.value},
        now=now,
    )
    return message


def read_message(message: Message, identities: Sequence[crypto.Identity]) -> str:
    """The message text, decrypted with the office's or the complainant's identity."""
    return unpad_text(crypto.decrypt(message.body_sealed, identities))


def add_evidence(
    session: Session,
    case: Case,
    *,
    uploads: Sequence[UploadedEvidence],
    now: dt.datetime,
    message: Message | None = None,
    max_attachments: int = 10,
) -> list[Attachment]:
    """Attach files the complainant sends after filing (sealed like the originals)."""
    if not uploads:
        raise MessageRefused("no file was sent")
    if len(uploads) > max_attachments:
        raise MessageRefused("too many files")
    recipients = case_recipients(case)
    added = []
    for upload in uploads:
        blob, meta_sealed = seal_attachment(session, upload, recipients)
        blob.case_id = case.id
        attachment = Attachment(
            case_id=case.id,
            blob_id=blob.id,
            meta_sealed=meta_sealed,
            from_complainant=True,
            message_id=message.id if message is not None else None,
            created_at=now,
        )
        session.add(attachment)
        added.append(attachment)
    session.flush()
    session.add(
        CaseEvent(
            case_id=case.id,
            kind=EventKind.EVIDENCE_ADDED.value,
            at=now,
            visible_to_complainant=True,
            data={"attachments": [a.id for a in added]},
        )
    )
    case.updated_at = now
    session.flush()
    audit.record(
        session,
        action="evidence.added",
        actor="complainant",
        entity_id=case.entity_id,
        case_id=case.id,
        detail={"attachments": [a.id for a in added]},
        now=now,
    )
    return added


def read_attachment_meta(
    attachment: Attachment, identities: Sequence[crypto.Identity]
) -> dict[str, Any]:
    """File name, type, size and stripping record of an attachment."""
    value = json.loads(crypto.decrypt(attachment.meta_sealed, identities))
    assert isinstance(value, dict)
    return value
