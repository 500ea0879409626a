"""Forwarding packages: the case file for the receiving body (STPAD, OCI, Procuraduría...).

A package is a ZIP with:

- `README.txt`: what it is and how to check it (Spanish, then English);
- `manifest.json`: case code, destination, generation time and the SHA-256 and size of every
  other file, so the receiving body can check nothing was altered in transit;
- `denuncia.json` and `denuncia.txt`: the complaint as filed (facts, motives, persons reported,
  documents' location...), which never holds identity data (that lives in the vault);
- `actuaciones.json`: the recorded acts (kind, date, states), without sealed reasoning;
- `documentos/NN-<name>`: the attachments with hidden metadata removed (core.files.metadata).

It never contains complainant identity data (DL 6.1; RG 3.3): identity is sealed to another
key and this module never opens the vault. The ZIP can be age-encrypted to the receiving
body's recipient. It is built in memory (bounded by the upload limits), never in a temp file
(invariant 1), and exporting it is an audited act (`package.exported`) that records the
package's SHA-256 on the Forwarding.

Nothing leaves the office except through a recorded act with reasoning that the complainant
sees (DL 8.3): a package is always the package of a Forwarding that an act created (a
forwarding, the RG 4.3 copies at filing, a withdrawal's STPAD forwarding, an archived
complaint passed on under DL 8.1 ¶2). There is no package "for another body" without one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from core.errors import DomainError
from core.files import metadata
from core.law import event_kinds
from core.law import vocabulary
from core.law.enums import Destination
from core.law.event_kinds import EventKind
from core.services.case_records import check_officer
from core.services.case_records import record_event
from core.services.casefile import safe_filename
from core.services.documents import ReportDocument
from core.services.documents import read_report
from core.storage import audit
from core.storage.blobs import read_plaintext
from core.storage.models import Attachment
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Forwarding
from core.storage.models import Officer

PACKAGE_FORMAT = "integra-forwarding/v1"
EXPORT_EVENT = EventKind.PACKAGE_EXPORTED.value
# Which acts, and which of their data, a package lists: the explicit allow-list
# core.law.event_kinds.PACKAGE (everything else stays in the office).
# Report fields about the complainant rather than the facts. Identity data never leaves; nor
# does the protection request: its risk description tells the complainant's own situation
# (a contract about to end, a boss's threat) and can point to who they are. The OII handles
# measures itself and can send that part separately if needed.
EXCLUDED_REPORT_FIELDS = frozenset({"identity", "identified", "protection"})


class ForwardingRefused(DomainError):
    code = "forwarding_refused"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Package:
    data: bytes  # the ZIP, or the age file holding it
    sha256: str  # of `data`, as delivered
    filename: str
    encrypted: bool
    files: int
    forwarding_id: int


def parse_destination_recipient(text: str) -> crypto.Recipient | None:
    """The receiving body's age recipient, or None when left empty."""
    value = text.strip()
    if not value:
        return None
    try:
        return crypto.parse_recipient(value)
    except (crypto.AgeError, ValueError) as exc:
        raise ForwardingRefused(
            "invalid_recipient",
            "The recipient is not a valid age public key (age1… or age1pq1…).",
        ) from exc


def _zip_date(now: dt.datetime) -> tuple[int, int, int, int, int, int]:
    t = now.astimezone(dt.UTC)
    return (max(t.year, 1980), t.month, t.day, t.hour, t.minute, t.second)


