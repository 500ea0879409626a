"""Filing a complaint: the form, the review, the submission and the acknowledgement.

Everything works without JavaScript. The text of a complaint travels only inside the POSTs
of the person filing it (form -> review -> submit, re-posted in hidden fields); files are
sealed on arrival (reporting.drafts). Nothing a person typed or uploaded is stored in clear,
logged, or put in a cookie in clear (docs/threat-model.md).
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import OrderedDict
from typing import Any

from flask import Blueprint
from flask import Response
from flask import abort
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import escape
from werkzeug.datastructures import FileStorage
from wtforms import SelectChoice
from wtforms.validators import DataRequired

import crypto
from core import web
from core.law.enums import MeasureType
from core.law.enums import Modality
from core.law.enums import Motive
from core.services import acknowledgement as ack_service
from core.services import followup
from core.services import intake
from core.services import readiness
from core.services import receipt_keys
from core.storage.models import Case
from reporting import common
from reporting import directory_pages
from reporting import drafts
from reporting import evidence_review
from reporting import labels
from reporting.followup_pages import current_followup
from reporting.forms import ComplaintForm
from reporting.forms import ConfirmForm

# --- draft state in the session - ----------------------------------------------------------------


def _draft_state(*, create: bool) -> dict[str, Any] | None:
    state = session.get("draft")
    if isinstance(state, dict) and drafts.unseal_key(web.settings(), state.get("k", "")):
        return state
    if not create:
        return None
    pq = web.settings().post_quantum
    first = common.first_entity()
    if first is not None:
        pq = receipt_keys.is_post_quantum(first.office_recipient)
    key = drafts.new_key(pq=pq)
    state = {"k": drafts.seal_key(web.settings(), key), "f": [], "n": secrets.token_urlsafe(16)}
    session["draft"] = state
    return state


def _draft_key(state: dict[str, Any]) -> crypto.Identity:
    key = drafts.unseal_key(web.settings(), state["k"])
    assert key is not None
    return key


def _accept_uploads(
    files: list[FileStorage], state: dict[str, Any], existing: list[drafts.DraftFile]
) -> tuple[list[drafts.DraftFile], list[str]]:
    """Seal new uploads into drafts; return them and the errors (Spanish, per file)."""
    added, errors = evidence_review.store_uploads(
        web.db(),
        _draft_key(state),
        files,
        count=len(existing),
        total=sum(f.size for f in existing),
    )
    state["f"] = [*state["f"], *(d.blob_id for d in added)]
    session["draft"] = state
    return added, errors


def _current_files(state: dict[str, Any]) -> list[drafts.DraftFile]:
    files = drafts.list_files(web.db(), list(state.get("f", [])), _draft_key(state))
    state["f"] = [f.blob_id for f in files]
    return files


def _complaint_form() -> ComplaintForm:
    form = ComplaintForm()
    # The entity asked for: /e/<slug>/ links here with ?entidad=, the form posts `entity`.
    requested = request.form.get("entity") if request.method == "POST" else None
    offer = directory_pages.entity_choices(requested or request.args.get("entidad"))
    ents = offer.entities
    choices = [SelectChoice(e.slug, e.name) for e in ents]
    if not ents:  # too many for a list: the view sends the person to the directory
        form.entity.choices = []
        return form
    if len(ents) == 1:
        form.entity.choices = choices
        form.entity.data = ents[0].slug
        return form
    # Several offices: never preselect one (a hurried person would file with the wrong one).
    form.entity.choices = [SelectChoice("", _("— Elija la entidad —")), *choices]
    form.entity.validators = [
        DataRequired(message=_("Elija la entidad ante la que presenta la denuncia."))
    ]
    return form


def _error_summary(form: Any, extra: list[str]) -> list[tuple[str, str]]:
    """(anchor, message) pairs for the summary at the top of the page."""
    items: list[tuple[str, str]] = [("files", e) for e in extra]
    for field in form:
        if field.type == "FieldList":
            for entry in field:
                for sub in entry.form:
                    items.extend((sub.id, f"{sub.label.text}: {e}") for e in sub.errors)
            continue
        errs = field.errors if isinstance(field.errors, list) else []
        anchor = field.id
        if field.type in ("RadioField", "MultiCheckboxField"):
            anchor = f"{field.id}-0"
        if field.name == "csrf_token":
            continue
        items.extend((anchor, f"{field.label.text}: {e}") for e in errs)
    return items


# The blank form (a GET, nothing typed, no file, no error) is the same page for everyone who
# asks in the same language for the same offered entities, but for its CSRF token: it is
# rendered once per process and key with a marker in the token's place, which each request
# replaces with its own token (escaped like the field would). docs/performance.md, "Intake".
_BLANK_FORM_MARK = f"csrf-{secrets.token_hex(16)}"
_BLANK_FORMS: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_BLANK_FORMS_MAX = 64  # entries; a platform of many entities keeps the most recent
_BLANK_FORMS_LOCK = threading.Lock()


def _blank_form_key(form: ComplaintForm) -> tuple[Any, ...]:
    """Everything the blank form's page depends on besides the token."""
    return (
        web.select_locale(),
        str(get_locale()),
        request.script_root,
        tuple((c.value, str(c.label)) for c in form.entity.choices or []),
        form.entity.data,
        directory_pages.active_count(up_to=2) > 1,
        tuple(common.limits().items()),
    )


