"""Evidence added from the follow-up page: the same metadata review and choice as at filing.

Three steps, all without JavaScript: the upload seals each file into a draft
(reporting.drafts, for an ephemeral key kept sealed in the session) and shows, per file,
what it carries before and after cleaning; the person then sends (each file cleaned, or
the original kept where they ticked it; a file that cannot be cleaned is sent or left out
as they chose, reporting.evidence_review) or cancels (the drafts are deleted).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask import abort
from flask import render_template
from flask import request
from flask import session
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

import crypto
from core import web
from core.services import receipt_keys
from core.services.messages import add_evidence
from core.storage.models import Case
from reporting import common
from reporting import drafts
from reporting import evidence_review
from reporting import labels
from reporting.forms import EmptyForm
from reporting.forms import EvidenceForm

SESSION_KEY = "fu_draft"


def _state(case: Case, *, create: bool) -> dict[str, Any] | None:
    """The follow-up draft (key sealed under the intake secret, file ids, one-use nonce)."""
    state = session.get(SESSION_KEY)
    if (
        isinstance(state, dict)
        and state.get("c") == case.id
        and drafts.unseal_key(web.settings(), state.get("k", ""))
    ):
        return state
    if not create:
        return None
    key = drafts.new_key(pq=receipt_keys.is_post_quantum(case.entity.office_recipient))
    state = {
        "k": drafts.seal_key(web.settings(), key),
        "f": [],
        "n": secrets.token_urlsafe(16),
        "c": case.id,
    }
    session[SESSION_KEY] = state
    return state


def _key(state: dict[str, Any]) -> crypto.Identity:
    key = drafts.unseal_key(web.settings(), state["k"])
    assert key is not None
    return key


def _files(state: dict[str, Any]) -> list[drafts.DraftFile]:
    files = drafts.list_files(web.db(), list(state.get("f", [])), _key(state))
    state["f"] = [f.blob_id for f in files]
    session[SESSION_KEY] = state
    return files


def _review(state: dict[str, Any], problems: list[str], status: int = 200) -> Any:
    return (
        render_template(
            "followup_evidence_review.html",
            files=_files(state),
            problems=problems,
            draft_nonce=state["n"],
            labels=labels,
            form=EmptyForm(formdata=None),
        ),
        status,
    )


def _discard(state: dict[str, Any] | None) -> None:
    if state is not None:
        drafts.delete_files(web.db(), list(state.get("f", [])))
    session.pop(SESSION_KEY, None)


def register(
    bp: Blueprint,
    *,
    require: Callable[[], tuple[Case, crypto.Identity]],
    render_case: Callable[..., Any],
    done: Callable[[str], BaseResponse],
) -> None:
    """Add the evidence routes (the follow-up session helpers come from followup_pages)."""

    @bp.post("/seguimiento/pruebas")
    def followup_evidence() -> Any:
        case, identity = require()
        form = EvidenceForm()
        if not form.validate():
            abort(400)
        db = web.db()
        drafts.purge_stale(db, common.now())
        _discard(_state(case, create=False))  # a review left unanswered is replaced
        state = _state(case, create=True)
        assert state is not None
        key = _key(state)
        added, errors = evidence_review.store_uploads(
            db, key, request.files.getlist("files"), count=0, total=0
        )
        state["f"] = [d.blob_id for d in added]
        count = len(added)
        if count:
            drafts.enforce_quota(db, web.settings().draft_quota_mib * 1024 * 1024)
        if not count and not errors:
            errors.append(_("Elija al menos un archivo."))
        if errors:
            _discard(state)
            db.commit()
            form.files.errors = errors
            return render_case(case, identity, 422, evidence_form=form)
        session[SESSION_KEY] = state
        db.commit()
        return _review(state, [])

    @bp.post("/seguimiento/pruebas/enviar")
    def followup_evidence_send() -> Any:
        case, _identity = require()
        form = EmptyForm()
        if not form.validate():
            abort(400)
        state = _state(case, create=False)
        if state is None or request.form.get("draft") != state.get("n"):
            return render_template("expired.html"), 409  # sent already, or expired
        db = web.db()
        prepared = evidence_review.prepare(db, list(state.get("f", [])), _key(state))
        if prepared.problems:
            return _review(state, prepared.problems, 422)
        if prepared.uploads:
            add_evidence(
                db,
                case,
                uploads=prepared.uploads,
                now=common.now(),
                max_attachments=web.settings().max_attachments,
            )
        drafts.delete_files(db, prepared.opened)
        session.pop(SESSION_KEY, None)
        db.commit()
        if not prepared.uploads:
            return done(_("No se añadió ningún archivo."))
        return done(_("Sus archivos fueron añadidos cifrados."))

    @bp.post("/seguimiento/pruebas/cancelar")
    def followup_evidence_cancel() -> BaseResponse:
        case, _identity = require()
        form = EmptyForm()
        if not form.validate():
            abort(400)
        _discard(_state(case, create=False))
        web.db().commit()
        return done(_("No se añadió ningún archivo."))