def _report_text(case: Case, report: ReportDocument | None) -> str:
    """A plain-text rendering of the complaint for readers without a JSON viewer."""
    motives = report.motives if report else ()
    persons = report.persons_reported if report else ()
    lines = [
        f"Denuncia {case.code}",
        f"Fecha de presentación: {case.filed_at.isoformat()}",
        f"Modalidad: {vocabulary.MODALITIES[case.modality]}",
        f"Motivos: {'; '.join(vocabulary.MOTIVES[m] for m in motives)}",
        "",
        "Hechos denunciados:",
        report.facts if report else "",
        "",
        f"Cuándo: {report.occurred_when if report else ''}",
        f"Dónde: {report.occurred_where if report else ''}",
        "Personas denunciadas:",
    ]
    for person in persons:
        lines.append(f"  - {person.name} / {person.post}")
    lines += [
        f"Testigos: {report.witnesses if report else ''}",
        f"Documentación en poder de: {report.documents_location if report else ''}",
        f"Compromiso de aclaraciones: {'sí' if report and report.commitment else 'no'}",
    ]
    return "\n".join(lines) + "\n"


README = """\
PAQUETE DE DERIVACIÓN — {code}
==============================

Entidad: {entity}
Destino: {destination}
Generado: {generated}

Contenido:
  manifest.json     lista de archivos con su SHA-256 y tamaño
  denuncia.json     la denuncia tal como fue presentada (sin datos de identidad)
  denuncia.txt      la misma denuncia en texto plano
  actuaciones.json  actos registrados por la OII (tipo, fecha, estados)
  documentos/       documentos adjuntos, con los metadatos ocultos eliminados (un documento
                    cuyos metadatos no pudieron quitarse no se incluye: figura en
                    manifest.json, "withheld_documents", y la OII lo envía aparte)

Este paquete NO contiene la identidad del denunciante. La identidad está bajo reserva
(D. Leg. 1327, art. 6.1); el órgano que recibe este paquete debe proteger de oficio la
reserva de la identidad, la materia y las actuaciones (D.S. 010-2017-JUS, art. 3.3).

Verificación: calcule el SHA-256 de cada archivo (p. ej. `sha256sum documentos/*`) y
compárelo con manifest.json.

---

FORWARDING PACKAGE — {code}. It contains the complaint as filed, the recorded acts and the
attached documents with hidden metadata removed; it does NOT contain the complainant's
identity (DL 1327 art. 6.1; RG 3.3). manifest.json lists every file's SHA-256 and size.
"""