def _render_blank_form(form: ComplaintForm) -> str:
    token = getattr(form, "csrf_token", None)
    if token is None or not isinstance(token.current_token, str):
        return _render_page(form, [], [])
    key = _blank_form_key(form)
    with _BLANK_FORMS_LOCK:
        page = _BLANK_FORMS.get(key)
        if page is not None:
            _BLANK_FORMS.move_to_end(key)
    if page is None:
        real = token.current_token
        token.current_token = _BLANK_FORM_MARK
        try:
            page = _render_page(form, [], [])
        finally:
            token.current_token = real
        with _BLANK_FORMS_LOCK:
            _BLANK_FORMS[key] = page
            while len(_BLANK_FORMS) > _BLANK_FORMS_MAX:
                _BLANK_FORMS.popitem(last=False)
    return page.replace(_BLANK_FORM_MARK, str(escape(token.current_token)))


def _render_page(
    form: ComplaintForm, files: list[drafts.DraftFile], summary: list[tuple[str, str]]
) -> str:
    return render_template(
        "complaint.html",
        form=form,
        files=files,
        summary=summary,
        limits=common.limits(),
        single_entity=len(form.entity.choices or []) <= 1,
    )


def _render_form(
    form: ComplaintForm,
    files: list[drafts.DraftFile],
    file_errors: list[str],
    *,
    show_errors: bool,
    status: int = 200,
) -> tuple[str, int]:
    if request.method == "GET" and not files and not show_errors:
        return _render_blank_form(form), status
    summary = _error_summary(form, file_errors) if show_errors else []
    if not show_errors:
        for field in form:
            field.errors = []
    return _render_page(form, files, summary), status


def _render_review(
    form: ComplaintForm,
    state: dict[str, Any],
    files: list[drafts.DraftFile],
    *,
    notice: str | None = None,
    status: int = 200,
    busy: bool = False,
) -> Any:
    """The review page: everything typed in hidden fields, the draft's files, the nonce.
    Shown again after a refused send (a `notice`, or `busy`: the "service busy" notice with
    503 and Retry-After), so the person sends again with nothing lost."""
    page = render_template(
        "review.html",
        form=form,
        hidden=_hidden_pairs(),
        files=files,
        draft_nonce=state["n"],
        labels=labels,
        modality=Modality(form.modality.data),
        motives=[Motive(v) for v in form.motives.data or []],
        measures=[MeasureType(v) for v in form.protection_measures.data or []],
        persons=_draft_from_form(form).persons_reported,
        entity_name=next(
            (str(c.label) for c in form.entity.choices or [] if c.value == form.entity.data),
            "",
        ),
        notice=notice,
        busy=busy,
    )
    if busy:
        return page, 503, {"Retry-After": "60"}
    return page, status


