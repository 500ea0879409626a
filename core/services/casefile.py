"""Reading a case file as an officer: report, attachments, timeline, notes, messages.

Flask-free. Every decryption of content is an audit event (docs/threat-model.md, invariant 5): the
functions here take the officer and the clock, and record `case.viewed`,
`attachment.downloaded`, `note.added`... before any plaintext leaves them. Plaintext is
returned to the caller (the web view renders it) and never written anywhere.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

import crypto
from core.errors import DomainError
from core.errors import NotFound
from core.files import metadata
from core.law.enums import MessageDirection
from core.law.enums import MessageKind
from core.services import documents
from core.services import notices
from core.services.documents import ReportDocument
from core.storage import audit
from core.storage.blobs import iter_plaintext
from core.storage.blobs import read_plaintext
from core.storage.models import Attachment
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Message
from core.storage.models import Note
from core.storage.models import Officer
from core.storage.padding import pad_text
from core.storage.padding import unpad_text

MAX_NOTE = 20_000


class MetadataNotRemovable(DomainError):
    """The copy without metadata cannot be produced for this file (broken or hostile)."""

    code = "metadata_not_removable"


class NoteRefused(DomainError):
    code = "note_refused"


def _record_view(
    session: Session, case: Case, officer: Officer, part: str, now: dt.datetime
) -> None:
    """The audit entry of a decryption for an officer, before any plaintext (invariant 5)."""
    audit.record(
        session,
        action="case.viewed",
        officer_id=officer.id,
        entity_id=case.entity_id,
        case_id=case.id,
        detail={"part": part},
        now=now,
    )


# --- the report --------------------------------------------------------------------------------


def read_report(
    session: Session,
    case: Case,
    identities: Sequence[crypto.Identity],
    *,
    officer: Officer,
    now: dt.datetime,
) -> ReportDocument:
    """The sealed report (no identity data: that lives in the vault)."""
    if case.report_blob_id is None:
        raise NotFound("this case has no sealed report")
    _record_view(session, case, officer, "report", now)
    return documents.read_report(read_plaintext(session, case.report_blob_id, identities))


# --- attachments -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    filename: str
    content_type: str
    size: int
    from_complainant: bool
    created_at: dt.datetime
    metadata_removed: tuple[str, ...]
    original_sha256: str


def _meta(attachment: Attachment, identities: Sequence[crypto.Identity]) -> dict[str, Any]:
    value = json.loads(crypto.decrypt(attachment.meta_sealed, identities))
    return value if isinstance(value, dict) else {}


def list_attachments(
    session: Session, case: Case, identities: Sequence[crypto.Identity]
) -> list[AttachmentInfo]:
    """Names, types and sizes (sealed metadata) of the case's files.

    Callers audit this as part of the case view that shows it.
    """
    out = []
    for attachment in session.scalars(
        select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
    ):
        meta = _meta(attachment, identities)
        out.append(
            AttachmentInfo(
                id=attachment.id,
                filename=str(meta.get("filename") or f"adjunto-{attachment.id}"),
                content_type=str(meta.get("content_type") or "application/octet-stream"),
                size=int(meta.get("size") or 0),
                from_complainant=attachment.from_complainant,
                created_at=attachment.created_at,
                metadata_removed=tuple(str(m) for m in meta.get("metadata_removed") or ()),
                original_sha256=str(meta.get("original_sha256") or ""),
            )
        )
    return out


def get_attachment(session: Session, case: Case, attachment_id: int) -> Attachment:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case.id:
        raise NotFound("no such attachment in this case")
    return attachment


def safe_filename(name: str, fallback: str) -> str:
    """A download name with no path, control or quoting characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>:|?*;')
    cleaned = cleaned.strip(" .")
    return cleaned[:150] or fallback


def open_attachment(
    session: Session,
    case: Case,
    attachment_id: int,
    identities: Sequence[crypto.Identity],
    *,
    officer: Officer,
    now: dt.datetime,
    variant: str = "original",
) -> tuple[AttachmentInfo, Iterator[bytes]]:
    """Audit the download, then return the file's info and a plaintext stream.

    `variant` is "original" or "stripped" (hidden metadata removed by `core.files.metadata`); the
    stripped copy is produced in memory (bounded by the upload limit), never on disk.
    """
    attachment = get_attachment(session, case, attachment_id)
    meta = _meta(attachment, identities)
    info = AttachmentInfo(
        id=attachment.id,
        filename=str(meta.get("filename") or f"adjunto-{attachment.id}"),
        content_type=str(meta.get("content_type") or "application/octet-stream"),
        size=int(meta.get("size") or 0),
        from_complainant=attachment.from_complainant,
        created_at=attachment.created_at,
        metadata_removed=tuple(str(m) for m in meta.get("metadata_removed") or ()),
        original_sha256=str(meta.get("original_sha256") or ""),
    )
    if variant not in ("original", "stripped"):
        raise DomainError(f"unknown attachment variant {variant!r}")
    audit.record(
        session,
        action="attachment.downloaded",
        officer_id=officer.id,
        entity_id=case.entity_id,
        case_id=case.id,
        detail={"attachment": attachment.id, "variant": variant},
        now=now,
    )
    stream = iter_plaintext(session, attachment.blob_id, identities)
    if variant == "stripped":
        try:
            cleaned, _ = metadata.clean_if_applicable(b"".join(stream))
        except metadata.CleaningFailed as exc:
            raise MetadataNotRemovable(
                "the metadata of this file could not be removed; download the original and "
                "review it offline"
            ) from exc
        return info, iter([cleaned])
    return info, stream


