"""What the complainant reads of their own case on the follow-up page beyond the timeline:
the measures they asked for and their status, and "Ver mi denuncia" (everything they sent:
modality, motives, facts, identity data under reserve, measures, files with names and
hashes), all opened with their receipt-derived identity (docs/threat-model.md, "Receipt
login")."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from config import Settings
from core.law.enums import Beneficiary
from core.law.enums import MeasureType
from core.law.enums import Modality
from core.law.enums import Motive
from core.services import acknowledgement as ack_service
from core.services import intake
from core.services.messages import read_attachment_meta
from core.storage.blobs import read_plaintext
from core.storage.models import Case
from core.storage.models import Measure


def complainant_measures(session: Session, case: Case) -> list[Measure]:
    """The measures asked for the complainant (at filing or later), oldest first."""
    return list(
        session.scalars(
            select(Measure)
            .where(Measure.case_id == case.id, Measure.beneficiary == Beneficiary.COMPLAINANT)
            .order_by(Measure.requested_at, Measure.id)
        )
    )


def _sealed_json(session: Session, blob_id: int | None, identity: crypto.Identity) -> Any:
    if blob_id is None:
        return None
    try:
        return json.loads(read_plaintext(session, blob_id, [identity]))
    except (crypto.AgeError, ValueError):
        return None


def my_report(
    session: Session, case: Case, identity: crypto.Identity, settings: Settings
) -> dict[str, Any]:
    """Everything the complainant sent, as the office received it."""
    report = _sealed_json(session, case.report_blob_id, identity) or {}
    protection = report.get("protection") or {}
    known_measures = {m.value for m in MeasureType}
    # The hashes the signed acuse lists for the files filed with the complaint, in order; a
    # file added later carries the hash of the file as handed in, in its own metadata.
    signed = ack_service.signed_fields(intake.acknowledgement_for(case, settings))
    filed_hashes = list(signed.get("attachments") or [])
    files = []
    for att in sorted(case.attachments, key=lambda a: (a.created_at, a.id)):
        if not att.from_complainant:
            continue
        try:
            meta = read_attachment_meta(att, [identity])
        except (crypto.AgeError, ValueError):
            continue
        at_filing = att.created_at == case.filed_at and filed_hashes
        hashes = filed_hashes.pop(0) if at_filing else {}
        files.append(
            {
                "at": att.created_at,
                "name": meta.get("filename", ""),
                "size": meta.get("size"),
                "sha256_received": hashes.get("sha256_received") or meta.get("original_sha256"),
                "sha256_kept": hashes.get("sha256_kept"),
                "metadata_removed": bool(meta.get("metadata_removed")),
            }
        )
    return {
        "report": report,
        "modality": Modality(report["modality"])
        if report.get("modality") in {m.value for m in Modality}
        else case.modality,
        "motives": [Motive(v) for v in report.get("motives", []) if v in {m.value for m in Motive}],
        "identity": _sealed_json(session, case.identity_blob_id, identity),
        "measures": [MeasureType(v) for v in protection.get("measures", []) if v in known_measures],
        "protection": protection,
        "files": files,
    }
