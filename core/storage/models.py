"""Typed SQLAlchemy 2.0 models for the DL 1327 domain.

Only ciphertext and the minimal clear metadata that deadlines and statistics
need are stored (docs/threat-model.md, invariant 1): state, modality, motives, dates
and codes are clear; everything a person wrote or uploaded is an age file.
Models hold no Flask, i18n or crypto calls.

Why one module over 450 lines: this is the one schema. Alembic revisions and
tests/test_migrations.py compare the database against it as a whole, the relationships
and foreign keys cross between nearly every pair of areas (cases, blobs, officers, audit),
and a schema change is reviewed as one diff of one file next to its migration. Split by
area, the tables would import each other in a ring and a reader would lose the one place
that says what is stored in clear.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import BigInteger
from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import false
from sqlalchemy import text
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from core.law.calendar import local_day
from core.law.enums import BadFaithType
from core.law.enums import Beneficiary
from core.law.enums import BlobKind
from core.law.enums import CaseState
from core.law.enums import DeadlineKind
from core.law.enums import Destination
from core.law.enums import MeasureState
from core.law.enums import MeasureType
from core.law.enums import MessageDirection
from core.law.enums import MessageKind
from core.law.enums import Modality
from core.law.enums import Motive
from core.law.enums import Role
from core.law.regime import regime_at_filing
from core.storage.db import Base
from core.storage.db import utcnow


def _regime_at_filing(context: DefaultExecutionContext) -> str:
    """A case inserted without a regime gets the one in force on its filing day (the intake
    sets it explicitly; core.law.regime)."""
    params = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return regime_at_filing(local_day(params["filed_at"])).id


def _enum(cls: type, name: str) -> Enum:
    """Store enums by value as plain strings (no native DB enum to migrate)."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=40,
        values_callable=lambda e: [m.value for m in e],
    )


# An entity's words as written (PostgreSQL's own spelling of name || ' ' || acronym || …, so
# the directory's query and the GIN index below are the same expression).
ENTITY_WORDS_SQL = (
    "(((((name::text || ' '::text) || acronym::text) || ' '::text) "
    "|| sector::text) || ' '::text) || region::text"
)


class Entity(Base):
    """A public entity whose OII runs this instance (one or several per instance)."""

    __tablename__ = "entities"
    # PostgreSQL only: the Spanish stemmer's index for the directory (core.access.directory).
    __table_args__ = (
        Index(
            "ix_entities_search_fts",
            text(f"to_tsvector('spanish'::regconfig, {ENTITY_WORDS_SQL})"),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Recipient strings only: the intake never holds a private key (invariant 2).
    office_recipient: Mapped[str] = mapped_column(Text)
    vault_recipient: Mapped[str] = mapped_column(Text)
    # Ed25519 acknowledgement key: public in clear, private sealed under the server key.
    signing_public_key: Mapped[bytes]
    signing_key_sealed: Mapped[bytes]
    case_prefix: Mapped[str] = mapped_column(String(8), default="D")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Deadline notices carry counts only, no case codes (core/services/notify.py).
    notify_counts_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # The intake directory (reporting/directory_pages.py): what a complainant may type to
    # find the office, and `search_text`, those words lower-cased without accents
    # (core.access.directory.search_text), kept in step by core.services.entities_admin.
    acronym: Mapped[str] = mapped_column(String(32), default="")
    sector: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    # A disabled entity receives no new complaints; its cases stay (integra entity disable).
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Its own host name, if it has one (denuncias.ate.gob.pe): the intake answers that host
    # with this entity's address and form (reporting/directory_pages.py). Lower case.
    host: Mapped[str | None] = mapped_column(String(253), unique=True, index=True)

    officers: Mapped[list[Officer]] = relationship(back_populates="entity")
    non_working_days: Mapped[list[NonWorkingDay]] = relationship(
        back_populates="entity", cascade="all, delete-orphan"
    )


class EntityTerm(Base):
    """One word of an entity's directory text (core.access.directory): a B-tree range on
    `term` finds the entities whose words start with what was typed, whatever their number."""

    __tablename__ = "entity_terms"

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), primary_key=True, index=True)


