"""Follow-up: the complainant returns with the receipt to read the case, answer, add
evidence, request protection and read their own report (docs/threat-model.md, "Receipt
login")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint
from flask import abort
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

import crypto
from core import web
from core.errors import DomainError
from core.law import event_kinds
from core.law.enums import Beneficiary
from core.law.enums import CaseState
from core.law.enums import Destination
from core.law.enums import MeasureType
from core.law.enums import MessageDirection
from core.law.enums import MessageKind
from core.law.enums import Modality
from core.services import followup
from core.services import notices
from core.services import receipt_keys
from core.services import subsanacion
from core.services.case_records import calendar_for
from core.services.documents import read_identity
from core.services.documents import read_report
from core.services.messages import MessageRefused
from core.services.messages import post_message
from core.services.messages import read_attachment_meta
from core.services.messages import read_message
from core.services.protection import ProtectionSource
from core.services.protection import request_protection
from core.storage.blobs import read_plaintext
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Deadline
from reporting import common
from reporting import followup_evidence
from reporting import labels
from reporting.forms import EmptyForm
from reporting.forms import EvidenceForm
from reporting.forms import MessageForm
from reporting.forms import ProtectionForm
from reporting.forms import ReceiptForm

# --- follow-up session -------------------------------------------------------------------------


def current_followup() -> tuple[Case, crypto.Identity] | None:
    """The logged-in case and identity, or None (never logged in, idle or tampered)."""
    if "fu" not in session:
        return None
    db = web.db()
    try:
        state = followup.resume_session(db, web.settings(), session.get("fu"), common.now())
    except followup.SessionExpired:
        db.commit()
        session.pop("fu", None)
        session["expired"] = True
        return None
    if state is None:
        session.pop("fu", None)
        return None
    case = db.get(Case, state.case_id)
    if case is None or state.identity.recipient().to_string() != case.complainant_recipient:
        followup.end_session(db, web.settings(), session.get("fu"))
        db.commit()
        session.pop("fu", None)
        return None
    db.commit()
    return case, state.identity


def _notice(event: CaseEvent, identity: crypto.Identity) -> str | None:
    """The text the office wrote to the complainant with an act (core.services.notices)."""
    try:
        return notices.read_notice(event, [identity])
    except crypto.AgeError:
        return str(_("(texto ilegible)"))


def _visible_events(case: Case, identity: crypto.Identity) -> list[dict[str, Any]]:
    events = web.db().scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.visible_to_complainant.is_(True))
        .order_by(CaseEvent.at, CaseEvent.id)
    )
    out = []
    for ev in events:
        detail = []
        # Only the kinds and fields of the allow-list core.law.event_kinds.TIMELINE.
        data = event_kinds.timeline_data(ev.kind, ev.data)
        if data is None:
            continue
        dest = data.get("destination")
        if dest in {d.value for d in Destination}:
            detail.append(str(labels.DESTINATION[Destination(dest)]))
        if data.get("destination_name"):
            detail.append(str(data["destination_name"]))
        measure = data.get("measure_type")
        if measure in {m.value for m in MeasureType}:
            detail.append(str(labels.MEASURE[MeasureType(measure)]))
        missing = [
            labels.MISSING_ITEM[i]
            for i in data.get("missing_items", []) or []  # type: ignore[attr-defined]
            if i in labels.MISSING_ITEM
        ]
        if missing:
            detail.append(_("falta: %(items)s", items=", ".join(str(m) for m in missing)))
        decision = data.get("decision")
        if decision in labels.MEASURE_DECISION:
            detail.append(str(labels.MEASURE_DECISION[decision]))
        if data.get("upheld") is not None:
            detail.append(_("se confirmó") if data["upheld"] else _("no se confirmó"))
        basis = data.get("legal_basis")
        if basis in labels.LEGAL_BASIS:
            detail.append(str(labels.LEGAL_BASIS[basis]))
        for key in ("due_on", "until"):
            if data.get(key):
                try:
                    day = dt.date.fromisoformat(str(data[key]))
                except ValueError:
                    continue
                detail.append(_("plazo: hasta el %(day)s", day=web.local_time(day)))
        out.append(
            {
                "at": ev.at,
                "label": labels.EVENT.get(ev.kind, labels.GENERIC_EVENT),
                "detail": detail,
                "notice": _notice(ev, identity),
            }
        )
    return out


def _open_deadlines(case: Case) -> list[dict[str, Any]]:
    rows = web.db().scalars(
        select(Deadline)
        .where(Deadline.case_id == case.id, Deadline.satisfied_at.is_(None))
        .order_by(Deadline.due_on)
    )
    return [
        {"label": labels.DEADLINE.get(d.kind, d.kind), "due_on": d.due_on, "party": d.party}
        for d in rows
    ]


def register(bp: Blueprint) -> None:
    """Add the follow-up routes to the intake blueprint."""
    # --- follow-up -----------------------------------------------------------------------------

    @bp.route("/seguimiento", methods=["GET", "POST"])
    def followup_login() -> Any:
        opened = current_followup()
        if opened is not None and request.method == "GET":
            return _render_case(*opened)
        common.remember_language()
        form = ReceiptForm()
        expired = bool(session.pop("expired", False))
        if request.method == "GET":
            return render_template("followup_login.html", form=form, expired=expired)
        if not form.validate():
            if common.csrf_failed(form):
                abort(400)
            return render_template("followup_login.html", form=form), 422
        receipt = form.receipt.data or ""
        try:
            result = followup.open_receipt(web.db(), receipt, web.settings())
        except receipt_keys.ServiceBusy:
            form.receipt.errors = [
                _(
                    "El servicio está muy ocupado en este momento. Su denuncia está a salvo. "
                    "Inténtelo de nuevo en un minuto."
                )
            ]
            return render_template("followup_login.html", form=form), 503, {"Retry-After": "60"}
        except crypto.InvalidReceipt:
            form.receipt.errors = [
                _(
                    "El código no tiene el formato correcto: son 16 letras y números, "
                    "como 7KQF-9M2X-C4TR-H8WN."
                )
            ]
            return render_template("followup_login.html", form=form), 422
        if result is None:
            form.receipt.errors = [_("El código no es correcto. Revíselo e inténtelo de nuevo.")]
            return render_template("followup_login.html", form=form), 422
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
        session["fu"] = followup.start_session(web.db(), web.settings(), result, common.now())
        web.db().commit()
        return redirect(url_for("intake.followup_login"), 303)

    def _render_case(case: Case, identity: crypto.Identity, status: int = 200, **forms: Any) -> Any:
        db = web.db()
        messages = []
        now = common.now()
        for msg in case.messages:
            try:
                text = read_message(msg, [identity])
            except crypto.AgeError:
                text = _("(mensaje ilegible)")
            messages.append({"m": msg, "text": text})
            if msg.direction is MessageDirection.TO_COMPLAINANT and msg.read_at is None:
                msg.read_at = now
        # RG 4.4: the subsanación request is shown first, and the first time the complainant
        # sees it is the notification their term runs from (core.services.subsanacion).
        subsanacion.record_notice_opened(db, case, now=now, calendar=calendar_for(db, case.entity))
        pending = subsanacion.pending_request(db, case)
        files = []
        for att in case.attachments:
            try:
                meta = read_attachment_meta(att, [identity])
            except (crypto.AgeError, ValueError):
                continue
            files.append({"at": att.created_at, "name": meta.get("filename", "")})
        db.commit()
        state_label, state_help = labels.STATE.get(case.state, (case.state.value, ""))
        return (
            render_template(
                "followup_case.html",
                case=case,
                state_label=state_label,
                state_help=state_help,
                events=_visible_events(case, identity),
                measures=sorted(
                    (m for m in case.measures if m.beneficiary is Beneficiary.COMPLAINANT),
                    key=lambda m: (m.requested_at, m.id),
                ),
                deadlines=_open_deadlines(case),
                messages=messages,
                files=files,
                labels=labels,
                observed=case.state is CaseState.OBSERVED,
                subsanacion=pending,
                subsanacion_notice=_notice(pending.request, identity) if pending else None,
                message_form=forms.get("message_form") or MessageForm(formdata=None),
                evidence_form=forms.get("evidence_form") or EvidenceForm(formdata=None),
                protection_form=forms.get("protection_form") or ProtectionForm(formdata=None),
                logout_form=EmptyForm(formdata=None),
                limits=common.limits(),
                identified=case.modality is not Modality.ANONYMOUS,
                notice=forms.get("notice") or session.pop("notice", None),
            ),
            status,
        )

    def _done(notice: str) -> BaseResponse:
        # Post/redirect/get: reloading the page never sends a message twice.
        session["notice"] = notice
        return redirect(url_for("intake.followup_login"), 303)

    def _require_followup() -> tuple[Case, crypto.Identity]:
        opened = current_followup()
        if opened is None:
            abort(redirect(url_for("intake.followup_login"), 303))
        return opened

    @bp.post("/seguimiento/mensaje")
    def followup_message() -> Any:
        case, identity = _require_followup()
        form = MessageForm()
        if not form.validate():
            if common.csrf_failed(form):
                abort(400)
            return _render_case(case, identity, 422, message_form=form)
        try:
            post_message(
                web.db(),
                case,
                direction=MessageDirection.FROM_COMPLAINANT,
                kind=MessageKind(form.kind.data),
                body=form.body.data or "",
                officer_id=None,
                now=common.now(),
            )
        except (MessageRefused, ValueError):
            web.db().rollback()
            form.body.errors = [_("El mensaje no pudo enviarse.")]
            return _render_case(case, identity, 422, message_form=form)
        web.db().commit()
        return _done(_("Su mensaje fue enviado cifrado."))

    followup_evidence.register(bp, require=_require_followup, render_case=_render_case, done=_done)

    @bp.post("/seguimiento/proteccion")
    def followup_protection() -> Any:
        case, identity = _require_followup()
        form = ProtectionForm()
        if not form.validate():
            if common.csrf_failed(form):
                abort(400)
            return _render_case(case, identity, 422, protection_form=form)
        measures = [MeasureType(v) for v in form.measures.data or []]
        body = _(
            "Medidas solicitadas: %(m)s", m=", ".join(str(labels.MEASURE[m]) for m in measures)
        )
        if MeasureType.OTHER in measures and form.other.data:
            body += "\n\n" + _("Otra medida: %(o)s", o=form.other.data)
        body += "\n\n" + _("Riesgo: %(r)s", r=form.risk.data or "")
        db = web.db()
        try:
            request_protection(
                db,
                case,
                measure_types=measures,
                source=ProtectionSource.FOLLOWUP,
                now=common.now(),
                office_recipients=[crypto.parse_recipient(case.entity.office_recipient)],
                message=body,
            )
        except DomainError as exc:
            db.rollback()
            form.measures.errors = [
                {
                    "excluded_for_bad_faith": _(
                        "La Oficina lo excluyó de las medidas de protección por mala fe (DL 14)."
                    ),
                    "already_requested": _(
                        "Ya solicitó esas medidas: la Oficina las está evaluando o están vigentes."
                    ),
                }.get(
                    getattr(exc, "code", ""),
                    _("Su denuncia fue archivada por desistimiento: ya no admite solicitudes."),
                )
            ]
            return _render_case(case, identity, 422, protection_form=form)
        db.commit()
        return _done(_("Su solicitud de medidas de protección fue enviada."))

    @bp.get("/seguimiento/denuncia")
    def followup_report() -> Any:
        """The complainant's own report, decrypted with their receipt-derived identity."""
        case, identity = _require_followup()
        if case.report_blob_id is None:
            abort(404)
        db = web.db()
        report = read_report(read_plaintext(db, case.report_blob_id, [identity]))
        # The identity document is sealed to the vault and to the complainant (never to the
        # office key): they read back what they gave, as the head of the OII would.
        person = None
        if case.identity_blob_id is not None:
            person = read_identity(read_plaintext(db, case.identity_blob_id, [identity]))
        files = []
        for att in sorted(case.attachments, key=lambda a: (a.created_at, a.id)):
            if not att.from_complainant:
                continue  # what they sent, not what the office added to the file
            try:
                files.append({"at": att.created_at, **read_attachment_meta(att, [identity])})
            except (crypto.AgeError, ValueError):
                continue
        return render_template(
            "followup_report.html",
            case=case,
            report=report,
            person=person,
            files=files,
            labels=labels,
        )

    @bp.post("/seguimiento/salir")
    def followup_logout() -> BaseResponse:
        form = EmptyForm()
        if not form.validate():
            abort(400)
        followup.end_session(web.db(), web.settings(), session.get("fu"))
        web.db().commit()
        session.clear()
        return redirect(url_for("intake.landing"), 303)
