"""Casework: acts on the protected person rather than on one measure (measures register page).

- the bad-faith procedure on the complaint and the person (DL 14; RG 2.1.3, RG 11): notice,
  alegaciones, the head's decision;
- a breach of the protected person's obligations, sent to the Procuraduría and the STPAD
  (RG 10.2);
- the end of the PAD, which ends transfers, paid leave and attendance exemption (RG 6.2).

Every act goes through core.services.badfaith / core.services.obligations; refusals re-render
the measures page with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask import abort
from flask import redirect
from flask import request
from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import forms
from casework.auth import current_officer
from casework.auth import require_role
from casework.case_pages import load_case
from casework.case_pages import office_identity
from casework.case_pages import office_recipients
from casework.inbox_pages import CASE_ROLES
from casework.labels import BAD_FAITH_CHOICE_LABELS
from casework.refusals import refusal_message
from core import web
from core.errors import DomainError
from core.errors import TransitionRefused
from core.law.calendar import local_day
from core.law.enums import BadFaithType
from core.law.event_kinds import EventKind
from core.services import badfaith
from core.services import obligations
from core.services.case_records import calendar_for
from core.storage.db import utcnow
from core.storage.models import BadFaithProcedure
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Deadline


def person_context(session: Session, case: Case) -> dict[str, Any]:
    """What the measures page shows about the person: the open bad-faith procedure and its
    clocks, past decisions, and whether the PAD's end is recorded."""
    procedure = badfaith.open_procedure(session, case)
    clocks = (
        session.scalars(
            select(Deadline)
            .where(Deadline.bad_faith_id == procedure.id, Deadline.satisfied_at.is_(None))
            .order_by(Deadline.due_on)
        ).all()
        if procedure is not None
        else []
    )
    decided = session.scalars(
        select(BadFaithProcedure)
        .where(BadFaithProcedure.case_id == case.id, BadFaithProcedure.decided_at.is_not(None))
        .order_by(BadFaithProcedure.id)
    ).all()
    pad_end = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == EventKind.PAD_ENDED)
    ).first()
    return {
        "bad_faith": procedure,
        "bad_faith_clocks": clocks,
        "bad_faith_decided": decided,
        "bad_faith_type_labels": BAD_FAITH_CHOICE_LABELS,
        "pad_ended_on": (pad_end.data or {}).get("ended_on") if pad_end is not None else None,
        "today": local_day(utcnow()).isoformat(),
    }


def make_blueprint() -> Blueprint:
    bp = Blueprint("badfaith", __name__)

    @bp.context_processor
    def _labels() -> dict[str, Any]:
        from casework.measure_pages import measures_context

        return measures_context()

    def _done(code: str) -> Any:
        return redirect(url_for("measures.index", code=code, hecho="1") + "#persona", 303)

    def _refused(code: str, exc: DomainError) -> Any:
        from casework.measure_pages import _render_index

        web.db().rollback()
        return _render_index(
            load_case(code), status=422, error=refusal_message(exc), form=request.form.to_dict()
        )

    def _procedure(case: Case, procedure_id: int) -> BadFaithProcedure:
        procedure = web.db().get(BadFaithProcedure, procedure_id)
        if procedure is None or procedure.case_id != case.id:
            abort(404)
        return procedure

    def _run(code: str, act: Callable[[Session, Case], object]) -> Any:
        """Record `act` on the case, commit, and return to the register; a refusal re-renders
        the register with the reason and nothing recorded."""
        case = load_case(code)
        office_identity()
        db = web.db()
        try:
            act(db, case)
        except DomainError as exc:
            return _refused(code, exc)
        db.commit()
        return _done(case.code)

    def _common(db: Session, case: Case) -> dict[str, Any]:
        return {
            "officer": current_officer(),
            "reasoning": forms.ReasoningForm().reasoning.data,
            "now": utcnow(),
            "office_recipients": office_recipients(case),
        }

    @bp.post("/denuncias/<code>/mala-fe")
    @require_role(*CASE_ROLES)
    def start(code: str) -> Any:
        kind: BadFaithType | None = forms.BadFaithStartForm().bad_faith_type.data
        return _run(
            code,
            lambda db, case: badfaith.start_bad_faith(
                db,
                case,
                bad_faith_type=kind,
                calendar=calendar_for(db, case.entity),
                **_common(db, case),
            ),
        )

    @bp.post("/denuncias/<code>/mala-fe/<int:procedure_id>/alegaciones")
    @require_role(*CASE_ROLES)
    def alegaciones(code: str, procedure_id: int) -> Any:
        return _run(
            code,
            lambda db, case: badfaith.record_bad_faith_alegaciones(
                db, _procedure(case, procedure_id), **_common(db, case)
            ),
        )

    @bp.post("/denuncias/<code>/mala-fe/<int:procedure_id>/decision")
    @require_role(*CASE_ROLES)
    def decide(code: str, procedure_id: int) -> Any:
        # Never inferred from a missing or forged field.
        upheld: bool | None = forms.BadFaithDecisionForm().upheld.data
        return _run(
            code,
            lambda db, case: badfaith.decide_bad_faith(
                db,
                _procedure(case, procedure_id),
                upheld=upheld,
                calendar=calendar_for(db, case.entity),
                **_common(db, case),
            ),
        )

    @bp.post("/denuncias/<code>/incumplimiento")
    @require_role(*CASE_ROLES)
    def breach(code: str) -> Any:
        return _run(code, lambda db, case: obligations.record_breach(db, case, **_common(db, case)))

    @bp.post("/denuncias/<code>/fin-pad")
    @require_role(*CASE_ROLES)
    def pad_end(code: str) -> Any:
        ended_on: dt.date | None = forms.PadEndForm().ended_on.data
        if ended_on is None:
            return _refused(
                code, TransitionRefused("pad_end_date_required", "Give the PAD's end date.")
            )
        return _run(
            code,
            lambda db, case: obligations.record_pad_end(
                db,
                case,
                ended_on=ended_on,
                calendar=calendar_for(db, case.entity),
                **_common(db, case),
            ),
        )

    return bp
