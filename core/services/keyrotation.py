"""Office and vault key rotation (issue 9; docs/operations.md "Rotating the office or vault key").

Rotation gives an entity a new office (or vault) identity and re-addresses every sealed
object to it **without re-encrypting any payload**: an age file's payload key is only
wrapped in its header, so each object gets a new header (crypto.rewrap_header) and keeps
its nonce and STREAM body byte for byte. Stanzas the old identity does not open (the
complainant's receipt-derived recipient) are kept.

The steps, each in the caller's transaction (services never commit):

1. `start_rotation`: the entity's recipient switches to the new key, so everything sealed
   from then on is sealed to it; every wrapped copy of the old key (officers' copies and
   pending grants) is deleted; each officer who held it gets a grant of the new key
   (core.access.grants.create_grant) and their sessions end (they hold the old key).
2. `rewrap_batch`, repeated and committed by the caller after each batch: the next
   objects, in a fixed order of sources and ids, are re-addressed. `source`/`last_id` on
   the KeyRotation row record progress. A killed run loses at most its uncommitted batch,
   whose objects still have their old header (readable with the old key); objects of
   committed batches have the new one. Running again resumes from the row.
3. `finish_rotation`: the old key is retired (the row is closed).

Which key an object is sealed to is not stored: its header says it (the old identity
opens a stanza or not), so an object re-addressed twice is simply skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm import Session

import crypto
from config import Settings
from core.access import accounts
from core.access import keysessions
from core.access.grants import create_grant
from core.errors import DomainError
from core.storage import audit
from core.storage import blobs
from core.storage.db import utcnow
from core.storage.models import Attachment
from core.storage.models import Blob
from core.storage.models import BlobChunk
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Entity
from core.storage.models import KeyRotation
from core.storage.models import LegalHold
from core.storage.models import Measure
from core.storage.models import Message
from core.storage.models import Note
from core.storage.models import Officer
from core.storage.models import WrappedKey

PURPOSES = ("office", "vault")
DEFAULT_BATCH = 200


class RotationRefused(DomainError):
    code = "rotation_refused"


@dataclass(frozen=True)
class SealedColumn:
    """A column holding whole age files, in a table whose rows belong to a case."""

    name: str
    id_column: InstrumentedAttribute[int]
    column: InstrumentedAttribute[Any]
    case_id: InstrumentedAttribute[Any]


# Every place an entity key seals something, in the order rotation walks them. A new
# table with sealed content must be added here (tests/keys/test_rotation.py checks that
# every bytes column of the models is listed or explicitly excluded).
BLOBS = "blobs"
SEALED_COLUMNS: tuple[SealedColumn, ...] = (
    SealedColumn(
        "attachments.meta_sealed", Attachment.id, Attachment.meta_sealed, Attachment.case_id
    ),
    SealedColumn("messages.body_sealed", Message.id, Message.body_sealed, Message.case_id),
    SealedColumn("notes.body_sealed", Note.id, Note.body_sealed, Note.case_id),
    SealedColumn(
        "case_events.reasoning_sealed", CaseEvent.id, CaseEvent.reasoning_sealed, CaseEvent.case_id
    ),
    SealedColumn(
        "case_events.notice_sealed", CaseEvent.id, CaseEvent.notice_sealed, CaseEvent.case_id
    ),
    SealedColumn("measures.details_sealed", Measure.id, Measure.details_sealed, Measure.case_id),
    SealedColumn(
        "legal_holds.reason_sealed", LegalHold.id, LegalHold.reason_sealed, LegalHold.case_id
    ),
)  # fmt: skip
SOURCES: tuple[str, ...] = (BLOBS, *(c.name for c in SEALED_COLUMNS))


def entity_recipient(entity: Entity, purpose: str) -> str:
    return entity.office_recipient if purpose == "office" else entity.vault_recipient


def _set_recipient(entity: Entity, purpose: str, recipient: str) -> None:
    if purpose == "office":
        entity.office_recipient = recipient
    else:
        entity.vault_recipient = recipient


def unfinished(session: Session, entity: Entity, purpose: str) -> KeyRotation | None:
    return session.scalar(
        select(KeyRotation).where(
            KeyRotation.entity_id == entity.id,
            KeyRotation.purpose == purpose,
            KeyRotation.finished_at.is_(None),
        )
    )


def retired_recipients(session: Session, entity: Entity, purpose: str) -> list[str]:
    """Recipients of keys this entity used before, oldest first."""
    return list(
        session.scalars(
            select(KeyRotation.old_recipient)
            .where(KeyRotation.entity_id == entity.id, KeyRotation.purpose == purpose)
            .order_by(KeyRotation.id)
        )
    )


def new_identity_like(old: crypto.Identity) -> crypto.Identity:
    """A new identity of the same kind: a post-quantum file stays post-quantum, and a
    complainant's stanza of the same kind stays compatible with the new one."""
    if isinstance(old, crypto.HybridIdentity):
        return crypto.HybridIdentity.generate()
    return crypto.X25519Identity.generate()