def _keys_problem(slugs: list[str]) -> bool:
    """True when the server cannot sign acknowledgements for these entities (a wrong
    INTEGRA_SERVER_KEY); only the entities offered are checked, not every tenant."""
    return bool(readiness.sealed_keys_problems(web.db(), web.settings(), slugs=slugs))


def _hidden_pairs() -> list[tuple[str, str]]:
    skip = {"csrf_token", "action", "remove_files", "keep_original", "files", "draft"}
    skip |= evidence_review.posted_choice_names()
    return [(k, v) for k, v in request.form.items(multi=True) if k not in skip]


def _draft_from_form(form: ComplaintForm) -> intake.ReportDraft:
    modality = Modality(form.modality.data)
    identity = None
    protection = None
    if modality is not Modality.ANONYMOUS:
        identity = intake.ComplainantIdentity(
            full_name=form.full_name.data or "",
            document_type=form.document_type.data or "DNI",
            document_number=form.document_number.data or "",
            phone=form.phone.data or "",
            email=form.email.data or "",
            address=form.address.data or "",
        )
    # Whatever the modality: an anonymous person's request is recorded like any other
    # (core.services.protection; docs/workflow.md).
    if form.protection_measures.data:
        protection = intake.ProtectionRequest(
            measures=tuple(MeasureType(v) for v in form.protection_measures.data),
            risk=form.protection_risk.data or "",
            other=form.protection_other.data or "",
        )
    persons = tuple(
        intake.ReportedPerson(name=e.form.name.data or "", post=e.form.post.data or "")
        for e in form.persons
        if (e.form.name.data or e.form.post.data)
    )
    return intake.ReportDraft(
        modality=modality,
        motives=tuple(Motive(v) for v in form.motives.data or []),
        facts=form.facts.data or "",
        occurred_when=form.occurred_when.data or "",
        occurred_where=form.occurred_where.data or "",
        persons_reported=persons,
        witnesses=form.witnesses.data or "",
        documents_location=form.documents_location.data or "",
        commitment=bool(form.commitment.data),
        identity=identity,
        protection=protection,
        against_oii=bool(form.against_oii.data),
    )


