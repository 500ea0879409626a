"""`make_case`: a filed complaint for tests, through the real intake service."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from typing import Any

from sqlalchemy.orm import Session

from config import Settings
from core.law.enums import Modality
from core.law.enums import Motive
from core.services.intake import ComplainantIdentity
from core.services.intake import ProtectionRequest
from core.services.intake import Receipt
from core.services.intake import ReportDraft
from core.services.intake import ReportedPerson
from core.services.intake import UploadedEvidence
from core.services.intake import submit_report

DEFAULT_NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)  # a Monday, 10:00 in Lima


def make_draft(**overrides: Any) -> ReportDraft:
    """A plausible complete draft; any field can be overridden.

    Shortcuts: `identified=True` adds an identity (modality con reserva unless given),
    `protection=(MeasureType, ...)` adds a protection request (and an identity).
    """
    identified = overrides.pop("identified", False)
    protection = overrides.pop("protection", None)
    if isinstance(protection, tuple | list) and protection:
        overrides["protection"] = ProtectionRequest(
            measures=tuple(protection), risk="Temo represalias de mi jefe directo."
        )
        identified = True
    elif protection is not None:
        overrides["protection"] = protection
    if identified and "identity" not in overrides:
        overrides["identity"] = ComplainantIdentity(
            full_name="Rosa Quispe Mamani",
            document_type="DNI",
            document_number="40000001",
            phone="999888777",
            email="rosa@example.org",
        )
        overrides.setdefault("modality", Modality.RESERVED)
    base = ReportDraft(
        modality=Modality.ANONYMOUS,
        motives=(Motive.IRREGULAR_PROCUREMENT,),
        facts="El jefe de logística direccionó la compra de combustible a una empresa de su primo.",
        occurred_when="Enero de 2026",
        occurred_where="Sede central, Oficina de Logística",
        persons_reported=(ReportedPerson(name="", post="Jefe de Logística"),),
        witnesses="",
        documents_location="Expediente de contratación en la Oficina de Logística",
        commitment=True,
    )
    return dataclasses.replace(base, **overrides)


def evidence(
    name: str = "prueba.txt", data: bytes = b"evidencia", ctype: str = "text/plain"
) -> UploadedEvidence:
    return UploadedEvidence(
        filename=name, content_type=ctype, stream=io.BytesIO(data), size=len(data)
    )


def make_case(session: Session, settings: Settings, ent: Any, **overrides: Any) -> Receipt:
    """File a complaint for `ent` (tests.factories.EntityWithKeys) and return its Receipt.

    Keyword overrides are ReportDraft fields (plus `identified`, `protection` shortcuts),
    `attachments=[UploadedEvidence...]` and `now=`.
    """
    attachments = overrides.pop("attachments", ())
    now = overrides.pop("now", DEFAULT_NOW)
    draft = make_draft(**overrides)
    return submit_report(
        session,
        entity=ent.entity,
        draft=draft,
        attachments=list(attachments),
        settings=settings,
        now=now,
    )