@dataclass(frozen=True)
class Started:
    rotation: KeyRotation
    grants: dict[str, str]  # username -> one-time grant code of the new key


def start_rotation(
    session: Session,
    settings: Settings,
    *,
    entity: Entity,
    purpose: str,
    old_identity: crypto.Identity,
    new_identity: crypto.Identity,
    actor: str = "cli:recovery-identity",
    now: dt.datetime | None = None,
) -> Started:
    """Switch the entity to `new_identity` and revoke every copy of the old one."""
    if purpose not in PURPOSES:
        raise RotationRefused("unknown_purpose")
    if unfinished(session, entity, purpose) is not None:
        raise RotationRefused("unfinished")
    old_recipient = entity_recipient(entity, purpose)
    if old_identity.recipient().to_string() != old_recipient:
        raise RotationRefused("wrong_identity")
    new_recipient = new_identity.recipient().to_string()
    if new_recipient == old_recipient:
        raise RotationRefused("same_key")
    now = now or utcnow()
    holder_ids = set(
        session.scalars(
            select(WrappedKey.officer_id).where(
                WrappedKey.entity_id == entity.id,
                WrappedKey.purpose.in_((purpose, accounts.GRANT_PREFIX + purpose)),
            )
        )
    )
    session.execute(
        delete(WrappedKey).where(
            WrappedKey.entity_id == entity.id,
            WrappedKey.purpose.in_((purpose, accounts.GRANT_PREFIX + purpose)),
        )
    )
    _set_recipient(entity, purpose, new_recipient)
    rotation = KeyRotation(
        entity_id=entity.id,
        purpose=purpose,
        old_recipient=old_recipient,
        new_recipient=new_recipient,
        started_at=now,
        source=SOURCES[0],
        last_id=0,
        rewrapped=0,
        skipped=0,
    )
    session.add(rotation)
    session.flush()
    grants: dict[str, str] = {}
    holders = session.scalars(
        select(Officer).where(Officer.id.in_(holder_ids)).order_by(Officer.username)
    ).all()
    for officer in holders:
        keysessions.end_all_sessions(session, officer)
        if officer.active and officer.role in accounts.KEY_ROLES[purpose]:
            grants[officer.username] = create_grant(
                session,
                settings,
                granter=None,
                grantee=officer,
                purpose=purpose,
                identity=new_identity,
            )
    audit.record(
        session,
        action="key.rotation_started",
        actor=actor,
        entity_id=entity.id,
        detail={"purpose": purpose, "rotation": rotation.id, "grants": len(grants)},
        now=now,
    )
    return Started(rotation=rotation, grants=grants)


def _entity_cases(entity_id: int) -> Any:
    return select(Case.id).where(Case.entity_id == entity_id)


def _rewrap_bytes(
    data: bytes, old: crypto.Identity, new: crypto.Recipient
) -> crypto.RewrappedHeader | None:
    try:
        return crypto.rewrap_header(data, [old], [new])
    except crypto.NoIdentityMatch:
        return None


def _rewrap_blob(
    session: Session, blob_id: int, old: crypto.Identity, new: crypto.Recipient
) -> bool:
    """Re-address one chunked blob: only its first chunk (which holds the header) changes."""
    first = next(blobs.iter_ciphertext(session, blob_id), None)
    if first is None:
        return False
    result = _rewrap_bytes(first, old, new)
    if result is None:
        return False
    data = result.header + first[result.old_size :]
    session.execute(
        update(BlobChunk)
        .where(BlobChunk.blob_id == blob_id, BlobChunk.seq == 0)
        .values(data=data)
        .execution_options(synchronize_session=False)
    )
    # The blob's size and digest describe its ciphertext: the header is part of it.
    digest = hashlib.sha256(data)
    size = len(data)
    rest = session.scalars(
        select(BlobChunk.data)
        .where(BlobChunk.blob_id == blob_id, BlobChunk.seq > 0)
        .order_by(BlobChunk.seq)
        .execution_options(yield_per=4)  # a few chunks in memory at a time
    )
    for chunk in rest:
        digest.update(chunk)
        size += len(chunk)
    session.execute(
        update(Blob)
        .where(Blob.id == blob_id)
        .values(sha256=digest.hexdigest(), size=size)
        .execution_options(synchronize_session=False)
    )
    return True


