"""A case's retention and legal hold (docs/workflow.md "Retention"): officers and heads see
when the case may be shredded and place or release a legal hold with a reason."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext

from casework import forms
from casework.auth import current_officer
from casework.auth import require_role
from casework.case_pages import load_case
from casework.case_pages import office_recipients
from casework.inbox_pages import CASE_ROLES
from core import web
from core.law import retention as rules
from core.services import retention
from core.storage.db import utcnow
from core.storage.models import Case


def _refusals() -> dict[str, str]:
    return {
        "reason_required": gettext("Indique el motivo de la retención."),
        "reason_too_long": gettext("El motivo no puede superar los 2000 caracteres."),
        "already_held": gettext("La denuncia ya tiene una retención activa."),
        "not_held": gettext("La denuncia no tiene una retención activa."),
        "shredded": gettext("La denuncia ya fue eliminada por el plazo de conservación."),
    }


def _page(case: Case, *, error: str | None = None, reason: str = "") -> Any:
    db = web.db()
    ended = retention.ended_on(db, case)
    keep_until = None
    if ended is not None:
        keep_until = rules.keep_until(ended, retention.keep_years(db, case.entity_id, case.state))
    return (
        render_template(
            "cases/retention.html",
            case=case,
            hold=retention.active_hold(db, case),
            ended=ended,
            keep_until=keep_until,
            error=error,
            reason=reason,
        ),
        400 if error else 200,
    )


def make_blueprint() -> Blueprint:
    bp = Blueprint("retention", __name__)

    @bp.get("/denuncias/<code>/conservacion")
    @require_role(*CASE_ROLES)
    def show(code: str) -> Any:
        return _page(load_case(code))

    @bp.post("/denuncias/<code>/conservacion/retener")
    @require_role(*CASE_ROLES)
    def hold(code: str) -> Any:
        case = load_case(code)
        reason = forms.HoldForm().reason.data
        db = web.db()
        try:
            retention.place_hold(
                db,
                case=case,
                officer=current_officer(),
                reason=reason,
                office_recipients=office_recipients(case),
                now=utcnow(),
            )
        except retention.HoldRefused as exc:
            db.rollback()
            return _page(case, error=_refusals()[exc.args[0]], reason=reason)
        db.commit()
        return redirect(url_for("retention.show", code=case.code))

    @bp.post("/denuncias/<code>/conservacion/liberar")
    @require_role(*CASE_ROLES)
    def release(code: str) -> Any:
        case = load_case(code)
        db = web.db()
        try:
            retention.release_hold(db, case=case, officer=current_officer(), now=utcnow())
        except retention.HoldRefused as exc:
            db.rollback()
            return _page(case, error=_refusals()[exc.args[0]])
        db.commit()
        return redirect(url_for("retention.show", code=case.code))

    return bp
