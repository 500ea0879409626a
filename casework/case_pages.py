"""Casework: the case page and its acts.

The page decrypts the complaint, its files' names, the timeline's sealed reasoning, internal
notes and messages with the office identity unlocked at login; that view, each download, each
package and each identity access is an audit event committed before any plaintext is sent
(invariant 5). Workflow acts go through core.services.cases.apply_act: a refused act
re-renders the page
with the reason and what the officer typed (no 500, nothing lost).

On the same blueprint: downloads and packages (casework/case_files.py), the identity
(casework/identity_pages.py); refusal messages in casework/refusals.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask import Response
from flask import abort
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from casework import forms
from casework.auth import current_officer
from casework.auth import require_role
from casework.auth import unlocked_identity
from casework.inbox_pages import CASE_ROLES
from casework.labels import ACT_LABELS
from casework.labels import EVENT_LABELS
from casework.labels import LEGAL_BASIS_LABELS
from casework.labels import REQUESTER_LABELS
from casework.labels import REQUIREMENT_LABELS
from casework.labels import label_context
from casework.refusals import refusal_message
from core import web
from core.access import case_scope
from core.errors import CapabilityRequired
from core.errors import DomainError
from core.errors import TransitionRefused
from core.law.calendar import local_day
from core.law.enums import Destination
from core.law.enums import MessageDirection
from core.law.enums import MessageKind
from core.law.enums import Modality
from core.law.enums import Role
from core.law.workflow import Act
from core.law.workflow import Input
from core.law.workflow import allowed_acts
from core.law.workflow import allowed_destinations
from core.law.workflow import blocked_acts
from core.read import inbox
from core.services import casefile
from core.services import evaluation
from core.services import measure_details
from core.services import messages
from core.services import subsanacion
from core.services import vault
from core.services.case_records import assign_case
from core.services.case_records import calendar_for
from core.services.case_records import case_regime
from core.services.cases import apply_act
from core.services.cases import case_facts
from core.storage.db import utcnow
from core.storage.models import Case
from core.storage.models import Officer


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
        form = forms.CaseActForm()
        missing = form.missing()
        try:
            office_identity()  # the officer must hold the key to act on what they cannot read
            apply_act(
                db,
                case,
                chosen,
                officer=officer,
                reasoning=form.reasoning.data,
                now=utcnow(),
                calendar=calendar_for(db, case.entity),
                office_recipients=office_recipients(case),
                destination=form.destination.data,
                destination_name=form.destination_name.data,
                missing_items=missing,
                forward_to_stpad=form.forward_to_stpad.data,
                queja_reclamo=form.queja_reclamo.data,
                notice=form.notice.data or None,
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
                form={"act": chosen.value, **request.form.to_dict(flat=True)},
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
        value = forms.AssignForm().officer_id.data
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
                body=forms.NoteForm().body.data,
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
                body=forms.MessageForm().message.data,
                officer_id=current_officer().id,
                now=utcnow(),
            ),
            done="mensaje",
            anchor="#mensajes",
        )

    # Downloads and the identity are their own modules, on this blueprint (their endpoints
    # stay `cases.*`); imported here because they use this module's helpers.
    from casework import case_files
    from casework import identity_pages

    case_files.add_routes(bp)
    identity_pages.add_routes(bp)
    return bp
