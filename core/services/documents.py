"""The two JSON documents sealed at filing: the report and the complainant's identity.

Each has one writer (`seal_report`, `seal_identity`: the bytes `core.services.intake` seals)
and one reader (`read_report`, `read_identity`: every place that opens a sealed report or
identity goes through them, casefile, forwarding, vault and the complainant's own page).

The bytes are compact JSON with sorted keys, padded to a Padmé size by
`core.storage.padding.pad_json` (trailing spaces, which JSON ignores), exactly as documents
have been written since `integra-report/v1` and `integra-identity/v1`: a document stored
before these types existed reads the same (tests/core/test_documents.py holds one).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from core.errors import DomainError
from core.law.enums import MeasureType
from core.law.enums import Modality
from core.law.enums import Motive
from core.storage.padding import pad_json

REPORT_FORMAT = "integra-report/v1"
IDENTITY_FORMAT = "integra-identity/v1"


@dataclass(frozen=True)
class ReportedPerson:
    """A person reported: the name or the post (cargo), whichever is known (RG 4.6)."""

    name: str = ""
    post: str = ""


@dataclass(frozen=True)
class ComplainantIdentity:
    """Identity data (DL 7.1 item 1); sealed to the identity vault, never with the report."""

    full_name: str
    document_type: str = "DNI"
    document_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class ProtectionRequest:
    """A request for protection measures made with the complaint (DL 8; RG 5)."""

    measures: tuple[MeasureType, ...]
    risk: str = ""
    other: str = ""  # what "Otra medida" (MeasureType.OTHER) is, in the complainant's words


@dataclass(frozen=True)
class ReportDocument:
    """The report as sealed (`integra-report/v1`): no identity data, that goes to the vault."""

    filed_at: dt.datetime
    modality: Modality
    motives: tuple[Motive, ...]
    facts: str
    occurred_when: str
    occurred_where: str
    persons_reported: tuple[ReportedPerson, ...]
    witnesses: str
    documents_location: str
    commitment: bool
    identified: bool
    protection: ProtectionRequest | None

    def as_dict(self) -> dict[str, Any]:
        """The JSON object as stored, key for key."""
        return {
            "format": REPORT_FORMAT,
            "filed_at": self.filed_at.isoformat(),
            "modality": self.modality.value,
            "motives": [m.value for m in self.motives],
            "facts": self.facts,
            "occurred_when": self.occurred_when,
            "occurred_where": self.occurred_where,
            "persons_reported": [{"name": p.name, "post": p.post} for p in self.persons_reported],
            "witnesses": self.witnesses,
            "documents_location": self.documents_location,
            "commitment": self.commitment,
            "identified": self.identified,
            "protection": _protection_dict(self.protection),
        }


def _protection_dict(protection: ProtectionRequest | None) -> dict[str, Any] | None:
    if protection is None:
        return None
    value: dict[str, Any] = {
        "measures": [m.value for m in protection.measures],
        "risk": protection.risk,
    }
    if MeasureType.OTHER in protection.measures:  # written only where it means something
        value["other"] = protection.other
    return value


def identity_as_dict(identity: ComplainantIdentity) -> dict[str, Any]:
    """The identity document's JSON object as stored (`integra-identity/v1`)."""
    return {
        "format": IDENTITY_FORMAT,
        "full_name": identity.full_name,
        "document_type": identity.document_type,
        "document_number": identity.document_number,
        "phone": identity.phone,
        "email": identity.email,
        "address": identity.address,
    }


# --- the one writer ----------------------------------------------------------------------------


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def seal_report(report: ReportDocument) -> bytes:
    """The padded bytes of the report, ready to seal."""
    return pad_json(_json(report.as_dict()))


def seal_identity(identity: ComplainantIdentity) -> bytes:
    """The padded bytes of the identity document, ready to seal."""
    return pad_json(_json(identity_as_dict(identity)))


# --- the one reader ----------------------------------------------------------------------------


def _object(raw: bytes, what: str) -> dict[str, Any]:
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise DomainError(f"the sealed {what} is not a JSON object")
    return value


def _text(value: dict[str, Any], key: str) -> str:
    return str(value.get(key) or "")


def read_report(raw: bytes) -> ReportDocument:
    """The report from its decrypted bytes (padding included)."""
    value = _object(raw, "report")
    protection = value.get("protection")
    persons = value.get("persons_reported") or []
    return ReportDocument(
        filed_at=dt.datetime.fromisoformat(value["filed_at"]),
        modality=Modality(value["modality"]),
        motives=tuple(Motive(m) for m in value.get("motives") or []),
        facts=_text(value, "facts"),
        occurred_when=_text(value, "occurred_when"),
        occurred_where=_text(value, "occurred_where"),
        persons_reported=tuple(
            ReportedPerson(name=_text(p, "name"), post=_text(p, "post"))
            for p in persons
            if isinstance(p, dict)
        ),
        witnesses=_text(value, "witnesses"),
        documents_location=_text(value, "documents_location"),
        commitment=bool(value.get("commitment")),
        identified=bool(value.get("identified")),
        protection=None
        if not isinstance(protection, dict)
        else ProtectionRequest(
            measures=tuple(MeasureType(m) for m in protection.get("measures") or []),
            risk=_text(protection, "risk"),
            other=_text(protection, "other"),
        ),
    )


def read_identity(raw: bytes) -> ComplainantIdentity:
    """The complainant's identity from its decrypted bytes (padding included)."""
    value = _object(raw, "identity")
    return ComplainantIdentity(
        full_name=_text(value, "full_name"),
        document_type=_text(value, "document_type"),
        document_number=_text(value, "document_number"),
        phone=_text(value, "phone"),
        email=_text(value, "email"),
        address=_text(value, "address"),
    )
