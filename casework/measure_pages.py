"""Casework: the register of protection measures of a case (RG 5-11; DL 9-14).

Requests (complainant, witness, third persons), the HR feasibility report (3 business days),
grant or denial with the RG 7 criteria (head role only), notice to the complainant (7 business
days) within the 15-business-day outer limit, vigencia, variation and suspension (5 business
days of alegaciones, then 10 days to decide), and cessation for bad faith with its four types,
which ends with the file sent to the Procuraduría and the STPAD. Retaliation reported by the
complainant through the intake (messages of kind RETALIATION) is listed and linked.

All acts go through core.services.measures; refusals re-render the page with the reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint
from flask import Response
from flask import abort
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

import crypto
from casework import forms
from casework.auth import current_officer
from casework.auth import require_role
from casework.badfaith_pages import person_context
from casework.case_files import MAX_ROW_ID
from casework.case_pages import case_context
from casework.case_pages import load_case
from casework.case_pages import office_identity
from casework.case_pages import office_recipients
from casework.inbox_pages import CASE_ROLES
from casework.labels import CEASE_LABELS
from casework.labels import CRITERION_LABELS
from casework.labels import MEASURE_ACT_LABELS
from casework.labels import MEASURE_EVENT_LABELS
from casework.refusals import refusal_message
from core import web
from core.errors import DomainError
from core.law.calendar import local_day
from core.law.enums import BadFaithType
from core.law.enums import Beneficiary
from core.law.enums import DeadlineKind
from core.law.enums import MeasureType
from core.law.enums import MessageKind
from core.law.measures_workflow import APARTAMIENTO_CONDITIONS
from core.law.measures_workflow import LABOUR_MEASURES
from core.law.measures_workflow import ROLE_CAPABILITIES
from core.law.measures_workflow import Capability
from core.law.measures_workflow import CeaseGround
from core.law.measures_workflow import Criterion
from core.law.measures_workflow import MeasureAct
from core.law.measures_workflow import allowed_measure_acts
from core.law.measures_workflow import needs_hr_report
from core.services import measure_details
from core.services import measures
from core.services.case_records import calendar_for
from core.services.case_records import case_regime
from core.services.protection import ProtectionSource
from core.services.protection import request_protection
from core.storage import audit
from core.storage.db import utcnow
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Deadline
from core.storage.models import Measure
from core.storage.models import Message
from core.storage.padding import unpad_text

MEASURE_CLOCKS = (
    DeadlineKind.HR_FEASIBILITY,
    DeadlineKind.NOTIFY_MEASURES,
    DeadlineKind.GRANT_LIMIT,
    DeadlineKind.EVALUATE_MEASURES,
    DeadlineKind.ALEGACIONES,
    DeadlineKind.DECISION,
)
DECISIONS = frozenset(
    {MeasureAct.DECIDE_VARIATION, MeasureAct.DECIDE_SUSPENSION, MeasureAct.DECIDE_CESSATION}
)


def measures_context() -> dict[str, Any]:
    return {
        **case_context(),
        "measure_act_labels": MEASURE_ACT_LABELS,
        "criterion_labels": CRITERION_LABELS,
        "cease_labels": CEASE_LABELS,
        "measure_event_labels": MEASURE_EVENT_LABELS,
    }


def _load_measure(case: Case, measure_id: int) -> Measure:
    if measure_id > MAX_ROW_ID:  # from the URL: beyond a BIGINT the driver would overflow
        abort(404)
    measure = web.db().get(Measure, measure_id)
    if measure is None or measure.case_id != case.id:
        abort(404)
    return measure


def _clocks(case: Case, measure_id: int | None) -> list[tuple[Deadline, int]]:
    """Deadlines of the measure (or the case-level measure clocks), with business days left."""
    db = web.db()
    calendar = calendar_for(db, case.entity)
    today = local_day(utcnow())
    query = select(Deadline).where(Deadline.case_id == case.id, Deadline.kind.in_(MEASURE_CLOCKS))
    query = query.where(
        Deadline.measure_id.is_(None) if measure_id is None else Deadline.measure_id == measure_id
    )
    rows = db.scalars(query.order_by(Deadline.due_on, Deadline.id)).all()
    return [(d, calendar.business_days_between(today, d.due_on)) for d in rows]


def _act_forms(measure: Measure) -> list[dict[str, Any]]:
    today = local_day(utcnow())
    facts = measures.measure_facts(web.db(), measure, today=today)
    table = case_regime(measure.case, today).measure_table
    # Who decides measures comes from core (the head; the titular under RG 4.9).
    head = Capability.DECIDE_MEASURES in ROLE_CAPABILITIES[current_officer().role]
    forms = []
    for act in allowed_measure_acts(measure.state, facts, table):
        row = table[(measure.state, act)]
        forms.append(
            {
                "act": act,
                "head_only": row.capability is not None,
                "allowed": row.capability is None or head,
                "criteria": act is MeasureAct.GRANT,
                "labour": measure.type in LABOUR_MEASURES,
                "apartamiento": measure.type is MeasureType.PROCUREMENT_REMOVAL,
                "hr_result": act is MeasureAct.RECORD_HR_REPORT,
                "bad_faith": act is MeasureAct.START_BAD_FAITH_CESSATION,
                "decision": act in DECISIONS,
                "cease": act is MeasureAct.CEASE,
                # The text the complainant reads with the act (core.services.notices).
                "notice": row.complainant_visible,
            }
        )
    return forms


def _render_index(case: Case, *, status: int = 200, **extra: Any) -> Response:
    db = web.db()
    retaliations = db.scalars(
        select(Message)
        .where(Message.case_id == case.id, Message.kind == MessageKind.RETALIATION)
        .order_by(Message.id)
    ).all()
    body = render_template(
        "measures/index.html",
        case=case,
        measures=case.measures,
        case_clocks=_clocks(case, None),
        retaliations=retaliations,
        measure_types=list(case_regime(case, local_day(utcnow())).measure_types),
        beneficiaries=list(Beneficiary),
        needs_hr_report=needs_hr_report,
        form=extra.pop("form", {}),
        **person_context(db, case),
        **extra,
    )
    return Response(body, status=status)


def _render_detail(case: Case, measure: Measure, *, status: int = 200, **extra: Any) -> Response:
    """The measure page: its reasoning history is decrypted, so this is an audited view."""
    officer = current_officer()
    db = web.db()
    identity = office_identity()
    now = utcnow()
    audit.record(
        db,
        action="case.viewed",
        officer_id=officer.id,
        entity_id=case.entity_id,
        case_id=case.id,
        detail={"part": "measure", "measure_id": measure.id},
        now=now,
    )
    events = db.scalars(
        select(CaseEvent)
        .where(CaseEvent.measure_id == measure.id)
        .order_by(CaseEvent.at, CaseEvent.id)
    ).all()
    history = [
        (
            e,
            unpad_text(crypto.decrypt(e.reasoning_sealed, [identity]))
            if e.reasoning_sealed is not None
            else None,
        )
        for e in events
    ]
    body = render_template(
        "measures/detail.html",
        case=case,
        measure=measure,
        details=measure_details.read_details(measure, [identity]),
        is_transfer=measure.type in measure_details.TRANSFERS,
        clocks=_clocks(case, measure.id),
        case_clocks=_clocks(case, None),
        history=history,
        forms=_act_forms(measure),
        bad_faith_types=list(BadFaithType),
        criteria=list(Criterion),
        apartamiento_conditions=[c.value for c in APARTAMIENTO_CONDITIONS],
        cease_grounds=list(CeaseGround),
        form=extra.pop("form", {}),
        **extra,
    )
    db.commit()  # the audit entry is durable before the page leaves
    return Response(body, status=status)


def _details_refused(code: str, measure_id: int, error: Any, form: Any) -> Response:
    """The measure page again, nothing recorded, what was typed kept."""
    web.db().rollback()
    case = load_case(code)
    return _render_detail(case, _load_measure(case, measure_id), status=422, error=error, form=form)


DETAIL_REFUSALS = {
    "measure_details_too_long": _l("La duración y la unidad admiten hasta 300 caracteres."),
    "target_unit_not_a_transfer": _l("Solo un traslado tiene unidad de destino."),
    "in_force_until_before_from": _l("La medida no puede terminar antes de empezar."),
    "in_force_from_required": _l("Indique desde qué día rige la medida."),
}

_DECISION_ACTS = frozenset(
    {MeasureAct.DECIDE_VARIATION, MeasureAct.DECIDE_SUSPENSION, MeasureAct.DECIDE_CESSATION}
)


def make_blueprint() -> Blueprint:
    bp = Blueprint("measures", __name__)
    bp.context_processor(measures_context)

    @bp.get("/denuncias/<code>/medidas")
    @require_role(*CASE_ROLES)
    def index(code: str) -> Any:
        return _render_index(load_case(code), message=request.args.get("hecho"))

    @bp.post("/denuncias/<code>/medidas")
    @require_role(*CASE_ROLES)
    def request_measure(code: str) -> Any:
        case = load_case(code)
        db = web.db()
        office_identity()
        form = forms.MeasureRequestForm()
        measure_type, beneficiary = form.type.data, form.beneficiary.data
        if measure_type is None or beneficiary is None:
            return _render_index(
                case,
                status=422,
                error=_l("Elija el tipo de medida y el beneficiario."),
                form=request.form,
            )
        try:
            (measure,) = request_protection(
                db,
                case,
                measure_types=[measure_type],
                source=ProtectionSource.OFFICER,
                beneficiary=beneficiary,
                officer=current_officer(),
                reasoning=form.reasoning.data,
                now=utcnow(),
                office_recipients=office_recipients(case),
                calendar=calendar_for(db, case.entity),
            )
        except DomainError as exc:
            db.rollback()
            return _render_index(
                load_case(code), status=422, error=refusal_message(exc), form=request.form
            )
        db.commit()
        return redirect(
            url_for("measures.detail", code=case.code, measure_id=measure.id, hecho="1"), 303
        )

    @bp.get("/denuncias/<code>/medidas/<int:measure_id>")
    @require_role(*CASE_ROLES)
    def detail(code: str, measure_id: int) -> Any:
        case = load_case(code)
        return _render_detail(
            case, _load_measure(case, measure_id), message=request.args.get("hecho")
        )

    @bp.post("/denuncias/<code>/medidas/<int:measure_id>/detalles")
    @require_role(*CASE_ROLES)
    def details(code: str, measure_id: int) -> Any:
        case = load_case(code)
        measure = _load_measure(case, measure_id)
        db = web.db()
        office_identity()
        form = forms.MeasureDetailsForm()
        typed = request.form  # what was typed, shown again on a refusal
        days: dict[str, dt.date | None] = {}
        for name in ("in_force_from", "in_force_until"):
            try:
                days[name] = form.day(name)
            except ValueError:
                return _render_detail(
                    case, measure, status=422, error=_l("Indique fechas válidas."), form=typed
                )
        try:
            measure_details.record_details(
                db,
                measure,
                officer=current_officer(),
                in_force_from=days["in_force_from"],
                in_force_until=days["in_force_until"],
                duration=form.duration.data or "",
                target_unit=form.target_unit.data or "",
                now=utcnow(),
                office_recipients=office_recipients(case),
            )
        except DomainError as exc:
            return _details_refused(
                code, measure_id, DETAIL_REFUSALS.get(exc.code, refusal_message(exc)), typed
            )
        db.commit()
        return redirect(
            url_for("measures.detail", code=case.code, measure_id=measure.id, hecho="1"), 303
        )

    @bp.post("/denuncias/<code>/medidas/<int:measure_id>/actos/<act>")
    @require_role(*CASE_ROLES)
    def act(code: str, measure_id: int, act: str) -> Any:
        case = load_case(code)
        measure = _load_measure(case, measure_id)
        db = web.db()
        office_identity()
        try:
            chosen = MeasureAct(act)
        except ValueError:
            abort(404)
        form = forms.MeasureActForm()
        if chosen in _DECISION_ACTS and form.upheld.data is None:
            # A decision (exclusion forwards the file to the Procuraduría and the STPAD) is
            # never inferred from a missing or forged field.
            return _render_detail(
                case,
                measure,
                status=422,
                error=_l("Indique si se confirma o no la medida propuesta."),
                form={"act": chosen.value, **request.form.to_dict(flat=True)},
            )
        bad_faith, cease = form.grounds()
        try:
            measures.apply_measure_act(
                db,
                measure,
                chosen,
                officer=current_officer(),
                reasoning=form.reasoning.data,
                now=utcnow(),
                calendar=calendar_for(db, case.entity),
                office_recipients=office_recipients(case),
                criteria=form.criteria(),
                hr_feasible=form.hr_feasible.data,
                bad_faith_type=bad_faith,
                upheld=form.upheld.data is not False,
                cease_ground=cease,
                notice=form.notice.data or None,
            )
        except DomainError as exc:
            db.rollback()
            case = load_case(code)
            return _render_detail(
                case,
                _load_measure(case, measure_id),
                status=422,
                error=refusal_message(exc),
                form={"act": chosen.value, **request.form.to_dict(flat=True)},
            )
        db.commit()
        return redirect(
            url_for("measures.detail", code=case.code, measure_id=measure.id, hecho="1"), 303
        )

    return bp