def rewrap_batch(
    session: Session,
    rotation: KeyRotation,
    *,
    old_identity: crypto.Identity,
    limit: int = DEFAULT_BATCH,
) -> int:
    """Re-address up to `limit` objects and record the progress; returns how many objects
    were looked at (0 when the rotation has gone through every source)."""
    if rotation.finished_at is not None:
        return 0
    if old_identity.recipient().to_string() != rotation.old_recipient:
        raise RotationRefused("wrong_identity")
    new = crypto.parse_recipient(rotation.new_recipient)
    cases = _entity_cases(rotation.entity_id)
    while rotation.source in SOURCES:
        if rotation.source == BLOBS:
            ids = list(
                session.scalars(
                    select(Blob.id)
                    .where(Blob.case_id.in_(cases), Blob.id > rotation.last_id)
                    .order_by(Blob.id)
                    .limit(limit)
                )
            )
            for blob_id in ids:
                _count(rotation, _rewrap_blob(session, blob_id, old_identity, new))
        else:
            col = next(c for c in SEALED_COLUMNS if c.name == rotation.source)
            rows = session.execute(
                select(col.id_column, col.column)
                .where(
                    col.case_id.in_(cases),
                    col.id_column > rotation.last_id,
                    _not_null(col.column),
                )
                .order_by(col.id_column)
                .limit(limit)
            ).all()
            ids = [row[0] for row in rows]
            for row_id, data in rows:
                result = _rewrap_bytes(bytes(data), old_identity, new)
                if result is not None:
                    session.execute(
                        update(col.column.class_)
                        .where(col.id_column == row_id)
                        .values({col.column.key: result.header + bytes(data)[result.old_size :]})
                        .execution_options(synchronize_session=False)
                    )
                _count(rotation, result is not None)
        if ids:
            rotation.last_id = ids[-1]
            session.flush()
            return len(ids)
        index = SOURCES.index(rotation.source) + 1
        rotation.source = SOURCES[index] if index < len(SOURCES) else ""
        rotation.last_id = 0
    session.flush()
    return 0


def _not_null(column: InstrumentedAttribute[Any]) -> ColumnElement[bool]:
    return column.is_not(None)


def _count(rotation: KeyRotation, rewrapped: bool) -> None:
    if rewrapped:
        rotation.rewrapped += 1
    else:
        rotation.skipped += 1


def finish_rotation(
    session: Session, rotation: KeyRotation, *, actor: str = "cli:recovery-identity"
) -> None:
    """Retire the old key once every source is done."""
    if rotation.source:
        raise RotationRefused("not_done")
    if rotation.finished_at is not None:
        return
    rotation.finished_at = utcnow()
    session.flush()
    audit.record(
        session,
        action="key.rotation_finished",
        actor=actor,
        entity_id=rotation.entity_id,
        detail={
            "purpose": rotation.purpose,
            "rotation": rotation.id,
            "rewrapped": rotation.rewrapped,
            "skipped": rotation.skipped,
        },
    )


@dataclass(frozen=True)
class KeyCheck:
    """What one identity opens among an entity's sealed objects (`integra keys check`)."""

    purpose: str | None  # "office"/"vault" when it is the current key, else None
    retired: str | None  # the purpose of a retired key it is, if so
    opened: int
    examined: int


def check_identity(
    session: Session, entity: Entity, identity: crypto.Identity, *, sample: int = 1000
) -> KeyCheck:
    """Whether `identity` is this entity's office or vault key (or a retired one), and how
    many of the first `sample` sealed objects of each kind its key opens."""
    recipient = identity.recipient().to_string()
    purpose = next((p for p in PURPOSES if entity_recipient(entity, p) == recipient), None)
    retired = next(
        (p for p in PURPOSES if recipient in retired_recipients(session, entity, p)), None
    )
    cases = _entity_cases(entity.id)
    opened = examined = 0
    blob_ids = session.scalars(
        select(Blob.id).where(Blob.case_id.in_(cases)).order_by(Blob.id).limit(sample)
    )
    headers: list[bytes] = []
    for blob_id in blob_ids:
        first = next(blobs.iter_ciphertext(session, blob_id), None)
        if first is not None:
            headers.append(bytes(first))
    for col in SEALED_COLUMNS:
        headers.extend(
            bytes(v)
            for v in session.scalars(
                select(col.column)
                .where(col.case_id.in_(cases), _not_null(col.column))
                .order_by(col.id_column)
                .limit(sample)
            )
        )
    for data in headers:
        examined += 1
        opened += crypto.header_opens(data, [identity])
    return KeyCheck(purpose=purpose, retired=retired, opened=opened, examined=examined)
