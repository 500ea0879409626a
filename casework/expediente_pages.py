"""The case file (expediente) as one printable document: every act with its reasoning and
the text the complainant read, every message, internal note, measure and forwarding with its
package hashes, paginated for paper (casework/static/expediente.css: @page, page breaks, a
header on every page).

Opening it is an audited decryption (`case.viewed`, part "print"). The complainant's identity
is printed only for the head of the OII, through the vault's own audited access
(core.services.vault.access_identity: legal basis, statement, the complainant is told); an
officer who asks for it is refused and the attempt recorded, as on the identity page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import render_template
from flask import request
from flask_babel import gettext as _

from casework.auth import current_officer
from casework.auth import require_role
from casework.case_pages import case_context
from casework.case_pages import load_case
from casework.case_pages import office_identity
from casework.identity_pages import ANONYMOUS
from casework.identity_pages import access_identity
from casework.identity_pages import require_head
from casework.inbox_pages import CASE_ROLES
from core import web
from core.services import casefile
from core.services import vault
from core.services.documents import ComplainantIdentity
from core.storage.db import utcnow
from core.storage.models import Case


def _css_string(text: str) -> str:
    """`text` as a CSS string literal (quotes, backslashes and line ends escaped)."""
    escaped = "".join(
        f"\\{ord(ch):x} " if ch in '"\\' or ord(ch) < 0x20 or ch == "\x7f" else ch for ch in text
    )
    return f'"{escaped}"'


def running_header_css(case: Case) -> str:
    header = _("Expediente %(code)s", code=case.code)
    reserved = _("RESERVADO (D. Leg. 1327, art. 6.1)")
    return (
        "@page { @top-left { content: "
        + _css_string(f"{header} · {case.entity.name}")
        + "; } @top-right { content: "
        + _css_string(str(reserved))
        + "; } }\n"
    )


def _render(
    case: Case, *, identity: ComplainantIdentity | None = None, status: int = 200, **extra: Any
) -> Response:
    officer = current_officer()
    db = web.db()
    now = utcnow()
    file = casefile.open_case_file(
        db, case, [office_identity()], officer=officer, now=now, part="print"
    )
    body = render_template(
        "cases/expediente.html",
        case=case,
        file=file,
        identity=identity,
        printed_at=now,
        printed_by=officer.display_name or officer.username,
        is_head=vault.may_access_identity(officer),
        has_identity=vault.has_identity(case),
        legal_bases=list(vault.LegalBasis),
        form=extra.pop("form", {}),
        **extra,
    )
    db.commit()  # the case.viewed audit entry is durable before the document leaves
    return Response(body, status=status)


def make_blueprint() -> Blueprint:
    bp = Blueprint("expediente", __name__)
    bp.context_processor(case_context)

    @bp.get("/denuncias/<code>/expediente")
    @require_role(*CASE_ROLES)
    def show(code: str) -> Any:
        return _render(load_case(code))

    @bp.get("/denuncias/<code>/expediente.css")
    @require_role(*CASE_ROLES)
    def page_css(code: str) -> Any:
        # The header of every printed page names the case: a margin box can only print a
        # string the style sheet holds, and inline styles are barred (core/web CSP).
        case = load_case(code)
        return Response(running_header_css(case), mimetype="text/css")

    @bp.post("/denuncias/<code>/expediente")
    @require_role(*CASE_ROLES)
    def with_identity(code: str) -> Any:
        case = load_case(code)
        officer = current_officer()
        require_head(case, officer)
        typed = request.form.to_dict()  # shown again on a refusal
        identity, error = access_identity(case, officer)
        if identity is None:
            anonymous = error is ANONYMOUS
            return _render(
                load_case(code), status=422, error=error, form={} if anonymous else typed
            )
        return _render(case, identity=identity)

    return bp