class NonWorkingDay(Base):
    """A day the entity does not work, beyond national holidays (deadline engine)."""

    __tablename__ = "non_working_days"
    __table_args__ = (UniqueConstraint("entity_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")

    entity: Mapped[Entity] = relationship(back_populates="non_working_days")


class NationalNonWorkingDay(Base):
    """A non-working day declared for the whole public sector (a PCM decree), entered once
    for every entity on the platform (core.services.calendar_admin)."""

    __tablename__ = "national_non_working_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Officer(Base):
    """An account in the casework app."""

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    # TOTP secret sealed under the server key; the last accepted time step blocks replay.
    totp_secret_sealed: Mapped[bytes | None]
    totp_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_last_step: Mapped[int] = mapped_column(BigInteger, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped by "log out everywhere": sessions of an older epoch are refused.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]
    # Deadline notices by e-mail: off unless the officer opts in and gives an address.
    notify_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    notify_email: Mapped[str | None] = mapped_column(String(254))

    entity: Mapped[Entity] = relationship(back_populates="officers")
    wrapped_keys: Mapped[list[WrappedKey]] = relationship(
        back_populates="officer", cascade="all, delete-orphan"
    )


class WrappedKey(Base):
    """An entity identity (office or vault) wrapped under one officer's passphrase."""

    __tablename__ = "wrapped_keys"
    __table_args__ = (UniqueConstraint("officer_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    purpose: Mapped[str] = mapped_column(String(16))  # "office" | "vault"
    blob: Mapped[bytes]  # an age scrypt file holding the identity string
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    officer: Mapped[Officer] = relationship(back_populates="wrapped_keys")


class OfficerSession(Base):
    """Server side of a casework login, shared by every worker process.

    The unwrapped identities are sealed under a key that only the officer's
    session cookie carries; deleting the row or losing the cookie forgets them.
    """

    __tablename__ = "officer_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the token
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    epoch: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    keys_sealed: Mapped[bytes | None]


class IntakeSession(Base):
    """Server side of a complainant's follow-up login, so logout and idle end every copy.

    Keyed by the SHA-256 of a random token that only the (sealed) session cookie carries;
    the row holds no case, no identity, no address: deleting it ends the session.
    """

    __tablename__ = "intake_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the token
    last_seen_at: Mapped[dt.datetime] = mapped_column(index=True)


class Throttle(Base):
    """Attempt counters shared across worker processes (receipts, logins)."""

    __tablename__ = "throttles"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    window_start: Mapped[dt.datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None]


class CaseCounter(Base):
    """Per-entity, per-year sequence behind case codes like D-2026-000123."""

    __tablename__ = "case_counters"

    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    """A complaint (denuncia). Content and identity live in sealed blobs."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_inbox", "entity_id", "filed_at", "id"),
        Index("ix_cases_state_inbox", "entity_id", "state", "filed_at", "id"),
        Index("ix_cases_deadline", "entity_id", "next_deadline_on", "id"),
        Index("ix_cases_officer", "assigned_officer_id", "next_deadline_on", "id"),
        # Codes are counted per entity (D-2026-000001 in each): unique within it, and the
        # index an officer's code search walks (docs/performance.md).
        UniqueConstraint("entity_id", "code", name="uq_cases_entity_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    code: Mapped[str] = mapped_column(String(32))
    modality: Mapped[Modality] = mapped_column(_enum(Modality, "modality"))
    motive_1: Mapped[Motive] = mapped_column(_enum(Motive, "motive"))
    motive_2: Mapped[Motive | None] = mapped_column(_enum(Motive, "motive"))
    state: Mapped[CaseState] = mapped_column(_enum(CaseState, "case_state"))
    channel: Mapped[str] = mapped_column(String(32), default="web")  # core.law.enums.Channel
    filed_at: Mapped[dt.datetime]
    # The day a complaint from another channel reached the office (entered by the officer who
    # registers it); its clocks count from this day (core.services.channels). None: web intake.
    received_on: Mapped[dt.date | None] = mapped_column(Date)
    # RG 4.9: a complaint against the OII's own staff or head, handled by the entity's titular
    # only (core.access.case_scope); fixed at registration.
    against_oii: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    protection_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    reserve_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # The regime fixed at filing (core.law.regime): every later act and clock follows it.
    regime: Mapped[str] = mapped_column(String(40), default=_regime_at_filing)
    # HMAC-SHA256(pepper, receipt): the only trace of the receipt (docs/threat-model.md, "Assets").
    receipt_lookup: Mapped[str] = mapped_column(String(64), unique=True)
    receipt_salt: Mapped[bytes]
    complainant_recipient: Mapped[str] = mapped_column(Text)
    report_blob_id: Mapped[int | None] = mapped_column(ForeignKey("blobs.id", use_alter=True))
    identity_blob_id: Mapped[int | None] = mapped_column(ForeignKey("blobs.id", use_alter=True))
    report_sha256: Mapped[str] = mapped_column(String(64))
    acknowledgement_signature: Mapped[bytes]
    # The exact v2 acknowledgement message the signature covers (entity name, attachment
    # hashes), sealed under the server key; NULL for v1 acknowledgements (before 0011).
    acknowledgement_sealed: Mapped[bytes | None]
    assigned_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    next_deadline_on: Mapped[dt.date | None] = mapped_column(Date)
    next_deadline_kind: Mapped[DeadlineKind | None] = mapped_column(
        _enum(DeadlineKind, "deadline_kind")
    )
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Set when retention shredded the case: its sealed content and receipt traces are gone,
    # the row stays as the tombstone (code, dates, outcome) that statistics count.
    shredded_at: Mapped[dt.datetime | None]

    entity: Mapped[Entity] = relationship()
    assigned_officer: Mapped[Officer | None] = relationship()
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan"
    )
    deadlines: Mapped[list[Deadline]] = relationship(
        back_populates="case", order_by="Deadline.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="case", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    messages: Mapped[list[Message]] = relationship(
        back_populates="case", order_by="Message.id", cascade="all, delete-orphan"
    )
    measures: Mapped[list[Measure]] = relationship(
        back_populates="case", order_by="Measure.id", cascade="all, delete-orphan"
    )
    forwardings: Mapped[list[Forwarding]] = relationship(
        back_populates="case", order_by="Forwarding.id", cascade="all, delete-orphan"
    )


class Blob(Base):
    """An age file stored in chunks so it commits with the rest of the report."""

    __tablename__ = "blobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[BlobKind] = mapped_column(_enum(BlobKind, "blob_kind"))
    size: Mapped[int] = mapped_column(BigInteger, default=0)  # ciphertext bytes
    sha256: Mapped[str] = mapped_column(String(64), default="")  # of the ciphertext
    # "" (the plaintext as is) or "tar": a file framed and padded (core.storage.padding).
    framing: Mapped[str] = mapped_column(String(8), default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    chunks: Mapped[list[BlobChunk]] = relationship(
        back_populates="blob", order_by="BlobChunk.seq", cascade="all, delete-orphan"
    )


class BlobChunk(Base):
    __tablename__ = "blob_chunks"

    blob_id: Mapped[int] = mapped_column(ForeignKey("blobs.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes]

    blob: Mapped[Blob] = relationship(back_populates="chunks")


class Attachment(Base):
    """Evidence; file name and type are inside `meta_sealed`, never in clear."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    blob_id: Mapped[int] = mapped_column(ForeignKey("blobs.id"))
    meta_sealed: Mapped[bytes]
    from_complainant: Mapped[bool] = mapped_column(Boolean, default=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="attachments")
    blob: Mapped[Blob] = relationship()


UNREAD_BY_OFFICE = "direction = 'from_complainant' AND read_at IS NULL"


class Message(Base):
    """A message between the office and the complainant, sealed to both."""

    __tablename__ = "messages"
    # What the complainant sent that no officer has opened yet (read_at is set when the case
    # page is opened, core.services.casefile): a partial index holding only those rows, so the
    # inbox's markers and its count of what needs action read a handful of entries whatever
    # the number of messages (core.read.inbox).
    __table_args__ = (
        Index(
            "ix_messages_unread",
            "case_id",
            sqlite_where=text(UNREAD_BY_OFFICE),
            postgresql_where=text(UNREAD_BY_OFFICE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    direction: Mapped[MessageDirection] = mapped_column(_enum(MessageDirection, "direction"))
    kind: Mapped[MessageKind] = mapped_column(_enum(MessageKind, "message_kind"))
    body_sealed: Mapped[bytes]
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # To the complainant: when they first saw it; from them: when the office first opened it.
    read_at: Mapped[dt.datetime | None]

    case: Mapped[Case] = relationship(back_populates="messages")


class Note(Base):
    """An internal note, sealed to the office only."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    body_sealed: Mapped[bytes]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CaseEvent(Base):
    """A recorded act on a case: who, when, what, and the sealed reasoning."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(48))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    visible_to_complainant: Mapped[bool] = mapped_column(Boolean, default=False)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id"))
    # Non-identifying structured facts only (destination codes, dates, measure types).
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reasoning_sealed: Mapped[bytes | None]
    # The text the complainant reads with the act (what is missing and what follows if there
    # is no answer; the reasons of a decision), sealed to the office and the complainant like a
    # message (core.services.notices); the internal reasoning above stays the office's.
    notice_sealed: Mapped[bytes | None]

    case: Mapped[Case] = relationship(back_populates="events")


class Deadline(Base):
    """A statutory clock; it stops only when an act is recorded (satisfied_at)."""

    __tablename__ = "deadlines"
    __table_args__ = (
        Index("ix_deadlines_open", "entity_id", "satisfied_at", "due_on", "id"),
        Index(
            "ix_deadlines_officer_open", "entity_id", "officer_id", "satisfied_at", "due_on", "id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # The case's assigned officer, copied here (and moved on reassignment) so one officer's
    # due/overdue view reads an index instead of filtering the office's clocks through cases.
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id"))
    # The clocks of a bad-faith procedure (RG 11) belong to it, not to a measure.
    bad_faith_id: Mapped[int | None] = mapped_column(ForeignKey("bad_faith_procedures.id"))
    kind: Mapped[DeadlineKind] = mapped_column(_enum(DeadlineKind, "deadline_kind"))
    # Whose clock it is: the office's, or the complainant's (subsanación).
    party: Mapped[str] = mapped_column(String(16), default="office")
    rule_version: Mapped[str] = mapped_column(String(40))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    satisfied_at: Mapped[dt.datetime | None]
    satisfied_by_event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))

    case: Mapped[Case] = relationship(back_populates="deadlines")


class Measure(Base):
    """A protection measure requested for a beneficiary (RG 6; DL 9)."""

    __tablename__ = "measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    type: Mapped[MeasureType] = mapped_column(_enum(MeasureType, "measure_type"))
    beneficiary: Mapped[Beneficiary] = mapped_column(_enum(Beneficiary, "beneficiary"))
    state: Mapped[MeasureState] = mapped_column(_enum(MeasureState, "measure_state"))
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None]
    notified_at: Mapped[dt.datetime | None]
    in_force_from: Mapped[dt.date | None] = mapped_column(Date)
    in_force_until: Mapped[dt.date | None] = mapped_column(Date)
    bad_faith_type: Mapped[BadFaithType | None] = mapped_column(
        _enum(BadFaithType, "bad_faith_type")
    )
    # Criteria assessment (trascendencia, gravedad, verosimilitud, subordinación) as booleans.
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    details_sealed: Mapped[bytes | None]

    case: Mapped[Case] = relationship(back_populates="measures")


class BadFaithProcedure(Base):
    """The bad-faith procedure on a complaint and the person who filed it (DL 14; RG 2.1.3,
    RG 11), whether or not a measure is in force; at most one open per person
    (core.services.badfaith)."""

    __tablename__ = "bad_faith_procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    person: Mapped[Beneficiary] = mapped_column(_enum(Beneficiary, "beneficiary"))
    bad_faith_type: Mapped[BadFaithType] = mapped_column(_enum(BadFaithType, "bad_faith_type"))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    alegaciones_received_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]
    upheld: Mapped[bool | None] = mapped_column(Boolean)


class Forwarding(Base):
    """The complaint or a copy sent to a competent body."""

    __tablename__ = "forwardings"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    destination: Mapped[Destination] = mapped_column(_enum(Destination, "destination"))
    destination_name: Mapped[str] = mapped_column(String(200), default="")
    is_copy: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))
    package_sha256: Mapped[str | None] = mapped_column(String(64))

    case: Mapped[Case] = relationship(back_populates="forwardings")