# --- timeline ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    id: int
    kind: str
    at: dt.datetime
    officer_id: int | None
    officer_name: str | None
    from_state: str | None
    to_state: str | None
    visible_to_complainant: bool
    measure_id: int | None
    data: dict[str, Any]
    reasoning: str | None
    notice: str | None = None  # what the complainant reads with the act (core.services.notices)


def timeline(
    session: Session, case: Case, identities: Sequence[crypto.Identity]
) -> list[TimelineEntry]:
    """Every recorded act, with its sealed reasoning decrypted (audited by the case view)."""
    rows = session.execute(
        select(CaseEvent, Officer.display_name, Officer.username)
        .outerjoin(Officer, Officer.id == CaseEvent.officer_id)
        .where(CaseEvent.case_id == case.id)
        .order_by(CaseEvent.at, CaseEvent.id)
    ).all()
    out = []
    for event, display_name, username in rows:
        reasoning = None
        if event.reasoning_sealed is not None:
            reasoning = unpad_text(crypto.decrypt(event.reasoning_sealed, identities))
        out.append(
            TimelineEntry(
                id=event.id,
                kind=event.kind,
                at=event.at,
                officer_id=event.officer_id,
                officer_name=(display_name or username) if event.officer_id else None,
                from_state=event.from_state,
                to_state=event.to_state,
                visible_to_complainant=event.visible_to_complainant,
                measure_id=event.measure_id,
                data=dict(event.data or {}),
                reasoning=reasoning,
                notice=notices.read_notice(event, identities),
            )
        )
    return out


# --- internal notes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteView:
    id: int
    officer_name: str
    created_at: dt.datetime
    body: str


def add_note(
    session: Session,
    case: Case,
    *,
    officer: Officer,
    body: str,
    office_recipients: Sequence[crypto.Recipient],
    now: dt.datetime,
) -> Note:
    """An internal note sealed to the office only (the complainant never reads it)."""
    if not body.strip():
        raise NoteRefused("the note is empty")
    if len(body) > MAX_NOTE:
        raise NoteRefused("the note is too long")
    if not office_recipients:
        raise NoteRefused("no office recipient to seal the note to")
    note = Note(
        case_id=case.id,
        officer_id=officer.id,
        body_sealed=crypto.encrypt(pad_text(body), list(office_recipients)),
        created_at=now,
    )
    session.add(note)
    session.flush()
    audit.record(
        session,
        action="note.added",
        officer_id=officer.id,
        entity_id=case.entity_id,
        case_id=case.id,
        detail={"note": note.id},
        now=now,
    )
    return note


def read_notes(
    session: Session, case: Case, identities: Sequence[crypto.Identity]
) -> list[NoteView]:
    rows = session.execute(
        select(Note, Officer.display_name, Officer.username)
        .join(Officer, Officer.id == Note.officer_id)
        .where(Note.case_id == case.id)
        .order_by(Note.id)
    ).all()
    return [
        NoteView(
            id=note.id,
            officer_name=display_name or username,
            created_at=note.created_at,
            body=unpad_text(crypto.decrypt(note.body_sealed, identities)),
        )
        for note, display_name, username in rows
    ]


# --- messages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageView:
    id: int
    direction: MessageDirection
    kind: MessageKind
    created_at: dt.datetime
    officer_id: int | None
    body: str
    new: bool = False  # sent by the complainant and not opened by the office before


def read_messages(
    session: Session, case: Case, identities: Sequence[crypto.Identity]
) -> list[MessageView]:
    """Messages both ways, decrypted with the office identity (audited by the case view)."""
    rows = session.scalars(select(Message).where(Message.case_id == case.id).order_by(Message.id))
    return [
        MessageView(
            id=m.id,
            direction=m.direction,
            kind=m.kind,
            created_at=m.created_at,
            officer_id=m.officer_id,
            body=unpad_text(crypto.decrypt(m.body_sealed, identities)),
            new=m.direction is MessageDirection.FROM_COMPLAINANT and m.read_at is None,
        )
        for m in rows
    ]


def mark_read_by_office(session: Session, case: Case, now: dt.datetime) -> int:
    """What the complainant sent is read once an officer opened the case file: the inbox
    stops marking it (core.read.inbox). Returns how many messages this marked."""
    result = session.execute(
        update(Message)
        .where(
            Message.case_id == case.id,
            Message.direction == MessageDirection.FROM_COMPLAINANT,
            Message.read_at.is_(None),
        )
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- the whole file, as the case page shows it -------------------------------------------------


@dataclass(frozen=True)
class CaseFile:
    case: Case
    report: ReportDocument | None
    attachments: list[AttachmentInfo]
    timeline: list[TimelineEntry]
    notes: list[NoteView]
    messages: list[MessageView]


VIEW_PARTS = frozenset({"file", "print"})


def open_case_file(
    session: Session,
    case: Case,
    identities: Sequence[crypto.Identity],
    *,
    officer: Officer,
    now: dt.datetime,
    part: str = "file",
) -> CaseFile:
    """Decrypt everything the case page shows, as one audited view (`case.viewed`; `part`
    "print" for the printable expediente, docs/workflow.md)."""
    if part not in VIEW_PARTS:
        raise ValueError(f"unknown part {part!r}")
    _record_view(session, case, officer, part, now)
    report: ReportDocument | None = None
    if case.report_blob_id is not None:
        report = documents.read_report(read_plaintext(session, case.report_blob_id, identities))
    messages = read_messages(session, case, identities)  # `new` as they were before this view
    mark_read_by_office(session, case, now)
    return CaseFile(
        case=case,
        report=report,
        attachments=list_attachments(session, case, identities),
        timeline=timeline(session, case, identities),
        notes=read_notes(session, case, identities),
        messages=messages,
    )
