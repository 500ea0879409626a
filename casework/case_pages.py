"""Casework: the case page and its acts.

The page decrypts the complaint, its files' names, the timeline's sealed reasoning, internal
notes and messages with the office identity unlocked at login; that view, each download, each
package and each identity access is an audit event committed before any plaintext is sent
(invariant 5). Workflow acts go through core.services.cases.apply_act: a refused act
re-renders the page
with the reason and what the officer typed (no 500, nothing lost).

Attachments are complainant-controlled bytes (threat 4): they are only ever sent as
`application/octet-stream` attachments with a sandboxing CSP, never rendered inline.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from flask import Blueprint
from flask import Response
from flask import abort
from flask import redirect
from flask import render_template
from flask import request
from flask import stream_with_context
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from casework.auth import current_officer
from casework.auth import require_role
from casework.auth import unlocked_identity
from casework.inbox_pages import CASE_ROLES
from casework.inbox_pages import label_context
from core import web
from core.access import case_scope
from core.errors import CapabilityRequired
from core.errors import DomainError
from core.errors import NotFound
from core.errors import TransitionRefused
from core.law.calendar import local_day
from core.law.enums import Destination
from core.law.enums import MessageDirection
from core.law.enums import MessageKind
from core.law.enums import Modality
from core.law.enums import Role
from core.law.measures_workflow import MeasureAct
from core.law.workflow import Act
from core.law.workflow import Input
from core.law.workflow import RequirementItem
from core.law.workflow import allowed_acts
from core.law.workflow import allowed_destinations
from core.law.workflow import blocked_acts
from core.read import inbox
from core.services import casefile
from core.services import evaluation
from core.services import forwarding
from core.services import measure_details
from core.services import messages
from core.services import subsanacion
from core.services import vault
from core.services.cases import apply_act
from core.services.cases import assign_case
from core.services.cases import calendar_for
from core.services.cases import case_facts
from core.services.cases import case_regime
from core.storage.db import utcnow
from core.storage.models import Case
from core.storage.models import Forwarding
from core.storage.models import Officer

ACT_LABELS = {
    Act.BEGIN_VERIFICATION: _l("Iniciar la verificación de requisitos"),
    Act.VERIFY_REQUIREMENTS: _l("Dar por cumplidos los requisitos"),
    Act.REQUEST_SUBSANACION: _l("Requerir subsanación al denunciante"),
    Act.RECEIVE_SUBSANACION: _l("Registrar la subsanación recibida"),
    Act.DECLARE_WITHDRAWAL: _l("Declarar el desistimiento y archivar"),
    Act.FORWARD: _l("Derivar la denuncia"),
    Act.FORWARD_RESERVE_ONLY: _l("Derivar a la STPAD (solo reserva de identidad)"),
    Act.CONCLUDE: _l("Concluir"),
    Act.REFER_ARCHIVED: _l("Remitir la denuncia archivada a un órgano competente (DL 8.1)"),
}
REQUIREMENT_LABELS = {
    RequirementItem.IDENTITY: _l("1. Datos de identidad del denunciante"),
    RequirementItem.FACTS: _l("2. Narración de los hechos y nombre o cargo del denunciado"),
    RequirementItem.COMMITMENT: _l("3. Compromiso de permanecer a disposición"),
    RequirementItem.PLACE_DATE_SIGNATURE: _l("4. Lugar, fecha y firma o huella"),
}
MEASURE_ACT_LABELS = {
    MeasureAct.REQUEST: _l("Registrar solicitud"),
    MeasureAct.REQUEST_HR_REPORT: _l("Pedir el informe de viabilidad a la ORH"),
    MeasureAct.RECORD_HR_REPORT: _l("Registrar el informe de viabilidad"),
    MeasureAct.GRANT: _l("Otorgar la medida"),
    MeasureAct.DENY: _l("Denegar la medida"),
    MeasureAct.NOTIFY_COMPLAINANT: _l("Notificar al denunciante"),
    MeasureAct.ENTER_INTO_FORCE: _l("Registrar que la medida está vigente"),
    MeasureAct.START_VARIATION: _l("Iniciar variación (notificar intención)"),
    MeasureAct.START_SUSPENSION: _l("Iniciar suspensión (notificar intención)"),
    MeasureAct.START_BAD_FAITH_CESSATION: _l("Iniciar cese por mala fe (notificar intención)"),
    MeasureAct.RECORD_ALEGACIONES: _l("Registrar las alegaciones recibidas"),
    MeasureAct.DECIDE_VARIATION: _l("Decidir la variación"),
    MeasureAct.DECIDE_SUSPENSION: _l("Decidir la suspensión"),
    MeasureAct.DECIDE_CESSATION: _l("Decidir el cese por mala fe"),
    MeasureAct.CEASE: _l("Cesar la medida"),
    MeasureAct.ARCHIVE: _l("Archivar la solicitud"),
    MeasureAct.LIFT_SUSPENSION: _l("Levantar la suspensión (la medida vuelve a estar vigente)"),
    MeasureAct.EXCLUDE_FOR_BAD_FAITH: _l("Excluir por mala fe (DL 14)"),
}

EVENT_LABELS = {
    "case.registered": _l("Denuncia registrada"),
    **{f"case.{act.value}": label for act, label in ACT_LABELS.items()},
    "assigned": _l("Asignación"),
    "office_message": _l("Mensaje de la oficina al denunciante"),
    "complainant_message": _l("Mensaje del denunciante"),
    "subsanacion_response": _l("Respuesta de subsanación del denunciante"),
    "subsanacion_notice_opened": _l("El denunciante abrió el requerimiento de subsanación"),
    "clocks_recomputed": _l("Plazos recalculados por un cambio de calendario"),
    "protection_requested_later": _l("Solicitud de medidas de protección del denunciante"),
    "retaliation_reported": _l("Represalia reportada por el denunciante"),
    "evidence_added": _l("Documentos añadidos por el denunciante"),
    "identity_accessed": _l("Acceso a la identidad del denunciante"),
    "identity_request_refused": _l("Solicitud de identidad denegada e informada (RG 3.4)"),
    "package_exported": _l("Paquete de derivación generado"),
    "bad_faith.start": _l("Inicio del procedimiento por mala fe (RG 11)"),
    "bad_faith.record_alegaciones": _l("Alegaciones sobre la mala fe registradas"),
    "bad_faith.decide": _l("Decisión sobre la mala fe (RG 11)"),
    "obligations_breached": _l("Incumplimiento de obligaciones remitido (RG 10.2)"),
    "pad_ended": _l("Fin del procedimiento disciplinario registrado (RG 6.2)"),
    **{f"measure.{act.value}": label for act, label in MEASURE_ACT_LABELS.items()},
}
LEGAL_BASIS_LABELS = {
    vault.LegalBasis.MEASURE_EXECUTION: _l("Ejecución de medidas de protección (ORH)"),
    vault.LegalBasis.CLARIFICATION: _l("Solicitar aclaraciones al denunciante"),
    vault.LegalBasis.JUDICIAL_ORDER: _l("Mandato judicial o fiscal"),
    vault.LegalBasis.COMPLAINANT_CONSENT: _l("Pedido o consentimiento del denunciante"),
    vault.LegalBasis.BAD_FAITH_PROCEDURE: _l("Procedimiento por mala fe (DL 14)"),
    vault.LegalBasis.OTHER: _l("Otra base legal"),
}
REQUESTER_LABELS = {
    vault.Requester.TITULAR: _l("Titular de la entidad"),
    vault.Requester.MAA: _l("Máxima autoridad administrativa"),
    vault.Requester.PUBLIC_SERVANT: _l("Servidor de la entidad"),
    vault.Requester.EXTERNAL: _l("Persona o entidad externa"),
    vault.Requester.OTHER: _l("Otro"),
}

# Refusal codes (core.law.workflow, core.law.measures_workflow, services) -> message for
# the officer.
REFUSALS = {
    "metadata_not_removable": _l(
        "No se pudieron quitar los metadatos de este archivo (está dañado o tiene un formato "
        "inesperado). Descargue el original y revíselo en un equipo aislado."
    ),
    "act_not_allowed_in_state": _l("Ese acto no corresponde al estado actual."),
    "reserve_only_goes_to_stpad": _l(
        "Una solicitud solo de reserva de identidad se deriva de inmediato a la STPAD (RG 4.2)."
    ),
    "not_reserve_only": _l("Solo la solicitud de reserva de identidad omite la verificación."),
    "subsanacion_period_open": _l(
        "El desistimiento solo puede declararse vencido el plazo de subsanación: 3 días "
        "hábiles desde que el denunciante abrió el requerimiento (RG 4.4, DL 8.1)."
    ),
    "subsanacion_answered": _l(
        "El denunciante respondió al requerimiento de subsanación: registre la subsanación "
        "recibida y verifique de nuevo (DL 8.1)."
    ),
    "measures_undecided": _l(
        "Podrá derivar cuando estén decididas todas las medidas de protección solicitadas o "
        "haya vencido el plazo de evaluación (RG 4.7, 4.8)."
    ),
    "open_deadlines": _l("Hay plazos abiertos: registre primero los actos que los cierran."),
    "missing_items_required": _l("Indique qué requisitos faltan (DL art. 7.1, numerales 1 a 4)."),
    "identity_not_required_for_anonymous": _l(
        "Una denuncia anónima no requiere los datos de identidad (DL 7.3)."
    ),
    "stpad_forwarding_required": _l(
        "Si faltan los requisitos 1, 3 o 4, la denuncia se deriva a la STPAD en el mismo acto "
        "(RG 4.5)."
    ),
    "destination_required": _l("Elija a dónde se deriva la denuncia."),
    "destination_not_allowed": _l("Ese destino no corresponde a este acto."),
    "already_forwarded": _l(
        "La denuncia ya fue derivada a ese órgano; si hace falta, genere de nuevo su paquete."
    ),
    "not_applicable_requires_queja_reclamo": _l(
        "«No corresponde» solo procede para una queja o reclamo que no es un acto de corrupción."
    ),
    "destination_name_required": _l("Indique el nombre de la entidad competente (DL 8.3)."),
    "reasoning_required": _l("Todo acto requiere su fundamentación."),
    "reasoning_too_long": _l(
        "La fundamentación es demasiado larga (máximo 20 000 caracteres); resúmala y adjunte "
        "el detalle como nota."
    ),
    "already_notified": _l("El denunciante ya fue notificado."),
    "hr_report_already_recorded": _l("El informe de viabilidad ya está registrado."),
    "hr_report_required": _l("Esta medida requiere primero el informe de viabilidad (RG 5.2)."),
    "alegaciones_period_open": _l(
        "Decida cuando venza el plazo de alegaciones o se hayan recibido (RG 9, 11)."
    ),
    "alegaciones_already_recorded": _l("Las alegaciones ya están registradas."),
    "hr_result_required": _l("Indique si la ORH consideró viable la medida."),
    "criteria_required": _l("Evalúe la trascendencia, la gravedad y la verosimilitud (RG 7.1)."),
    "apartamiento_conditions_required": _l(
        "El apartamiento requiere indicios razonables, un cargo determinante y riesgo de "
        "represalia (DL 9.3; RG 6.3)."
    ),
    "pad_ended": _l(
        "El traslado, la licencia y la exoneración solo rigen mientras dura el PAD (RG 6.2)."
    ),
    "bad_faith_pending": _l(
        "Hay un procedimiento por mala fe abierto: decídalo primero (DL 14; RG 11)."
    ),
    "bad_faith_not_upheld": _l("Solo la decisión que confirma la mala fe excluye las medidas."),
    "bad_faith_already_open": _l(
        "Ya hay un procedimiento por mala fe abierto sobre esta persona (uno por persona)."
    ),
    "no_bad_faith_procedure": _l("No hay un procedimiento por mala fe abierto."),
    "bad_faith_person": _l("La mala fe se refiere a quien presentó la denuncia (DL 4.5; DL 14)."),
    "upheld_required": _l("Indique si se confirma o no la mala fe."),
    "not_protected": _l(
        "Solo una persona con medidas otorgadas tiene estas obligaciones (DL 13; RG 10)."
    ),
    "pad_end_in_future": _l("La fecha de fin del PAD no puede ser posterior a hoy."),
    "pad_end_recorded": _l("El fin del PAD ya está registrado."),
    "pad_end_date_required": _l("Indique la fecha en que terminó el PAD."),
    "already_requested": _l("Esa medida ya está solicitada o vigente para el denunciante."),
    "excluded_for_bad_faith": _l(
        "El denunciante fue excluido de las medidas por mala fe (DL 14): no admite nuevas."
    ),
    "subordination_required": _l(
        "Las medidas laborales requieren relación de subordinación o jerarquía (RG 7.2)."
    ),
    "bad_faith_type_required": _l("Indique el tipo de mala fe (DL 4.5)."),
    "cease_ground_required": _l("Indique el motivo del cese."),
    "case_archived": _l("La denuncia fue archivada por desistimiento (DL 8.1)."),
    "capability_required": _l(
        "Solo el responsable de la OII (o la MAA) puede decidir sobre medidas de protección."
    ),
    "wrong_entity": _l("Esta denuncia pertenece a otra entidad."),
    "legal_basis_required": _l("Indique la base legal para acceder a la identidad."),
    "statement_too_long": _l("El texto es demasiado largo."),
    "head_role_required": _l(
        "Solo el responsable de la OII (o la MAA) puede acceder a la identidad."
    ),
    "vault_key_missing": _l("Su sesión no tiene la llave de la bóveda de identidad."),
    "invalid_recipient": _l(
        "La clave pública del destinatario no es válida (debe empezar con age1 o age1pq1)."
    ),
    "wrong_case": _l("Esa derivación pertenece a otra denuncia."),
    "message_refused": _l("El mensaje está vacío o es demasiado largo."),
    "note_refused": _l("La nota está vacía o es demasiado larga."),
    "notice_not_visible": _l(
        "Este acto no se muestra al denunciante: deje vacío el texto para el denunciante y "
        "escríbale un mensaje si hace falta."
    ),
    "notice_too_long": _l(
        "El texto para el denunciante es demasiado largo (máximo 20 000 caracteres)."
    ),
}


def refusal_message(exc: DomainError) -> str:
    code = getattr(exc, "code", "")
    if isinstance(exc, CapabilityRequired):
        code = "capability_required"
    return str(REFUSALS.get(code, _l("La acción fue rechazada: %(reason)s", reason=str(exc))))


def case_context() -> dict[str, Any]:
    return {
        **label_context(),
        "act_labels": ACT_LABELS,
        "event_labels": EVENT_LABELS,
        "requirement_labels": REQUIREMENT_LABELS,
        "legal_basis_labels": LEGAL_BASIS_LABELS,
        "requester_labels": REQUESTER_LABELS,
    }


# --- helpers -----------------------------------------------------------------------------------


def load_case(code: str) -> Case:
    """The case with this code in the officer's entity, or 404 (never another entity's)."""
    officer = current_officer()
    case = inbox.find_by_code(web.db(), entity_id=officer.entity_id, code=code, viewer=officer.role)
    if case is None:
        abort(404)
    return case


def office_identity() -> crypto.Identity:
    identity = unlocked_identity("office")
    if identity is None:
        # No wrapped copy (never granted): nothing can be decrypted.
        abort(Response(render_template("cases/no_key.html", **case_context()), status=403))
    return identity


def office_recipients(case: Case) -> list[crypto.Recipient]:
    return [crypto.parse_recipient(case.entity.office_recipient)]


def colleagues(officer: Officer) -> list[Officer]:
    return [
        o
        for o in web.db()
        .scalars(
            select(Officer)
            .where(
                Officer.entity_id == officer.entity_id,
                Officer.active.is_(True),
                Officer.role.in_(CASE_ROLES),
            )
            .order_by(Officer.username)
        )
        .all()
        # RG 4.9: only colleagues on the same side handle the same complaints.
        if case_scope.handles_complaints_against_oii(o.role)
        is case_scope.handles_complaints_against_oii(officer.role)
    ]


def blocked_act_reasons(case: Case) -> list[tuple[Any, str]]:
    """Acts of the current state held back by a guard, with the reason in the user's language."""
    today = local_day(utcnow())
    facts = case_facts(web.db(), case, today=today)
    table = case_regime(case, today).case_table
    return [
        (ACT_LABELS.get(act, act), refusal_message(TransitionRefused(guard.code, guard.message)))
        for act, guard in blocked_acts(case.state, facts, table)
    ]


