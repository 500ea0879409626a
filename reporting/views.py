"""Intake views: landing, complaint form, review, submission, acknowledgement, follow-up.

Everything works without JavaScript. The text of a complaint travels only inside
the POSTs of the person filing it (form → review → submit, re-posted in hidden
fields); files are sealed on arrival (reporting.drafts). Nothing a person typed or
uploaded is stored in clear, logged, or put in a cookie in clear (DESIGN.md §5).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import secrets
import time
from typing import Any

from flask import Blueprint
from flask import Response
from flask import abort
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as BaseResponse
from wtforms import SelectChoice

import crypto
from core import web
from core.files import metadata
from core.law.enums import CaseState
from core.law.enums import Destination
from core.law.enums import MeasureType
from core.law.enums import MessageDirection
from core.law.enums import MessageKind
from core.law.enums import Modality
from core.law.enums import Motive
from core.services import followup
from core.services import intake
from core.services.measures import request_measure
from core.services.messages import MessageRefused
from core.services.messages import add_evidence
from core.services.messages import post_message
from core.services.messages import read_attachment_meta
from core.services.messages import read_message
from core.storage.blobs import read_plaintext
from core.storage.db import utcnow
from core.storage.models import Case
from core.storage.models import CaseEvent
from core.storage.models import Deadline
from core.storage.models import Entity
from reporting import drafts
from reporting import labels
from reporting.forms import ComplaintForm
from reporting.forms import ConfirmForm
from reporting.forms import EmptyForm
from reporting.forms import EvidenceForm
from reporting.forms import MessageForm
from reporting.forms import ProtectionForm
from reporting.forms import ReceiptForm

# Accepted evidence: documents, images, audio and video. The type is checked from the
# content for the formats whose metadata we clean, so a renamed file is caught.
ALLOWED_EXTENSIONS = {
    "pdf": "pdf",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "png": "png",
    "webp": "webp",
    "docx": "ooxml",
    "xlsx": "ooxml",
    "pptx": "ooxml",
    "odt": "odf",
    "ods": "odf",
    "odp": "odf",
    "txt": None,
    "csv": None,
    "mp3": None,
    "m4a": None,
    "ogg": None,
    "mp4": None,
}
# The type recorded with a file comes from its (checked) extension, never from the browser.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "txt": "text/plain",
    "csv": "text/csv",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
    "mp4": "video/mp4",
}
FOLLOWUP_PROTECTION_REASONING = "Solicitada por el denunciante desde el seguimiento."


def _csrf_failed(form: Any) -> bool:
    # CSRFProtect already refuses a bad token app-wide; this covers a form checked alone.
    token = getattr(form, "csrf_token", None)
    return bool(token is not None and token.errors)


def _ids(values: list[str]) -> set[int]:
    """Blob ids posted by a form: ASCII digits only ("²".isdigit() is True, int() refuses it)."""
    return {int(v) for v in values if 0 < len(v) <= 18 and v.isascii() and v.isdigit()}


def _content_matches(ext: str, data: bytes) -> bool:
    """Whether the content is what the extension says (a renamed file is refused)."""
    expected = ALLOWED_EXTENSIONS[ext]
    kind = metadata.sniff(data)
    if expected is not None:
        return kind == expected
    if kind != "other" or data[:2] == b"MZ" or data[:4] == b"\x7fELF":
        return False  # a document, image, archive or program under a text/media name
    head = data[:12]
    if ext in ("txt", "csv"):
        return b"\x00" not in data[:65536]
    if ext == "mp3":
        return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] >= 0xE0)
    if ext == "ogg":
        return head.startswith(b"OggS")
    return head[4:8] == b"ftyp"  # mp4, m4a


def _content_type(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return CONTENT_TYPES.get(ext, "application/octet-stream")


def _clean(data: bytes, found: tuple[str, ...], kind: str) -> tuple[bytes, tuple[str, ...]] | None:
    """The file without hidden metadata and what was removed; None when it cannot be removed.

    Images are always cleaned (losslessly), since not every field is recognised; documents
    when metadata was found (rewriting them unasked could break a digital signature).
    """
    if kind not in ("jpeg", "png", "webp") and not found:
        return data, ()
    try:
        cleaned = metadata.clean(data)
    except metadata.CleaningFailed:
        return None if found else (data, ())
    return cleaned, tuple(dict.fromkeys(found))


def _entities() -> list[Entity]:
    return list(web.db().scalars(select(Entity).order_by(Entity.name)).all())


def _now() -> dt.datetime:
    return utcnow()


def _limits() -> dict[str, Any]:
    st = web.settings()
    return {
        "max_files": st.max_attachments,
        "max_mib": st.max_upload_mib,
        "extensions": ", ".join(sorted(ALLOWED_EXTENSIONS)),
    }


def _remember_language() -> None:
    lang = request.args.get("lang")
    if lang in web.LANGUAGES:
        session["lang"] = lang


# --- draft state in the session ----------------------------------------------------------------


def _draft_state(*, create: bool) -> dict[str, Any] | None:
    state = session.get("draft")
    if isinstance(state, dict) and drafts.unseal_key(web.settings(), state.get("k", "")):
        return state
    if not create:
        return None
    pq = web.settings().post_quantum
    ents = _entities()
    if ents:
        pq = intake.is_post_quantum(ents[0].office_recipient)
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
    st = web.settings()
    errors: list[str] = []
    added: list[drafts.DraftFile] = []
    total = sum(f.size for f in existing)
    count = len(existing)
    key = _draft_key(state)
    for storage in files:
        if not storage or not storage.filename:
            continue
        name = metadata.safe_filename(storage.filename)
        data = storage.stream.read()
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext not in ALLOWED_EXTENSIONS:
            errors.append(
                _(
                    "El archivo «%(name)s» no es de un tipo permitido. Tipos permitidos: "
                    "%(types)s.",
                    name=name,
                    types=_limits()["extensions"],
                )
            )
            continue
        if not data:
            errors.append(_("El archivo «%(name)s» está vacío.", name=name))
            continue
        if not _content_matches(ext, data):
            errors.append(
                _(
                    "El contenido del archivo «%(name)s» no corresponde a su extensión.",
                    name=name,
                )
            )
            continue
        if count + 1 > st.max_attachments:
            errors.append(
                _(
                    "Puede adjuntar como máximo %(n)d archivos; «%(name)s» no se añadió.",
                    n=st.max_attachments,
                    name=name,
                )
            )
            continue
        if total + len(data) > st.max_upload_mib * 1024 * 1024:
            errors.append(
                _(
                    "Los archivos superan en total %(mib)d MB; «%(name)s» no se añadió.",
                    mib=st.max_upload_mib,
                    name=name,
                )
            )
            continue
        draft = drafts.store_file(
            web.db(),
            key,
            filename=name,
            content_type=_content_type(name),
            data=data,
        )
        state["f"] = [*state["f"], draft.blob_id]
        added.append(draft)
        total += len(data)
        count += 1
    session["draft"] = state
    return added, errors


def _current_files(state: dict[str, Any]) -> list[drafts.DraftFile]:
    files = drafts.list_files(web.db(), list(state.get("f", [])), _draft_key(state))
    state["f"] = [f.blob_id for f in files]
    return files


def _complaint_form() -> ComplaintForm:
    form = ComplaintForm()
    ents = _entities()
    form.entity.choices = [SelectChoice(e.slug, e.name) for e in ents]
    if ents and not form.entity.data:
        form.entity.data = ents[0].slug
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


def _render_form(
    form: ComplaintForm,
    files: list[drafts.DraftFile],
    file_errors: list[str],
    *,
    show_errors: bool,
    status: int = 200,
) -> tuple[str, int]:
    summary = _error_summary(form, file_errors) if show_errors else []
    if not show_errors:
        for field in form:
            field.errors = []
    return (
        render_template(
            "complaint.html",
            form=form,
            files=files,
            summary=summary,
            limits=_limits(),
            single_entity=len(form.entity.choices or []) <= 1,
        ),
        status,
    )


def _hidden_pairs() -> list[tuple[str, str]]:
    skip = {"csrf_token", "action", "remove_files", "keep_original", "files", "draft"}
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
        if form.protection_measures.data:
            protection = intake.ProtectionRequest(
                measures=tuple(MeasureType(v) for v in form.protection_measures.data),
                risk=form.protection_risk.data or "",
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
    )


# --- follow-up session -------------------------------------------------------------------------


def _followup() -> tuple[Case, crypto.Identity] | None:
    """The logged-in case and identity, or None (never logged in, idle or tampered)."""
    if "fu" not in session:
        return None
    state = followup.unseal_session(web.settings(), session.get("fu"))
    if state is None:
        session.pop("fu", None)
        return None
    idle = web.settings().complainant_idle_minutes * 60
    if time.time() - state.last_seen > idle:
        session.pop("fu", None)
        session["expired"] = True
        return None
    case = web.db().get(Case, state.case_id)
    if case is None or state.identity.recipient().to_string() != case.complainant_recipient:
        session.pop("fu", None)
        return None
    session["fu"] = followup.seal_session(
        web.settings(),
        followup.FollowupSession(case.id, state.identity, time.time()),
    )
    return case, state.identity


def _visible_events(case: Case) -> list[dict[str, Any]]:
    events = web.db().scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.visible_to_complainant.is_(True))
        .order_by(CaseEvent.at, CaseEvent.id)
    )
    out = []
    for ev in events:
        detail = []
        data = ev.data or {}
        dest = data.get("destination")
        if dest in {d.value for d in Destination}:
            detail.append(str(labels.DESTINATION[Destination(dest)]))
        if data.get("destination_name"):
            detail.append(str(data["destination_name"]))
        measure = data.get("measure_type") or data.get("type")
        if measure in {m.value for m in MeasureType}:
            detail.append(str(labels.MEASURE[MeasureType(measure)]))
        missing = [
            labels.MISSING_ITEM[i]
            for i in data.get("missing_items", [])
            if i in labels.MISSING_ITEM
        ]
        if missing:
            detail.append(_("falta: %(items)s", items=", ".join(str(m) for m in missing)))
        decision = data.get("decision")
        if decision in labels.MEASURE_DECISION:
            detail.append(str(labels.MEASURE_DECISION[decision]))
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


def make_blueprint() -> Blueprint:
    bp = Blueprint("intake", __name__)

    @bp.get("/")
    def landing() -> str:
        return render_template("landing.html", limits=_limits())

    @bp.get("/health")
    def health() -> tuple[dict[str, str], int]:
        from sqlalchemy import text

        web.db().execute(text("SELECT 1"))
        return {"status": "ok"}, 200

    # --- filing --------------------------------------------------------------------------------

    @bp.route("/denunciar", methods=["GET", "POST"])
    def complaint() -> Any:
        if not _entities():
            return render_template("unavailable.html"), 503
        _remember_language()
        form = _complaint_form()
        if request.method == "GET":
            state = _draft_state(create=True)
            assert state is not None
            return _render_form(form, _current_files(state), [], show_errors=False)

        state = _draft_state(create=True)
        assert state is not None
        db = web.db()
        drafts.purge_stale(db, _now())
        files = _current_files(state)
        remove = _ids(request.form.getlist("remove_files"))
        if remove:
            drafts.delete_files(db, [f.blob_id for f in files if f.blob_id in remove])
            files = [f for f in files if f.blob_id not in remove]
            state["f"] = [f.blob_id for f in files]
            session["draft"] = state
        valid = form.validate()
        file_errors: list[str] = []
        if _csrf_failed(form):
            db.rollback()
            return _render_form(form, files, [], show_errors=True, status=400)
        added, file_errors = _accept_uploads(request.files.getlist("files"), state, files)
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
        return render_template(
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
        )

    @bp.post("/denunciar/enviar")
    def submit() -> Any:
        form = _complaint_form()
        state = _draft_state(create=False)
        if not form.validate():
            if _csrf_failed(form):
                abort(400)
            files = _current_files(state) if state else []
            return _render_form(form, files, [], show_errors=True, status=422)
        if state is None or request.form.get("draft") != state.get("n"):
            # Already submitted (reload) or the session expired: never file twice.
            return render_template("expired.html"), 409
        db = web.db()
        entity = db.scalar(select(Entity).where(Entity.slug == form.entity.data))
        if entity is None:
            abort(400)
        key = _draft_key(state)
        keep = _ids(request.form.getlist("keep_original"))
        uploads: list[intake.UploadedEvidence] = []
        opened: list[int] = []
        problems: list[str] = []
        listed = list(state.get("f", []))
        present = {f.blob_id for f in drafts.list_files(db, listed, key)}
        for blob_id in listed:
            try:
                if blob_id not in present:
                    raise ValueError("draft gone")
                header, data = drafts.read_file(db, blob_id, key)
            except (crypto.AgeError, ValueError):
                # Never file a complaint silently without a file the person chose.
                problems.append(
                    _(
                        "Uno de los archivos adjuntados ya no está disponible (pasó demasiado "
                        "tiempo). Revise la lista de archivos y vuelva a adjuntarlo."
                    )
                )
                continue
            opened.append(blob_id)
            removed: tuple[str, ...] = ()
            if blob_id not in keep and header.removable:
                result = _clean(data, tuple(f for f, _v in header.findings), header.kind)
                if result is None:
                    problems.append(
                        _(
                            "No pudimos quitar los datos ocultos de «%(name)s». Quite el "
                            "archivo, o en la revisión marque «Conservar el archivo original».",
                            name=header.filename,
                        )
                    )
                    continue
                data, removed = result
            uploads.append(
                intake.UploadedEvidence(
                    filename=header.filename,
                    content_type=header.content_type,
                    stream=io.BytesIO(data),
                    size=len(data),
                    metadata_removed=removed,
                    original_sha256=header.sha256,
                )
            )
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
                now=_now(),
            )
        except intake.IntakeRefused:
            db.rollback()
            files = _current_files(state)
            return _render_form(
                form,
                files,
                [_("La denuncia no pudo registrarse: revise los datos e inténtelo de nuevo.")],
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
            if _csrf_failed(form):
                abort(400)
            return render_template("not_confirmed.html", filed=bool(filed)), 200
        session.pop("filed", None)
        return render_template("done.html")

    def _filed_case() -> Case | None:
        filed = followup.unseal_case_id(web.settings(), session.get("filed"))
        if filed is not None:
            return web.db().get(Case, filed)
        opened = _followup()
        return opened[0] if opened else None

    @bp.get("/acuse")
    def acknowledgement() -> Any:
        case = _filed_case()
        if case is None:
            return redirect(url_for("intake.followup_login"), 303)
        return render_template("ack.html", ack=intake.acknowledgement_for(case), case=case)

    @bp.get("/acuse.json")
    def acknowledgement_json() -> Any:
        case = _filed_case()
        if case is None:
            abort(404)
        body = json.dumps(intake.acknowledgement_for(case), ensure_ascii=False, indent=2)
        return Response(
            body,
            mimetype="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="acuse-{case.code}.json"',
            },
        )

    # --- follow-up -----------------------------------------------------------------------------

    @bp.route("/seguimiento", methods=["GET", "POST"])
    def followup_login() -> Any:
        opened = _followup()
        if opened is not None and request.method == "GET":
            return _render_case(*opened)
        _remember_language()
        form = ReceiptForm()
        expired = bool(session.pop("expired", False))
        if request.method == "GET":
            return render_template("followup_login.html", form=form, expired=expired)
        if not form.validate():
            if _csrf_failed(form):
                abort(400)
            return render_template("followup_login.html", form=form), 422
        db = web.db()
        receipt = form.receipt.data or ""
        try:
            lookup = followup.reserve_attempt(db, receipt, web.settings(), now=_now())
        except crypto.InvalidReceipt:
            form.receipt.errors = [
                _(
                    "El código no tiene el formato correcto: son 16 letras y números, "
                    "como 7KQF-9M2X-C4TR-H8WN."
                )
            ]
            return render_template("followup_login.html", form=form), 422
        except followup.ReceiptThrottled:
            db.rollback()
            return render_template("followup_login.html", form=form, throttled=True), 429
        db.commit()  # counted before the slow check, so concurrent guesses see it
        result = followup.check_receipt(db, receipt, lookup, web.settings())
        db.commit()
        if result is None:
            form.receipt.errors = [_("El código no es correcto. Revíselo e inténtelo de nuevo.")]
            return render_template("followup_login.html", form=form), 422
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
        session["fu"] = followup.seal_session(
            web.settings(),
            followup.FollowupSession(result.case.id, result.identity, time.time()),
        )
        return redirect(url_for("intake.followup_login"), 303)

    def _render_case(case: Case, identity: crypto.Identity, status: int = 200, **forms: Any) -> Any:
        db = web.db()
        messages = []
        now = _now()
        for msg in case.messages:
            try:
                text = read_message(msg, [identity])
            except crypto.AgeError:
                text = _("(mensaje ilegible)")
            messages.append({"m": msg, "text": text})
            if msg.direction is MessageDirection.TO_COMPLAINANT and msg.read_at is None:
                msg.read_at = now
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
                events=_visible_events(case),
                deadlines=_open_deadlines(case),
                messages=messages,
                files=files,
                labels=labels,
                observed=case.state is CaseState.OBSERVED,
                message_form=forms.get("message_form") or MessageForm(formdata=None),
                evidence_form=forms.get("evidence_form") or EvidenceForm(formdata=None),
                protection_form=forms.get("protection_form") or ProtectionForm(formdata=None),
                logout_form=EmptyForm(formdata=None),
                limits=_limits(),
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
        opened = _followup()
        if opened is None:
            abort(redirect(url_for("intake.followup_login"), 303))
        return opened

    @bp.post("/seguimiento/mensaje")
    def followup_message() -> Any:
        case, identity = _require_followup()
        form = MessageForm()
        if not form.validate():
            if _csrf_failed(form):
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
                now=_now(),
            )
        except (MessageRefused, ValueError):
            web.db().rollback()
            form.body.errors = [_("El mensaje no pudo enviarse.")]
            return _render_case(case, identity, 422, message_form=form)
        web.db().commit()
        return _done(_("Su mensaje fue enviado cifrado."))

    @bp.post("/seguimiento/pruebas")
    def followup_evidence() -> Any:
        case, identity = _require_followup()
        form = EvidenceForm()
        if not form.validate():
            abort(400)
        uploads: list[intake.UploadedEvidence] = []
        errors: list[str] = []
        st = web.settings()
        total = 0
        for storage in request.files.getlist("files"):
            if not storage or not storage.filename:
                continue
            name = metadata.safe_filename(storage.filename)
            data = storage.stream.read()
            ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
            if ext not in ALLOWED_EXTENSIONS or not data or not _content_matches(ext, data):
                errors.append(
                    _("El archivo «%(name)s» no es de un tipo permitido o está vacío.", name=name)
                )
                continue
            total += len(data)
            found = metadata.inspect(data)
            removed: tuple[str, ...] = ()
            original = intake.sha256_hex(data)
            if found.removable:
                result = _clean(data, tuple(f.field for f in found.findings), found.kind)
                if result is None:
                    errors.append(
                        _(
                            "No pudimos quitar los datos ocultos de «%(name)s»; no se añadió. "
                            "Puede enviarlo en otro formato (por ejemplo, una captura o un PDF).",
                            name=name,
                        )
                    )
                    continue
                data, removed = result
            uploads.append(
                intake.UploadedEvidence(
                    filename=name,
                    content_type=_content_type(name),
                    stream=io.BytesIO(data),
                    size=len(data),
                    metadata_removed=removed,
                    original_sha256=original,
                )
            )
        if len(uploads) > st.max_attachments:
            errors.append(_("Puede adjuntar como máximo %(n)d archivos.", n=st.max_attachments))
        if total > st.max_upload_mib * 1024 * 1024:
            errors.append(_("Los archivos superan en total %(mib)d MB.", mib=st.max_upload_mib))
        if not uploads and not errors:
            errors.append(_("Elija al menos un archivo."))
        if errors:
            form.files.errors = errors
            return _render_case(case, identity, 422, evidence_form=form)
        add_evidence(
            web.db(), case, uploads=uploads, now=_now(), max_attachments=st.max_attachments
        )
        web.db().commit()
        return _done(
            _("Sus archivos fueron añadidos cifrados (se quitaron los metadatos ocultos).")
        )

    @bp.post("/seguimiento/proteccion")
    def followup_protection() -> Any:
        case, identity = _require_followup()
        form = ProtectionForm()
        if not form.validate():
            if _csrf_failed(form):
                abort(400)
            return _render_case(case, identity, 422, protection_form=form)
        measures = [MeasureType(v) for v in form.measures.data or []]
        body = _(
            "Medidas solicitadas: %(m)s", m=", ".join(str(labels.MEASURE[m]) for m in measures)
        )
        body += "\n\n" + _("Riesgo: %(r)s", r=form.risk.data or "")
        db = web.db()
        now = _now()
        post_message(
            db,
            case,
            direction=MessageDirection.FROM_COMPLAINANT,
            kind=MessageKind.PROTECTION_REQUEST,
            body=body,
            officer_id=None,
            now=now,
        )
        if case.modality is not Modality.ANONYMOUS:
            office = [crypto.parse_recipient(case.entity.office_recipient)]
            for measure_type in measures:
                request_measure(
                    db,
                    case,
                    measure_type=measure_type,
                    officer=None,
                    reasoning=FOLLOWUP_PROTECTION_REASONING,
                    now=now,
                    office_recipients=office,
                )
            case.protection_requested = True
        db.commit()
        return _done(_("Su solicitud de medidas de protección fue enviada."))

    @bp.get("/seguimiento/denuncia")
    def followup_report() -> Any:
        """The complainant's own report, decrypted with their receipt-derived identity."""
        case, identity = _require_followup()
        if case.report_blob_id is None:
            abort(404)
        report = json.loads(read_plaintext(web.db(), case.report_blob_id, [identity]))
        return render_template("followup_report.html", case=case, report=report, labels=labels)

    @bp.post("/seguimiento/salir")
    def followup_logout() -> BaseResponse:
        form = EmptyForm()
        if not form.validate():
            abort(400)
        session.clear()
        return redirect(url_for("intake.landing"), 303)

    return bp