def register(bp: Blueprint) -> None:
    """Add the filing routes to the intake blueprint."""
    # --- filing --------------------------------------------------------------------------------

    @bp.route("/denunciar", methods=["GET", "POST"])
    def complaint() -> Any:
        if common.first_entity() is None:
            return render_template("unavailable.html"), 503
        common.remember_language()
        form = _complaint_form()
        elsewhere = directory_pages.form_elsewhere(form)
        if elsewhere is not None:
            return elsewhere
        if request.method == "GET" and _keys_problem([c.value for c in form.entity.choices]):
            return render_template("maintenance.html"), 503
        if request.method == "GET":
            state = _draft_state(create=True)
            assert state is not None
            return _render_form(form, _current_files(state), [], show_errors=False)

        state = _draft_state(create=True)
        assert state is not None
        db = web.db()
        drafts.purge_stale(db, common.now())
        files = _current_files(state)
        remove = common.ids(request.form.getlist("remove_files"))
        if remove:
            drafts.delete_files(db, [f.blob_id for f in files if f.blob_id in remove])
            files = [f for f in files if f.blob_id not in remove]
            state["f"] = [f.blob_id for f in files]
            session["draft"] = state
        valid = form.validate()
        file_errors: list[str] = []
        if common.csrf_failed(form):
            db.rollback()
            return _render_form(form, files, [], show_errors=True, status=400)
        added, file_errors = _accept_uploads(request.files.getlist("files"), state, files)
        if added:
            drafts.enforce_quota(db, web.settings().draft_quota_mib * 1024 * 1024)
        files = files + added
        db.commit()
        action = request.form.get("action", "review")
        if action == "add_person":
            if len(form.persons.entries) < form.persons.max_entries:
                form.persons.append_entry()
            return _render_form(form, files, file_errors, show_errors=bool(file_errors))
        if action in ("edit", "upload"):
            return _render_form(form, files, file_errors, show_errors=bool(file_errors))
        if not valid or file_errors:
            return _render_form(form, files, file_errors, show_errors=True, status=422)
        return _render_review(form, state, files)

    @bp.post("/denunciar/enviar")
    def submit() -> Any:
        form = _complaint_form()
        state = _draft_state(create=False)
        if not form.validate():
            if common.csrf_failed(form):
                abort(400)
            files = _current_files(state) if state else []
            return _render_form(form, files, [], show_errors=True, status=422)
        if state is None or request.form.get("draft") != state.get("n"):
            # Already submitted (reload) or the session expired: never file twice.
            return render_template("expired.html"), 409
        db = web.db()
        entity = directory_pages.by_slug(form.entity.data)
        if entity is None:
            abort(400)
        if _keys_problem([entity.slug]):
            # Nothing is filed and nothing is lost: the review page comes back with every
            # field and file, to send again once the server is repaired (docs/operations.md).
            return _render_review(
                form,
                state,
                _current_files(state),
                notice=_(
                    "El servicio está en mantenimiento y su denuncia todavía NO fue enviada. "
                    "Lo que escribió y sus archivos siguen en esta página: vuelva a intentarlo "
                    "en unos minutos con el botón «Enviar la denuncia»."
                ),
                status=503,
            )
        key = _draft_key(state)
        prepared = evidence_review.prepare(db, list(state.get("f", [])), key)
        uploads, opened, problems = prepared.uploads, prepared.opened, prepared.problems
        if problems:
            files = _current_files(state)
            session["draft"] = state
            return _render_form(form, files, problems, show_errors=True, status=422)
        try:
            receipt = intake.submit_report(
                db,
                entity=entity,
                draft=_draft_from_form(form),
                attachments=uploads,
                settings=web.settings(),
                now=common.now(),
            )
        except receipt_keys.ServiceBusy:
            db.rollback()
            session["draft"] = state
            return _render_review(form, state, _current_files(state), busy=True)
        except intake.IntakeRefused as refused:
            db.rollback()
            files = _current_files(state)
            message = directory_pages.refusal_message(refused.code, entity) or _(
                "La denuncia no pudo registrarse: revise los datos e inténtelo de nuevo."
            )
            return _render_form(
                form,
                files,
                [message],
                show_errors=True,
                status=422,
            )
        drafts.delete_files(db, opened)  # only the drafts this key opened
        db.commit()  # durable before the receipt is shown (invariant 4)
        session.pop("draft", None)
        session["filed"] = followup.seal_case_id(web.settings(), receipt.case.id)
        return render_template(
            "confirm.html",
            receipt=receipt.formatted,
            case=receipt.case,
            confirm_form=ConfirmForm(formdata=None),
        )

    @bp.post("/denunciar/listo")
    def confirmed() -> Any:
        form = ConfirmForm()
        filed = session.get("filed")
        if not form.validate():
            if common.csrf_failed(form):
                abort(400)
            return render_template("not_confirmed.html", filed=bool(filed)), 200
        session.pop("filed", None)
        return render_template("done.html")

    def _filed_case() -> Case | None:
        filed = followup.unseal_case_id(web.settings(), session.get("filed"))
        if filed is not None:
            return web.db().get(Case, filed)
        opened = current_followup()
        return opened[0] if opened else None

    @bp.get("/acuse")
    def acknowledgement() -> Any:
        case = _filed_case()
        if case is None:
            return redirect(url_for("intake.followup_login"), 303)
        document = intake.acknowledgement_for(case, web.settings())
        return render_template(
            "ack.html",
            ack=ack_service.signed_fields(document),
            material=document,
            case=case,
            verified=intake.verify_acknowledgement(document),
        )

    @bp.get("/acuse.json")
    def acknowledgement_json() -> Any:
        case = _filed_case()
        if case is None:
            abort(404)
        body = json.dumps(
            intake.acknowledgement_for(case, web.settings()), ensure_ascii=False, indent=2
        )
        return Response(
            body,
            mimetype="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="acuse-{case.code}.json"',
            },
        )
