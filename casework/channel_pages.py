"""Casework: register a complaint received in writing, verbally, by e-mail or from the State's
platform, and print the complainant's acknowledgement with their receipt code.

The form checks shape only (lengths, known choices, a date); core.services.channels checks
meaning (channel, day of receipt, facts or document) and seals everything like a web filing.
The receipt is shown once, on the page that answers the POST after the commit (invariant 4),
and never stored: the officer prints the page and hands it to the complainant, who follows the
case at the intake's /seguimiento.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint
from flask import Response
from flask import render_template
from flask import request
from flask_babel import lazy_gettext as _l

from casework import forms
from casework.auth import current_officer
from casework.auth import require_role
from casework.inbox_pages import CASE_ROLES
from casework.labels import CHANNEL_LABELS
from casework.labels import label_context
from core import web
from core.access import case_scope
from core.errors import CapabilityRequired
from core.errors import DomainError
from core.files import metadata
from core.files import policy
from core.law.calendar import local_day
from core.law.enums import MeasureType
from core.law.enums import Modality
from core.law.enums import Motive
from core.services import channels
from core.services import intake
from core.storage.db import utcnow

REFUSALS = {
    "channel_not_allowed": _l("Elija por qué canal se recibió la denuncia."),
    "received_on_invalid": _l("Indique la fecha de recepción (día, mes y año)."),
    "received_in_future": _l("La fecha de recepción no puede ser posterior a hoy."),
    "received_too_old": _l("La fecha de recepción es de hace más de un año: revísela."),
    "facts_or_document_required": _l(
        "Escriba los hechos o adjunte el documento recibido (escrito, acta o correo)."
    ),
    "facts_required": _l("Escriba los hechos o adjunte el documento recibido."),
    "facts_too_long": _l("La narración de los hechos es demasiado larga."),
    "motives": _l("Elija uno o dos motivos distintos."),
    "modality": _l("Elija la modalidad de la denuncia."),
    "identity_with_anonymous": _l("Una denuncia anónima no lleva datos de identidad."),
    "identity_required": _l("Una denuncia con identificación requiere el nombre del denunciante."),
    "reserve_with_anonymous": _l(
        "Una denuncia anónima no tiene identidad que reservar: quite la reserva de identidad."
    ),
    "protection_measures": _l("Elija al menos una medida de protección."),
    "too_many_files": _l("Demasiados archivos adjuntos."),
    "file_refused": _l(
        "Un archivo no es de un tipo permitido, está vacío o excede el tamaño máximo."
    ),
    "capability_required": _l("Solo el personal de la OII registra denuncias."),
    "wrong_entity": _l("Esta denuncia pertenece a otra entidad."),
}


class FormRefused(DomainError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _choice(enum: Any, value: str, code: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        raise FormRefused(code) from None


def _required(value: Any, code: str) -> Any:
    """A field the form read as None (missing, or not one of the choices) refuses with `code`."""
    if value is None:
        raise FormRefused(code)
    return value


def _draft(form: forms.ReceivedComplaintForm) -> intake.ReportDraft:
    modality = _required(form.modality.data, "modality")
    motives = tuple(_choice(Motive, v, "motives") for v in form.motives.data[:3])
    identity = None
    full_name = form.full_name.data
    if full_name or modality is not Modality.ANONYMOUS:
        identity = intake.ComplainantIdentity(
            full_name=full_name,
            document_type=form.document_type.data or "DNI",
            document_number=form.document_number.data,
            phone=form.phone.data,
            email=form.email.data,
            address=form.address.data,
        )
    measures = tuple(
        _choice(MeasureType, v, "protection_measures")
        for v in form.protection_measures.data[: len(MeasureType)]
    )
    protection = (
        intake.ProtectionRequest(measures=measures, risk=form.protection_risk.data)
        if measures
        else None
    )
    person = intake.ReportedPerson(name=form.person_name.data, post=form.person_post.data)
    return intake.ReportDraft(
        modality=modality,
        motives=motives,
        facts=form.facts.data,
        occurred_when=form.occurred_when.data,
        occurred_where=form.occurred_where.data,
        persons_reported=(person,) if person.name or person.post else (),
        witnesses=form.witnesses.data,
        documents_location=form.documents_location.data,
        commitment=form.commitment.data,
        identity=identity,
        protection=protection,
    )


def _uploads(form: forms.ReceivedComplaintForm) -> list[intake.UploadedEvidence]:
    """The documents received, screened like the intake's; kept as received (the office's own
    record of what was handed in; metadata is removed when a copy leaves)."""
    st = web.settings()
    uploads: list[intake.UploadedEvidence] = []
    total = 0
    for storage in form.files.data or []:
        name = metadata.safe_filename(storage.filename)
        data = storage.stream.read()
        refusal = policy.screen(
            name,
            data,
            count=len(uploads),
            total=total,
            max_files=st.max_attachments,
            max_bytes=st.max_upload_mib * 1024 * 1024,
        )
        if refusal is not None:
            raise FormRefused("file_refused")
        total += len(data)
        uploads.append(
            intake.UploadedEvidence(
                filename=name,
                content_type=policy.content_type(name),
                stream=io.BytesIO(data),
                size=len(data),
                original_sha256=intake.sha256_hex(data),
            )
        )
    return uploads


def _context() -> dict[str, Any]:
    return {
        **label_context(),
        "channel_labels": CHANNEL_LABELS,
        "office_channels": channels.OFFICE_CHANNELS,
        "modalities": list(Modality),
        "motives": list(Motive),
        "measure_types": list(MeasureType),
    }


def _render_form(*, status: int = 200, error: str | None = None) -> Response:
    today = local_day(utcnow())
    role = current_officer().role
    st = web.settings()
    body = render_template(
        "channels/register.html",
        today=today,
        form=request.form if request.method == "POST" else {},
        titular=case_scope.handles_complaints_against_oii(role),
        error=error,
        limits={"max_files": st.max_attachments, "max_mib": st.max_upload_mib},
    )
    return Response(body, status=status)


def make_blueprint() -> Blueprint:
    bp = Blueprint("channels", __name__)
    bp.context_processor(_context)

    @bp.get("/registro-de-denuncias")
    @require_role(*CASE_ROLES)
    def register_form() -> Any:
        return _render_form()

    @bp.post("/registro-de-denuncias")
    @require_role(*CASE_ROLES)
    def register() -> Any:
        officer = current_officer()
        db = web.db()
        form = forms.ReceivedComplaintForm()
        try:
            channel = _required(form.channel.data, "channel_not_allowed")
            receipt = channels.register_received_complaint(
                db,
                entity=officer.entity,
                officer=officer,
                channel=channel,
                received_on=_required(form.received_on.data, "received_on_invalid"),
                draft=_draft(form),
                attachments=_uploads(form),
                settings=web.settings(),
                now=utcnow(),
                against_oii=form.against_oii.data,
            )
        except (DomainError, CapabilityRequired) as exc:
            db.rollback()
            code = "capability_required" if isinstance(exc, CapabilityRequired) else exc.code
            message = REFUSALS.get(code, _l("La denuncia no pudo registrarse: %(r)s", r=code))
            return _render_form(status=422, error=str(message))
        case = receipt.case
        db.commit()  # durable before the receipt is shown (invariant 4)
        body = render_template(
            "channels/acknowledgement.html",
            case=case,
            receipt=receipt.formatted,
            channel_label=CHANNEL_LABELS[channel],
            received_on=case.received_on,
            signature=receipt.acknowledgement["signature"],
            onion=web.settings().onion_address,
            # RG 4.9: a complaint against the OII goes to the titular; its registrar in the
            # OII no longer opens it.
            may_open=case_scope.may_handle(officer.role, case),
        )
        response = Response(body)
        response.headers["Cache-Control"] = "no-store"
        return response

    return bp