def act_forms(case: Case) -> list[dict[str, Any]]:
    """One form per act the workflow allows now, with the inputs that act requires."""
    today = local_day(utcnow())
    facts = case_facts(web.db(), case, today=today)
    table = case_regime(case, today).case_table
    forms = []
    for act in allowed_acts(case.state, facts, table):
        row = table[(case.state, act)]
        forms.append(
            {
                "act": act,
                "destination": Input.DESTINATION in row.requires,
                # Where this act may send the complaint: from core (DL 8.3), never a filter
                # in the template.
                "destinations": allowed_destinations(act),
                "missing_items": Input.MISSING_ITEMS in row.requires,
                "withdrawal": act is Act.DECLARE_WITHDRAWAL,
                # The text the complainant reads with the act (core.services.notices).
                "notice": row.complainant_visible or row.effects is not None,
                "subsanacion": act is Act.REQUEST_SUBSANACION,
            }
        )
    return forms


def render_case(case: Case, *, status: int = 200, **extra: Any) -> Any:
    """The case page (an audited decryption of the whole file)."""
    officer = current_officer()
    db = web.db()
    identity = office_identity()
    now = utcnow()
    file = casefile.open_case_file(db, case, [identity], officer=officer, now=now)
    calendar = calendar_for(db, case.entity)
    today = local_day(now)
    open_deadlines = sorted(
        (d for d in case.deadlines if d.satisfied_at is None), key=lambda d: (d.due_on, d.id)
    )
    body = render_template(
        "cases/detail.html",
        case=case,
        file=file,
        forms=act_forms(case),
        blocked=blocked_act_reasons(case),
        colleagues=colleagues(officer),
        open_deadlines=[
            (d, calendar.business_days_between(today, d.due_on)) for d in open_deadlines
        ],
        today=today,
        subsanacion=subsanacion.pending_request(db, case),
        overdue_evaluations=evaluation.overdue_evaluations(db, case, today=today),
        measure_details={m.id: measure_details.read_details(m, [identity]) for m in case.measures},
        destinations=list(Destination),
        requirement_items=sorted(case_regime(case, today).requirement_items),
        legal_bases=list(vault.LegalBasis),
        requesters=list(vault.Requester),
        is_head=officer.role is Role.HEAD,
        has_identity=vault.has_identity(case),
        Modality=Modality,
        form=extra.pop("form", {}),
        missing_checked=extra.pop("missing_checked", []),
        **extra,
    )
    db.commit()  # the case.viewed audit entry is durable before the page leaves
    return Response(body, status=status)