class AuditEntry(Base):
    """Append-only, hash-chained log of every sensitive act (invariant 5)."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[dt.datetime]
    action: Mapped[str] = mapped_column(String(64), index=True)
    actor: Mapped[str] = mapped_column(String(80))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditTreeNode(Base):
    """A complete subtree of the audit log's Merkle tree (docs/transparency.md).

    Node (level, idx) covers leaves idx * 2**level .. (idx + 1) * 2**level - 1; level 0
    holds the leaf hashes. Only complete subtrees are stored, so appending costs O(log n).
    """

    __tablename__ = "audit_tree_nodes"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes]


class AuditLogKey(Base):
    """The Ed25519 key that signs the audit log's checkpoints, sealed under the server key."""

    __tablename__ = "audit_log_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))  # the log's origin and key name
    public_key: Mapped[bytes]
    private_sealed: Mapped[bytes]
    created_at: Mapped[dt.datetime]


class AuditCheckpoint(Base):
    """A signed checkpoint (C2SP signed note) issued for the audit log."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, index=True)
    note: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[dt.datetime]


class KeyRotation(Base):
    """A rotation of an entity's office or vault key (docs/operations.md, "Rotating").

    The entity's recipient switches to the new key when the rotation starts; existing
    sealed objects are then re-addressed one batch at a time (new header, same payload),
    and `source`/`last_id` record how far that got, so a killed run resumes. Which key an
    object is sealed to is read from its header (the old identity opens it or not).
    """

    __tablename__ = "key_rotations"
    __table_args__ = (Index("ix_key_rotations_entity", "entity_id", "purpose", "finished_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    purpose: Mapped[str] = mapped_column(String(16))  # "office" | "vault"
    old_recipient: Mapped[str] = mapped_column(Text)
    new_recipient: Mapped[str] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    # Progress: the kind of sealed object being re-addressed and the last id done.
    source: Mapped[str] = mapped_column(String(64), default="")
    last_id: Mapped[int] = mapped_column(BigInteger, default=0)
    rewrapped: Mapped[int] = mapped_column(BigInteger, default=0)
    # Objects the old key does not open (sealed to the new key already, or to another).
    skipped: Mapped[int] = mapped_column(BigInteger, default=0)


class LegalHold(Base):
    """A legal hold on a case: while one is active (not released) the case is never shredded.

    The reason an officer types is sealed to the office key like other officer reasoning.
    """

    __tablename__ = "legal_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    reason_sealed: Mapped[bytes | None]
    placed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    released_at: Mapped[dt.datetime | None]
    released_by: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))


class RetentionRule(Base):
    """How many years an entity keeps a case after it ends with an outcome (core/law/retention.py
    holds the defaults used when an entity has no row)."""

    __tablename__ = "retention_rules"

    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(40), primary_key=True)
    keep_years: Mapped[int] = mapped_column(Integer)
