"""Casework: the complainant's identity, read by the head of the OII for a stated legal basis
(RG 3.4), and a request for it refused and reported.

Every access and every refusal is a case event and an audit entry committed before the
identity is shown. The routes belong to the case page's blueprint (endpoints
`cases.identity`, `cases.refuse_identity_request`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import abort
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import lazy_gettext as _l

from casework import forms
from casework.auth import current_officer
from casework.auth import require_role
from casework.auth import unlocked_identity
from casework.case_pages import load_case
from casework.case_pages import office_identity
from casework.case_pages import office_recipients
from casework.case_pages import render_case
from casework.inbox_pages import CASE_ROLES
from casework.refusals import REFUSALS
from casework.refusals import refusal_message
from core import web
from core.errors import DomainError
from core.errors import NotFound
from core.services import vault
from core.services.documents import ComplainantIdentity
from core.storage.db import utcnow
from core.storage.models import Case
from core.storage.models import Officer

ANONYMOUS = _l("Esta denuncia es anónima: no hay datos de identidad.")


def require_head(case: Case, officer: Officer) -> None:
    """403 unless `officer` may open the vault; the attempt of one who may not is recorded."""
    if not vault.may_access_identity(officer):
        db = web.db()
        vault.refuse_unauthorised_attempt(db, case, officer=officer, now=utcnow())
        db.commit()
        abort(403)


def access_identity(case: Case, officer: Officer) -> tuple[ComplainantIdentity | None, Any]:
    """The head's audited access to the identity, from the posted legal basis and statement:
    (identity, None), committed before any plaintext is shown, or (None, the error to show),
    nothing recorded."""
    db = web.db()
    access = forms.IdentityAccessForm()
    basis = access.legal_basis.data
    if basis is None:
        return None, REFUSALS["legal_basis_required"]
    vault_key = unlocked_identity("vault")
    try:
        data = vault.access_identity(
            db,
            case,
            officer=officer,
            vault_identities=[vault_key] if vault_key is not None else [],
            legal_basis=basis,
            statement=access.statement.data or "",
            now=utcnow(),
            office_recipients=office_recipients(case),
        )
    except NotFound:
        db.rollback()
        return None, ANONYMOUS
    except DomainError as exc:
        db.rollback()
        return None, refusal_message(exc)
    db.commit()  # the access is recorded before the identity is shown
    return data, None


def add_routes(bp: Blueprint) -> None:
    """Add the identity routes to the case page's blueprint."""

    @bp.route("/denuncias/<code>/identidad", methods=["GET", "POST"])
    @require_role(*CASE_ROLES)
    def identity(code: str) -> Any:
        case = load_case(code)
        officer = current_officer()
        require_head(case, officer)
        if request.method == "GET":
            return render_template(
                "cases/identity.html",
                case=case,
                identity=None,
                legal_bases=list(vault.LegalBasis),
                has_identity=vault.has_identity(case),
                form={},
            )
        data, error = access_identity(case, officer)
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
        form = forms.IdentityRefusalForm()
        try:
            vault.record_refused_request(
                db,
                case,
                officer=current_officer(),
                requester=form.requester.data,
                statement=form.refusal_statement.data,
                report_to=form.report_to_body(),
                now=utcnow(),
                office_recipients=office_recipients(case),
            )
        except DomainError as exc:
            db.rollback()
            return render_case(
                load_case(code), status=422, error=refusal_message(exc), form=request.form
            )
        db.commit()
        return redirect(url_for("cases.detail", code=case.code, hecho="denegacion"), code=303)
