"""The acuse de recibo: what the office signs when a complaint is filed, and its check.

Version 2 (`integra-acuse-de-recibo/v2`) signs every field the document shows except the
signature and the key that checks it: the entity's slug and name, the case code, the filing
time (UTC, Lima and in words), the SHA-256 of the sealed report, each attachment's SHA-256
as the complainant handed it in and as the office keeps it (they differ when hidden
metadata was removed), and one sentence saying what it proves. Adding, removing or changing
any field breaks the signature. The exact signed message is kept sealed under the server
key (`cases.acknowledgement_sealed`): it holds plaintext hashes and the name as it was at
filing, and neither may change nor lie in clear in the database.

Version 1 (cases filed before revision 0011) signed five fields; those acknowledgements stay
verifiable: they are rebuilt from the clear columns with only the signed fields, and a v1
file someone kept (which also carried an unsigned `entity_name`) still verifies, but only
its signed fields are ever shown (`signed_fields`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import crypto
from core.storage import secretbox
from core.storage.models import Case
from core.storage.padding import pad_json

ACK_TYPE_V1 = "integra-acuse-de-recibo/v1"
ACK_TYPE = "integra-acuse-de-recibo/v2"
V1_FIELDS = ("type", "entity", "case_code", "filed_at", "report_sha256")
# Verification material: the only fields of a v2 document outside the signed message.
UNSIGNED = ("public_key", "signature")
SEAL_PURPOSE = "integra-acknowledgement-v2"
LIMA = dt.timezone(dt.timedelta(hours=-5), "PET")  # Peru keeps UTC-5 all year

MONTHS_ES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
STATEMENT = (
    "La Oficina de Integridad Institucional de {name} declara, con su firma digital, que "
    "recibió la denuncia {code} el {when}, con el contenido cifrado cuya huella es "
    "report_sha256 y los {count} archivos adjuntos cuyas huellas SHA-256 se listan; "
    "si se cambia un solo dato de este acuse, la firma deja de ser válida."
)


@dataclass(frozen=True)
class AttachmentHash:
    """One piece of evidence as received: its hash before and after metadata removal."""

    sha256_received: str
    sha256_kept: str
    size: int
    metadata_removed: bool


def lima_in_words(moment: dt.datetime) -> str:
    """'28 de noviembre de 2026, a las 17:05 (hora de Lima)': the filing time as people say it."""
    local = moment.astimezone(LIMA)
    return (
        f"{local.day} de {MONTHS_ES[local.month - 1]} de {local.year}, "
        f"a las {local:%H:%M} (hora de Lima)"
    )


def _canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def build_message(
    *,
    entity_slug: str,
    entity_name: str,
    case_code: str,
    filed_at: dt.datetime,
    report_sha256: str,
    attachments: Sequence[AttachmentHash],
) -> dict[str, Any]:
    """The v2 signed fields (a dict; `_canonical` gives the exact bytes signed)."""
    filed_utc = filed_at.astimezone(dt.UTC)
    when = lima_in_words(filed_utc)
    return {
        "type": ACK_TYPE,
        "entity": entity_slug,
        "entity_name": entity_name,
        "case_code": case_code,
        "filed_at": filed_utc.isoformat(),
        "filed_at_lima": filed_utc.astimezone(LIMA).isoformat(),
        "filed_at_words": when,
        "report_sha256": report_sha256,
        "attachments": [
            {
                "number": n,
                "sha256_received": a.sha256_received,
                "sha256_kept": a.sha256_kept,
                "size": a.size,
                "metadata_removed": a.metadata_removed,
            }
            for n, a in enumerate(attachments, start=1)
        ],
        "statement": STATEMENT.format(
            name=entity_name, code=case_code, when=when, count=len(attachments)
        ),
    }


def sign(signing_key: crypto.SigningKey, fields: dict[str, Any]) -> tuple[bytes, bytes]:
    """(signature, exact message) of a v2 acknowledgement."""
    message = _canonical(fields)
    return signing_key.sign(message), message


def seal_message(server_key: bytes, message: bytes) -> bytes:
    """The signed message as stored, padded like every sealed object (trailing spaces up to
    the Padmé length, core/storage/padding.py): still the same JSON, and the signature
    covers the canonical message, which ends in '}' (`open_message` strips the spaces)."""
    return secretbox.seal(server_key, SEAL_PURPOSE, pad_json(message))


def open_message(server_key: bytes, sealed: bytes) -> bytes:
    """The exact signed message of `seal_message` (one sealed before padding, as it was)."""
    return secretbox.unseal(server_key, SEAL_PURPOSE, sealed).rstrip(b" ")


def v1_message(*, entity_slug: str, case_code: str, filed_at: str, report_sha256: str) -> bytes:
    """The exact bytes a v1 acknowledgement signed: five fields, canonical JSON."""
    return _canonical(
        {
            "type": ACK_TYPE_V1,
            "entity": entity_slug,
            "case_code": case_code,
            "filed_at": filed_at,
            "report_sha256": report_sha256,
        }
    )


def for_case(case: Case, server_key: bytes | None) -> dict[str, Any]:
    """The downloadable acuse of a stored case: the signed fields plus key and signature.

    v2 needs the server key to open the sealed message; without one (or for a case filed
    before v2) the v1 fields are returned, which are all in clear.
    """
    entity = case.entity
    material = {
        "public_key": entity.signing_public_key.hex(),
        "signature": case.acknowledgement_signature.hex(),
    }
    if case.acknowledgement_sealed is not None and server_key is not None:
        raw = open_message(server_key, case.acknowledgement_sealed)
        return {**json.loads(raw), **material}
    return {
        "type": ACK_TYPE_V1,
        "entity": entity.slug,
        "case_code": case.code,
        "filed_at": case.filed_at.astimezone(dt.UTC).isoformat(),
        "report_sha256": case.report_sha256,
        **material,
    }


def signed_fields(ack: dict[str, Any]) -> dict[str, Any]:
    """Only what the signature covers: v1 drops anything else (its old unsigned entity_name)."""
    if ack.get("type") == ACK_TYPE_V1:
        return {k: ack[k] for k in V1_FIELDS if k in ack}
    return {k: v for k, v in ack.items() if k not in UNSIGNED}


def verify(ack: dict[str, Any], public_key: bytes | None = None) -> bool:
    """Check an acuse against the office's published key (or the one it carries).

    v2: every field but `public_key` and `signature` is signed, so any field added, removed
    or changed fails. v1: the five signed fields (an old file's extra fields are ignored and
    never shown as verified: see `signed_fields`).
    """
    try:
        key = public_key if public_key is not None else bytes.fromhex(ack["public_key"])
        signature = bytes.fromhex(ack["signature"])
        if ack.get("type") == ACK_TYPE_V1:
            message = v1_message(
                entity_slug=ack["entity"],
                case_code=ack["case_code"],
                filed_at=ack["filed_at"],
                report_sha256=ack["report_sha256"],
            )
        elif ack.get("type") == ACK_TYPE:
            message = _canonical(signed_fields(ack))
        else:
            return False
        return crypto.verify_signature(key, message, signature)
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