def build_zip(
    session: Session,
    case: Case,
    identities: Sequence[crypto.Identity],
    *,
    destination_label: str,
    now: dt.datetime,
) -> tuple[bytes, int]:
    """The package's ZIP bytes and the number of files in it (manifest and README included)."""
    document: ReportDocument | None = None
    report: dict[str, Any] = {}
    if case.report_blob_id is not None:
        document = read_report(read_plaintext(session, case.report_blob_id, identities))
        report = {k: v for k, v in document.as_dict().items() if k not in EXCLUDED_REPORT_FIELDS}
    files: list[tuple[str, bytes]] = [
        (
            "denuncia.json",
            json.dumps(
                {"case_code": case.code, **report}, ensure_ascii=False, indent=2, sort_keys=True
            ).encode("utf-8"),
        ),
        ("denuncia.txt", _report_text(case, document).encode("utf-8")),
    ]
    acts = [
        {
            "kind": e.kind,
            "at": e.at.isoformat(),
            "from_state": e.from_state,
            "to_state": e.to_state,
            "data": picked,
        }
        for e in session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id)
            .order_by(CaseEvent.at, CaseEvent.id)
        )
        if (picked := event_kinds.package_data(e.kind, e.data)) is not None
    ]
    files.append(
        ("actuaciones.json", json.dumps(acts, ensure_ascii=False, indent=2).encode("utf-8"))
    )
    attachments = session.scalars(
        select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
    ).all()
    withheld: list[dict[str, Any]] = []
    for n, attachment in enumerate(attachments, start=1):
        meta = json.loads(crypto.decrypt(attachment.meta_sealed, identities))
        name = safe_filename(str(meta.get("filename") or ""), f"documento-{n}")
        try:
            data, _ = metadata.clean_if_applicable(
                read_plaintext(session, attachment.blob_id, identities)
            )
        except metadata.CleaningFailed:
            # Never pass on a file whose hidden metadata (author, device) may remain.
            withheld.append({"document": n, "reason": "metadata_not_removable"})
            continue
        files.append((f"documentos/{n:02d}-{name}", data))

    manifest = {
        "format": PACKAGE_FORMAT,
        "case_code": case.code,
        "entity": case.entity.name,
        "destination": destination_label,
        "generated_at": now.astimezone(dt.UTC).isoformat(),
        "identity_included": False,
        "withheld_documents": withheld,
        "files": [
            {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for path, data in files
        ],
    }
    readme = README.format(
        code=case.code,
        entity=case.entity.name,
        destination=destination_label,
        generated=manifest["generated_at"],
    )
    out = io.BytesIO()
    stamp = _zip_date(now)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        entries = [
            ("README.txt", readme.encode("utf-8")),
            (
                "manifest.json",
                json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"),
            ),
            *files,
        ]
        for path, data in entries:
            info = zipfile.ZipInfo(f"{case.code}/{path}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return out.getvalue(), len(files) + 2


def destination_label(destination: Destination, name: str = "") -> str:
    labels = {
        Destination.STPAD: "Secretaría Técnica del PAD (STPAD)",
        Destination.OCI: "Órgano de Control Institucional (OCI)",
        Destination.PROCURADURIA: "Procuraduría Pública",
        Destination.OTHER_ENTITY: "Otra entidad competente",
        Destination.NOT_APPLICABLE: "No corresponde (queja o reclamo)",
        Destination.TITULAR: "Titular de la entidad",
    }
    label = labels[destination]
    return f"{label}: {name.strip()}" if name.strip() else label


def export_package(
    session: Session,
    case: Case,
    identities: Sequence[crypto.Identity],
    *,
    officer: Officer,
    now: dt.datetime,
    office_recipients: Sequence[crypto.Recipient],
    forwarding: Forwarding | None,
    recipient: str = "",
) -> Package:
    """Build the package for `forwarding` (recorded by an act) and record the export.

    Records a CaseEvent `package_exported`, the package's SHA-256 on the Forwarding, and the
    audit entry `package.exported`. `recipient` (optional) age-encrypts the ZIP to the
    receiving body; an invalid one is refused before anything is decrypted.
    """
    check_officer(case, officer)
    body_recipient = parse_destination_recipient(recipient)
    if forwarding is None:
        raise ForwardingRefused(
            "forwarding_act_required",
            "A package leaves only for a forwarding recorded by an act (DL 8.3).",
        )
    if forwarding.case_id != case.id:
        raise ForwardingRefused("wrong_case", "That forwarding belongs to another case.")
    destination = forwarding.destination
    destination_name = forwarding.destination_name
    label = destination_label(destination, destination_name)
    data, count = build_zip(session, case, identities, destination_label=label, now=now)
    filename = f"{case.code}-{destination.value}.zip"
    if body_recipient is not None:
        data = crypto.encrypt(data, [body_recipient])
        filename += ".age"
    digest = hashlib.sha256(data).hexdigest()

    event = record_event(
        session,
        case,
        kind=EXPORT_EVENT,
        officer=officer,
        now=now,
        from_state=None,
        to_state=None,
        visible=False,
        data={
            "destination": destination.value,
            "sha256": digest,
            "encrypted": body_recipient is not None,
            "files": count,
        },
        reasoning=None,
        office_recipients=office_recipients,
    )
    forwarding.package_sha256 = digest
    session.flush()
    event.data = {**event.data, "forwarding_id": forwarding.id}
    audit.record(
        session,
        action="package.exported",
        officer_id=officer.id,
        entity_id=case.entity_id,
        case_id=case.id,
        detail={
            "event_id": event.id,
            "forwarding_id": forwarding.id,
            "destination": destination.value,
            "sha256": digest,
            "encrypted": body_recipient is not None,
            "files": count,
        },
        now=now,
    )
    session.flush()
    return Package(
        data=data,
        sha256=digest,
        filename=filename,
        encrypted=body_recipient is not None,
        files=count,
        forwarding_id=forwarding.id,
    )