# Ids from URLs and forms are user-controlled: one beyond a BIGINT would overflow the driver.
MAX_ROW_ID = 2**63 - 1


def _is_row_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 19 and 0 < int(value) <= MAX_ROW_ID


def _attachment_stream(chunks: Iterator[bytes]) -> Iterator[bytes]:
    yield from chunks


def _content_disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


# --- views -------------------------------------------------------------------------------------


def make_blueprint() -> Blueprint:
    bp = Blueprint("cases", __name__)
    bp.context_processor(case_context)

    @bp.get("/denuncias/<code>")
    @require_role(*CASE_ROLES)
    def detail(code: str) -> Any:
        return render_case(load_case(code), message=request.args.get("hecho"))

    @bp.post("/denuncias/<code>/actos/<act>")
    @require_role(*CASE_ROLES)
    def act(code: str, act: str) -> Any:
        case = load_case(code)
        officer = current_officer()
        db = web.db()
        try:
            chosen = Act(act)
        except ValueError:
            abort(404)
        form = request.form
        destination = None
        if form.get("destination"):
            try:
                destination = Destination(form["destination"])
            except ValueError:
                destination = None
        missing: list[int] = []
        for value in form.getlist("missing_items"):
            if value in {"1", "2", "3", "4"}:
                missing.append(int(value))
        try:
            office_identity()  # the officer must hold the key to act on what they cannot read
            apply_act(
                db,
                case,
                chosen,
                officer=officer,
                reasoning=form.get("reasoning", ""),
                now=utcnow(),
                calendar=calendar_for(db, case.entity),
                office_recipients=office_recipients(case),
                destination=destination,
                destination_name=form.get("destination_name", "")[:200],
                missing_items=missing,
                forward_to_stpad=form.get("forward_to_stpad") == "1",
                queja_reclamo=form.get("queja_reclamo") == "1",
                notice=form.get("notice"),
            )
        except (TransitionRefused, CapabilityRequired, DomainError) as exc:
            db.rollback()
            if getattr(exc, "code", "") == "destination_not_allowed":
                # The page never offers it (its choices come from core): a crafted request,
                # answered without opening the case, so that nothing at all is recorded.
                abort(400)
            case = load_case(code)
            return render_case(
                case,
                status=422,
                error=refusal_message(exc),
                form={"act": chosen.value, **form.to_dict(flat=True)},
                missing_checked=missing,
            )
        db.commit()
        return redirect(url_for("cases.detail", code=case.code, hecho="acto"), code=303)

    @bp.post("/denuncias/<code>/asignar")
    @require_role(*CASE_ROLES)
    def assign(code: str) -> Any:
        case = load_case(code)
        officer = current_officer()
        db = web.db()
        value = request.form.get("officer_id", "")
        target: Officer | None = None
        if value:
            target = next((o for o in colleagues(officer) if str(o.id) == value), None)
            if target is None:
                abort(400)
        assign_case(
            db,
            case,
            officer=officer,
            target=target,
            now=utcnow(),
            office_recipients=office_recipients(case),
        )
        db.commit()
        return redirect(url_for("cases.detail", code=case.code, hecho="asignada"), code=303)

    def record_then_return(
        code: str, record: Callable[[Session, Case], object], *, done: str, anchor: str
    ) -> Any:
        """Run a service on the case; a refusal re-renders the page with what was typed."""
        case = load_case(code)
        db = web.db()
        office_identity()  # writing to the case needs the office key, like reading it
        try:
            record(db, case)
        except DomainError as exc:
            db.rollback()
            return render_case(
                load_case(code), status=422, error=refusal_message(exc), form=request.form
            )
        db.commit()
        return redirect(url_for("cases.detail", code=case.code, hecho=done) + anchor, 303)

    @bp.post("/denuncias/<code>/notas")
    @require_role(*CASE_ROLES)
    def add_note(code: str) -> Any:
        return record_then_return(
            code,
            lambda db, case: casefile.add_note(
                db,
                case,
                officer=current_officer(),
                body=request.form.get("body", ""),
                office_recipients=office_recipients(case),
                now=utcnow(),
            ),
            done="nota",
            anchor="#notas",
        )

    @bp.post("/denuncias/<code>/mensajes")
    @require_role(*CASE_ROLES)
    def send_message(code: str) -> Any:
        return record_then_return(
            code,
            lambda db, case: messages.post_message(
                db,
                case,
                direction=MessageDirection.TO_COMPLAINANT,
                kind=MessageKind.MESSAGE,
                body=request.form.get("message", ""),
                officer_id=current_officer().id,
                now=utcnow(),
            ),
            done="mensaje",
            anchor="#mensajes",
        )

    @bp.get("/denuncias/<code>/adjuntos/<int:attachment_id>")
    @require_role(*CASE_ROLES)
    def attachment(code: str, attachment_id: int) -> Any:
        case = load_case(code)
        db = web.db()
        if attachment_id > MAX_ROW_ID:
            abort(404)
        identity = office_identity()
        variant = "stripped" if request.args.get("version") == "sin-metadatos" else "original"
        try:
            info, chunks = casefile.open_attachment(
                db,
                case,
                attachment_id,
                [identity],
                officer=current_officer(),
                now=utcnow(),
                variant=variant,
            )
        except NotFound:
            abort(404)
        except casefile.MetadataNotRemovable as exc:
            db.commit()  # the file was decrypted to try: that stays on the record
            return render_template("error.html", code=422, error=refusal_message(exc)), 422
        # The audit entry commits before a single byte of plaintext is sent.
        db.commit()
        name = casefile.safe_filename(info.filename, f"adjunto-{attachment_id}")
        if variant == "stripped" or info.metadata_removed:
            # Cleaned at upload: the original was never kept, the name must not suggest it.
            name = f"sin-metadatos-{name}"
        response = Response(
            stream_with_context(_attachment_stream(chunks)),
            mimetype="application/octet-stream",
        )
        response.headers["Content-Disposition"] = _content_disposition(name)
        # Threat 4: even if a browser sniffed it, the file runs in an empty sandbox.
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @bp.post("/denuncias/<code>/paquete")
    @require_role(*CASE_ROLES)
    def package(code: str) -> Any:
        case = load_case(code)
        db = web.db()
        identity = office_identity()
        form = request.form
        # DL 8.3: a package is only ever the package of a forwarding recorded by an act; a
        # request naming a destination instead (the old free "copy" form) is refused and
        # records nothing.
        if not _is_row_id(form.get("forwarding_id", "")):
            abort(400)
        target = db.get(Forwarding, int(form["forwarding_id"]))
        if target is None or target.case_id != case.id:
            abort(404)
        try:
            pkg = forwarding.export_package(
                db,
                case,
                [identity],
                officer=current_officer(),
                now=utcnow(),
                office_recipients=office_recipients(case),
                forwarding=target,
                recipient=form.get("recipient", "")[:4000],
            )
        except DomainError as exc:
            db.rollback()
            return render_case(
                load_case(code),
                status=422,
                error=refusal_message(exc),
                form={"package": "1", **form.to_dict(flat=True)},
            )
        db.commit()
        response = Response(pkg.data, mimetype="application/octet-stream")
        response.headers["Content-Disposition"] = _content_disposition(pkg.filename)
        response.headers["X-Package-SHA256"] = pkg.sha256
        return response

    @bp.route("/denuncias/<code>/identidad", methods=["GET", "POST"])
    @require_role(*CASE_ROLES)
    def identity(code: str) -> Any:
        case = load_case(code)
        officer = current_officer()
        db = web.db()
        if not vault.may_access_identity(officer):
            # Recorded: an officer without the head role tried to open the vault.
            vault.refuse_unauthorised_attempt(db, case, officer=officer, now=utcnow())
            db.commit()
            abort(403)
        if request.method == "GET":
            return render_template(
                "cases/identity.html",
                case=case,
                identity=None,
                legal_bases=list(vault.LegalBasis),
                has_identity=vault.has_identity(case),
                form={},
            )
        vault_key = unlocked_identity("vault")
        try:
            basis = vault.LegalBasis(request.form.get("legal_basis", ""))
        except ValueError:
            basis = None
        error = None
        data = None
        if basis is None:
            error = REFUSALS["legal_basis_required"]
        else:
            try:
                data = vault.access_identity(
                    db,
                    case,
                    officer=officer,
                    vault_identities=[vault_key] if vault_key is not None else [],
                    legal_basis=basis,
                    statement=request.form.get("statement", ""),
                    now=utcnow(),
                    office_recipients=office_recipients(case),
                )
            except (NotFound, DomainError) as exc:
                db.rollback()
                error = (
                    _l("Esta denuncia es anónima: no hay datos de identidad.")
                    if isinstance(exc, NotFound)
                    else refusal_message(exc)
                )
        if data is not None:
            db.commit()  # the access is recorded before the identity is shown
        return Response(
            render_template(
                "cases/identity.html",
                case=case,
                identity=data,
                legal_bases=list(vault.LegalBasis),
                has_identity=vault.has_identity(case),
                error=error,
                form=request.form,
            ),
            status=200 if error is None else 422,
        )

    @bp.post("/denuncias/<code>/identidad/denegacion")
    @require_role(*CASE_ROLES)
    def refuse_identity_request(code: str) -> Any:
        case = load_case(code)
        db = web.db()
        office_identity()
        form = request.form
        try:
            requester = vault.Requester(form.get("requester", ""))
        except ValueError:
            requester = vault.Requester.OTHER
        report_to = (
            vault.ReportTo.CONTRALORIA
            if form.get("report_to") == "contraloria"
            else vault.ReportTo.OCI
        )
        try:
            vault.record_refused_request(
                db,
                case,
                officer=current_officer(),
                requester=requester,
                statement=form.get("refusal_statement", ""),
                report_to=report_to,
                now=utcnow(),
                office_recipients=office_recipients(case),
            )
        except DomainError as exc:
            db.rollback()
            return render_case(load_case(code), status=422, error=refusal_message(exc), form=form)
        db.commit()
        return redirect(url_for("cases.detail", code=case.code, hecho="denegacion"), code=303)

    return bp
