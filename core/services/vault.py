"""The identity vault: access to complainant identity data, and refusals of requests for it.

Identity data (DL 7.1 item 1) is sealed to the entity's vault recipient, separate from the
report (docs/threat-model.md, "Assets"). Only the head role (responsable de la OII / MAA) holds
the vault identity, and reads the identity only after stating a legal basis. Every access is:

- an audit entry `identity.accessed` whose detail names the legal-basis *category* only (the
  stated text can itself be identifying, so it is sealed to the office in the event's
  reasoning instead of sitting in clear in the audit log);
- a CaseEvent `identity_accessed` visible to the complainant, so they see on their timeline
  that their identity was read, when, and on which kind of basis (never by whom).

A request for the identity by anyone else, the titular included, must be formally refused and
reported to the OCI, or to the Contraloría when the OCI depends on the entity's budget
(RG 3.4). Any officer records that refusal as a first-class act: a CaseEvent
`identity_request_refused` plus a Forwarding of the report to the OCI (or the Contraloría).
The refusal is not shown to the complainant: it is not an access, and the requester's
details are internal (decision; reverse by flipping `REFUSAL_VISIBLE`).

Flask-free; services flush and never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy.orm import Session

import crypto
from core.errors import DomainError
from core.errors import NotFound
from core.law.enums import Destination
from core.law.enums import Role
from core.services.case_records import check_officer
from core.services.case_records import record_event
from core.services.documents import ComplainantIdentity
from core.services.documents import read_identity
from core.storage import audit
from core.storage.blobs import read_plaintext
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Forwarding
from core.storage.models import Officer

ACCESS_EVENT = "identity_accessed"
REFUSAL_EVENT = "identity_request_refused"
REFUSAL_VISIBLE = False
MAX_STATEMENT = 4_000


class LegalBasis(StrEnum):
    """Why the head reads the identity (stated category; the text is sealed)."""

    MEASURE_EXECUTION = "ejecucion_medidas"  # HR must execute a protection measure (RG 5.4)
    CLARIFICATION = "aclaraciones"  # contact the complainant for clarifications (DL 7.1.3)
    JUDICIAL_ORDER = "mandato_judicial"  # order of a judge or prosecutor
    COMPLAINANT_CONSENT = "consentimiento"  # the complainant asked or agreed
    BAD_FAITH_PROCEDURE = "mala_fe"  # bad-faith procedure (DL 14; RG 11)
    OTHER = "otro"


class Requester(StrEnum):
    """Who asked for the identity (RG 3.4); the name or post goes in the sealed statement."""

    TITULAR = "titular"
    MAA = "maa"
    PUBLIC_SERVANT = "servidor"
    EXTERNAL = "externo"
    OTHER = "otro"


class ReportTo(StrEnum):
    """Where the refusal is reported (RG 3.4)."""

    OCI = "oci"
    CONTRALORIA = "contraloria"  # when the OCI depends on the entity's budget


class IdentityAccessRefused(DomainError):
    """The officer may not read the identity, or did not state the basis."""

    code = "identity_access_refused"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def may_access_identity(officer: Officer) -> bool:
    """Only the head role (OII head / MAA) reads complainant identities."""
    return officer.role is Role.HEAD and officer.active


def has_identity(case: Case) -> bool:
    return case.identity_blob_id is not None


def _statement(text: str) -> str:
    statement = text.strip()
    if not statement:
        raise IdentityAccessRefused(
            "legal_basis_required", "State the legal basis for reading the identity."
        )
    if len(statement) > MAX_STATEMENT:
        raise IdentityAccessRefused("statement_too_long", "The statement is too long.")
    return statement


def refuse_unauthorised_attempt(
    session: Session, case: Case, *, officer: Officer, now: dt.datetime
) -> None:
    """Audit an attempt by a non-head officer to open the vault (nothing is decrypted)."""
    audit.record(
        session,
        action="identity.access_denied",
        officer_id=officer.id,
        entity_id=case.entity_id,
        case_id=case.id,
        detail={"role": officer.role.value},
        now=now,
    )


def access_identity(
    session: Session,
    case: Case,
    *,
    officer: Officer,
    vault_identities: Sequence[crypto.Identity],
    legal_basis: LegalBasis,
    statement: str,
    now: dt.datetime,
    office_recipients: Sequence[crypto.Recipient],
) -> ComplainantIdentity:
    """Record the access (event + audit), then decrypt and return the identity document."""
    check_officer(case, officer)
    if not may_access_identity(officer):
        raise IdentityAccessRefused(
            "head_role_required",
            "Only the head of the OII (or the MAA) may read the complainant's identity.",
        )
    text = _statement(statement)
    if not has_identity(case):
        raise NotFound("this complaint carries no identity data (anonymous)")
    if not vault_identities:
        raise IdentityAccessRefused(
            "vault_key_missing", "Your session does not hold the identity vault key."
        )
    event = record_event(
        session,
        case,
        kind=ACCESS_EVENT,
        officer=officer,
        now=now,
        from_state=None,
        to_state=None,
        visible=True,
        data={"legal_basis": legal_basis.value},
        reasoning=text,
        office_recipients=office_recipients,
    )
    audit.record(
        session,
        action="identity.accessed",
        officer_id=officer.id,
        entity_id=case.entity_id,
        case_id=case.id,
        detail={"event_id": event.id, "legal_basis": legal_basis.value},
        now=now,
    )
    assert case.identity_blob_id is not None
    return read_identity(read_plaintext(session, case.identity_blob_id, vault_identities))


def record_refused_request(
    session: Session,
    case: Case,
    *,
    officer: Officer,
    requester: Requester,
    statement: str,
    report_to: ReportTo = ReportTo.OCI,
    report_to_name: str = "",
    now: dt.datetime,
    office_recipients: Sequence[crypto.Recipient],
) -> CaseEvent:
    """Record the formal refusal of a request for the identity and its report (RG 3.4).

    `statement` (who asked, how, and the refusal's reasoning) is sealed to the office.
    """
    check_officer(case, officer)
    text = _statement(statement)
    destination = Destination.OCI if report_to is ReportTo.OCI else Destination.OTHER_ENTITY
    name = report_to_name.strip() or (
        "Órgano de Control Institucional"
        if report_to is ReportTo.OCI
        else "Contraloría General de la República"
    )
    event = record_event(
        session,
        case,
        kind=REFUSAL_EVENT,
        officer=officer,
        now=now,
        from_state=None,
        to_state=None,
        visible=REFUSAL_VISIBLE,
        data={"requester": requester.value, "reported_to": report_to.value},
        reasoning=text,
        office_recipients=office_recipients,
    )
    forwarding = Forwarding(
        case_id=case.id,
        destination=destination,
        destination_name=name[:200],
        is_copy=False,
        at=now,
        officer_id=officer.id,
        event_id=event.id,
    )
    session.add(forwarding)
    session.flush()
    audit.record(
        session,
        action="identity.request_refused",
        officer_id=officer.id,
        entity_id=case.entity_id,
        case_id=case.id,
        detail={
            "event_id": event.id,
            "forwarding_id": forwarding.id,
            "requester": requester.value,
            "reported_to": report_to.value,
        },
        now=now,
    )
    return event
