"""Filing a complaint: encrypt, register and acknowledge, in the caller's transaction.

`submit_report` is the one way a complaint enters the system (web intake, tests,
the load benchmark). Everything the complainant wrote or uploaded is sealed with
age before it touches the session: the report and each attachment to the office
and to the complainant's receipt-derived recipient; identity data (only when the
complainant identifies) to the identity-vault recipient and to the complainant
(they typed it; letting them read it back with their receipt reveals nothing new
and lets them check what the office holds). The intake process never holds a
private key of the office or the vault (docs/threat-model.md, invariant 2).

Services flush and never commit: the caller commits, and only then shows the
receipt (invariant 4).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import BinaryIO
from typing import cast

from sqlalchemy.orm import Session

import crypto
from config import Settings
from core.access.entities import signing_key
from core.errors import DomainError
from core.law.calendar import local_day
from core.law.enums import BlobKind
from core.law.enums import CaseState
from core.law.enums import Channel
from core.law.enums import MeasureType
from core.law.enums import Modality
from core.law.enums import Motive
from core.law.regime import regime_at_filing
from core.services import acknowledgement as ack
from core.services import case_records
from core.services import cases
from core.services.case_codes import allocate_case_code
from core.services.documents import ComplainantIdentity as ComplainantIdentity
from core.services.documents import ProtectionRequest as ProtectionRequest
from core.services.documents import ReportDocument
from core.services.documents import ReportedPerson as ReportedPerson
from core.services.documents import seal_identity
from core.services.documents import seal_report
from core.services.receipt_keys import is_post_quantum
from core.services.receipt_keys import kdf_profile
from core.services.receipt_keys import kdf_slot
from core.storage import audit
from core.storage.blobs import store_bytes
from core.storage.blobs import store_stream
from core.storage.models import Attachment
from core.storage.models import Blob
from core.storage.models import Case
from core.storage.models import Entity
from core.storage.models import Officer
from core.storage.padding import pad_json

SALT_BYTES = 16
ACK_TYPE = ack.ACK_TYPE
ATTACHMENT_META_FORMAT = "integra-attachment/v1"

# Shape limits shared with the web form (the form checks them first; the service is the truth).
MAX_FACTS = 20_000
MAX_SHORT = 500
MAX_MEDIUM = 4_000
MAX_PERSONS = 10


class IntakeRefused(DomainError):
    """The draft cannot be filed as it is; `code` names the rule."""

    code = "intake_refused"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ReportDraft:
    """The complaint as typed (DL 7.1; the PDUDC fields)."""

    modality: Modality
    motives: tuple[Motive, ...]
    facts: str
    occurred_when: str = ""
    occurred_where: str = ""
    persons_reported: tuple[ReportedPerson, ...] = ()
    witnesses: str = ""
    documents_location: str = ""
    commitment: bool = False
    identity: ComplainantIdentity | None = None
    protection: ProtectionRequest | None = None
    # RG 4.9: against the OII's own staff or head, so for the entity's titular only.
    against_oii: bool = False


@dataclass(frozen=True)
class UploadedEvidence:
    """An uploaded file, already in memory or another non-spooling stream.

    `metadata_removed` lists the hidden fields stripped before sealing (for the
    office's information: chain of custody), empty when the original was kept.
    """

    filename: str
    content_type: str
    stream: BinaryIO
    size: int
    metadata_removed: tuple[str, ...] = ()
    original_sha256: str = ""


@dataclass(frozen=True)
class Receipt:
    """What the complainant gets: the receipt (once), the case and the signed acknowledgement."""

    code: str = field(repr=False)
    case: Case
    acknowledgement: dict[str, Any]

    @property
    def formatted(self) -> str:
        return crypto.format_receipt(self.code)


# --- helpers -----------------------------------------------------------------------------------


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def validate_draft(draft: ReportDraft, *, facts_in_attachment: bool = False) -> None:
    """Meaning checks (the form already checked shape).

    `facts_in_attachment`: a complaint received by another channel whose facts are in the
    scanned document the officer attached (core.services.channels) needs no typed facts.
    """
    motives = draft.motives
    if not 1 <= len(motives) <= 2 or len(set(motives)) != len(motives):
        raise IntakeRefused("motives", "choose one or two different motives")
    if not draft.facts.strip() and not facts_in_attachment:
        raise IntakeRefused("facts_required", "the facts are required")
    if len(draft.facts) > MAX_FACTS:
        raise IntakeRefused("facts_too_long", "the facts are too long")
    if len(draft.persons_reported) > MAX_PERSONS:
        raise IntakeRefused("too_many_persons", "too many persons reported")
    if draft.modality is Modality.ANONYMOUS:
        if draft.identity is not None:
            raise IntakeRefused("identity_with_anonymous", "an anonymous complaint has no identity")
        if (
            draft.protection is not None
            and MeasureType.IDENTITY_RESERVE in draft.protection.measures
        ):
            # Other measures are recorded like an identified person's (docs/workflow.md); an
            # identity nobody gave has nothing to reserve, and a reserve-only request would
            # skip the verification (RG 4.2).
            raise IntakeRefused(
                "reserve_with_anonymous", "an anonymous complaint has no identity to reserve"
            )
    elif draft.identity is None or not draft.identity.full_name.strip():
        raise IntakeRefused("identity_required", "an identified complaint needs a name")
    if draft.protection is not None and not draft.protection.measures:
        raise IntakeRefused("protection_measures", "choose at least one measure")
    if (
        draft.protection is not None
        and MeasureType.OTHER in draft.protection.measures
        and not draft.protection.other.strip()
    ):
        raise IntakeRefused("protection_other", "describe the other measure requested")
    if draft.protection is not None and len(draft.protection.other) > MAX_SHORT:
        raise IntakeRefused("protection_other", "the other measure's description is too long")


def report_document(draft: ReportDraft, *, filed_at: dt.datetime) -> ReportDocument:
    """The report as sealed (no identity data: that goes to the vault)."""
    return ReportDocument(
        filed_at=filed_at,
        modality=draft.modality,
        motives=draft.motives,
        facts=draft.facts,
        occurred_when=draft.occurred_when,
        occurred_where=draft.occurred_where,
        persons_reported=draft.persons_reported,
        witnesses=draft.witnesses,
        documents_location=draft.documents_location,
        commitment=draft.commitment,
        identified=draft.identity is not None,
        protection=draft.protection,
    )


def acknowledgement_for(case: Case, settings: Settings) -> dict[str, Any]:
    """The downloadable acuse de recibo of a stored case (core.services.acknowledgement)."""
    return ack.for_case(case, settings.secret_bytes("server_key"))


def verify_acknowledgement(document: dict[str, Any], public_key: bytes | None = None) -> bool:
    """Check an acuse de recibo (v1 or v2) against the office's published key."""
    return ack.verify(document, public_key)


def seal_attachment(
    session: Session,
    upload: UploadedEvidence,
    recipients: Sequence[crypto.Recipient],
) -> tuple[Blob, bytes]:
    """Stream one file into a blob; return it with its sealed metadata."""
    blob, meta_sealed, _ = seal_attachment_hashed(session, upload, recipients)
    return blob, meta_sealed


def seal_attachment_hashed(
    session: Session,
    upload: UploadedEvidence,
    recipients: Sequence[crypto.Recipient],
) -> tuple[Blob, bytes, ack.AttachmentHash]:
    """Stream one file into a blob; return it with its sealed metadata and its hashes."""
    hashing = _HashingReader(upload.stream)
    blob = store_stream(
        session,
        cast(BinaryIO, hashing),
        recipients,
        kind=BlobKind.ATTACHMENT,
        file=(upload.filename, upload.size),
    )
    kept = hashing.hexdigest()
    meta = {
        "format": ATTACHMENT_META_FORMAT,
        "filename": upload.filename,
        "content_type": upload.content_type,
        "size": upload.size,
        "metadata_removed": list(upload.metadata_removed),
        "original_sha256": upload.original_sha256,
    }
    hashes = ack.AttachmentHash(
        sha256_received=upload.original_sha256 or kept,
        sha256_kept=kept,
        size=hashing.size,
        metadata_removed=bool(upload.metadata_removed),
    )
    return blob, crypto.encrypt(pad_json(_json(meta)), recipients), hashes


class _HashingReader:
    """A read-only stream that hashes what passes through (the kept file's SHA-256)."""

    def __init__(self, src: BinaryIO) -> None:
        self._src = src
        self._hash = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._src.read(n)
        self._hash.update(data)
        self.size += len(data)
        return data

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


# --- filing ------------------------------------------------------------------------------------


def submit_report(
    session: Session,
    *,
    entity: Entity,
    draft: ReportDraft,
    attachments: Sequence[UploadedEvidence],
    settings: Settings,
    now: dt.datetime,
    channel: Channel = Channel.WEB,
    received_on: dt.date | None = None,
    registered_by: Officer | None = None,
    against_oii: bool = False,
) -> Receipt:
    """File a complaint: seal everything, register the case, sign the acknowledgement.

    A complaint received by another channel comes through core.services.channels, which
    checks the channel, the day of receipt (the clocks count from it) and the officer who
    registers it, then seals and registers it here exactly like a web filing.

    Flushes only; the caller commits and shows the receipt after the commit.
    """
    validate_draft(draft, facts_in_attachment=channel is not Channel.WEB and bool(attachments))
    if not entity.active:
        raise IntakeRefused("entity_disabled", "this entity receives no new complaints")
    if len(attachments) > settings.max_attachments:
        raise IntakeRefused("too_many_files", "too many attachments")
    now = now.astimezone(dt.UTC)

    # The expensive, database-free part first, so the write transaction stays short.
    code = crypto.generate_receipt()
    salt = os.urandom(SALT_BYTES)
    pq = is_post_quantum(entity.office_recipient)
    with kdf_slot(settings):
        complainant = crypto.derive_complainant_identity(
            code, salt, pq=pq, profile=kdf_profile(settings)
        )
    complainant_recipient = complainant.recipient()
    office = crypto.parse_recipient(entity.office_recipient)
    content_recipients = [office, complainant_recipient]

    report_blob = store_bytes(
        session,
        seal_report(report_document(draft, filed_at=now)),
        content_recipients,
        kind=BlobKind.REPORT,
    )
    identity_blob: Blob | None = None
    if draft.identity is not None:
        vault = crypto.parse_recipient(entity.vault_recipient)
        identity_blob = store_bytes(
            session,
            seal_identity(draft.identity),
            [vault, complainant_recipient],
            kind=BlobKind.IDENTITY,
        )
    sealed_files = [seal_attachment_hashed(session, up, content_recipients) for up in attachments]

    # Short, locking part: the case code, the case row, its events.
    case_code = allocate_case_code(session, entity, now.year)
    server_key = settings.secret_bytes("server_key")
    signature, signed_message = ack.sign(
        signing_key(server_key, entity),
        ack.build_message(
            entity_slug=entity.slug,
            entity_name=entity.name,
            case_code=case_code,
            filed_at=now,
            report_sha256=report_blob.sha256,
            attachments=[hashes for _, _, hashes in sealed_files],
        ),
    )
    protection = draft.protection
    reserve_only = protection is not None and set(protection.measures) == {
        MeasureType.IDENTITY_RESERVE
    }
    case = Case(
        entity_id=entity.id,
        entity=entity,
        code=case_code,
        modality=draft.modality,
        motive_1=draft.motives[0],
        motive_2=draft.motives[1] if len(draft.motives) > 1 else None,
        state=CaseState.REGISTERED,
        channel=channel.value,
        filed_at=now,
        received_on=received_on,
        against_oii=against_oii or draft.against_oii,
        # Fixed at filing: every later act and clock follows this regime (core.law.regime);
        # a complaint received by another channel was filed the day it reached the office.
        regime=regime_at_filing(received_on or local_day(now)).id,
        protection_requested=protection is not None,
        reserve_only=reserve_only,
        receipt_lookup=crypto.receipt_lookup_id(settings.secret_bytes("receipt_pepper"), code),
        receipt_salt=salt,
        complainant_recipient=complainant_recipient.to_string(),
        report_blob_id=report_blob.id,
        identity_blob_id=identity_blob.id if identity_blob is not None else None,
        report_sha256=report_blob.sha256,
        acknowledgement_signature=signature,
        acknowledgement_sealed=ack.seal_message(server_key, signed_message),
        updated_at=now,
    )
    session.add(case)
    session.flush()
    report_blob.case_id = case.id
    if identity_blob is not None:
        identity_blob.case_id = case.id
    for blob, meta_sealed, _ in sealed_files:
        blob.case_id = case.id
        session.add(
            Attachment(
                case_id=case.id,
                blob_id=blob.id,
                meta_sealed=meta_sealed,
                from_complainant=True,
                created_at=now,
            )
        )
    session.flush()
    audit.record(
        session,
        action="case.filed",
        actor="intake" if registered_by is None else None,
        officer_id=registered_by.id if registered_by is not None else None,
        entity_id=entity.id,
        case_id=case.id,
        detail={"case": case.id, "code": case_code}
        if channel is Channel.WEB
        else {"case": case.id, "code": case_code, "channel": channel.value},
        now=now,
    )
    # The workflow services open the statutory clocks, record the visible "registered"
    # event and the automatic first act (core.services.cases), then each requested measure.
    calendar = case_records.calendar_for(session, entity)
    cases.register_case_deadlines(session, case, calendar, now)
    if protection is not None:
        # The one protection-request service of every source (imported here: it builds on
        # core.services.messages, which imports this module).
        from core.services.protection import ProtectionSource
        from core.services.protection import request_protection

        request_protection(
            session,
            case,
            measure_types=protection.measures,
            source=ProtectionSource.FILING,
            now=now,
            office_recipients=[office],
            calendar=calendar,
        )
    session.flush()
    return Receipt(code=code, case=case, acknowledgement=acknowledgement_for(case, settings))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
