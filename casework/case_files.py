"""Casework: a case's files leaving the office, one at a time, each audited first.

An attachment is downloaded (original or without metadata) and a forwarding's package is
exported (DL 8.3) only after the audit entry commits (invariant 5). Attachments are
complainant-controlled bytes (threat 4): only ever sent as `application/octet-stream`
attachments with a sandboxing CSP, never rendered inline. The routes belong to the case
page's blueprint (endpoints `cases.attachment`, `cases.package`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from flask import Blueprint
from flask import Response
from flask import abort
from flask import render_template
from flask import request
from flask import stream_with_context

from casework import forms
from casework.auth import current_officer
from casework.auth import require_role
from casework.case_pages import load_case
from casework.case_pages import office_identity
from casework.case_pages import office_recipients
from casework.case_pages import render_case
from casework.inbox_pages import CASE_ROLES
from casework.refusals import refusal_message
from core import web
from core.errors import DomainError
from core.errors import NotFound
from core.services import casefile
from core.services import forwarding
from core.storage.db import utcnow
from core.storage.models import Forwarding

# Ids from URLs and forms are user-controlled: one beyond a BIGINT would overflow the driver.
MAX_ROW_ID = 2**63 - 1


def _is_row_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 19 and 0 < int(value) <= MAX_ROW_ID


def _attachment_stream(chunks: Iterator[bytes]) -> Iterator[bytes]:
    yield from chunks


def _content_disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def add_routes(bp: Blueprint) -> None:
    """Add the download routes to the case page's blueprint."""

    @bp.get("/denuncias/<code>/adjuntos/<int:attachment_id>")
    @require_role(*CASE_ROLES)
    def attachment(code: str, attachment_id: int) -> Any:
        case = load_case(code)
        db = web.db()
        if attachment_id > MAX_ROW_ID:
            abort(404)
        identity = office_identity()
        variant = "stripped" if request.args.get("version") == "sin-metadatos" else "original"
        try:
            info, chunks = casefile.open_attachment(
                db,
                case,
                attachment_id,
                [identity],
                officer=current_officer(),
                now=utcnow(),
                variant=variant,
            )
        except NotFound:
            abort(404)
        except casefile.MetadataNotRemovable as exc:
            db.commit()  # the file was decrypted to try: that stays on the record
            return render_template("error.html", code=422, error=refusal_message(exc)), 422
        # The audit entry commits before a single byte of plaintext is sent.
        db.commit()
        name = casefile.safe_filename(info.filename, f"adjunto-{attachment_id}")
        if variant == "stripped" or info.metadata_removed:
            # Cleaned at upload: the original was never kept, the name must not suggest it.
            name = f"sin-metadatos-{name}"
        response = Response(
            stream_with_context(_attachment_stream(chunks)),
            mimetype="application/octet-stream",
        )
        response.headers["Content-Disposition"] = _content_disposition(name)
        # Threat 4: even if a browser sniffed it, the file runs in an empty sandbox.
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @bp.post("/denuncias/<code>/paquete")
    @require_role(*CASE_ROLES)
    def package(code: str) -> Any:
        case = load_case(code)
        db = web.db()
        identity = office_identity()
        form = forms.PackageForm()
        # DL 8.3: a package is only ever the package of a forwarding recorded by an act; a
        # request naming a destination instead (the old free "copy" form) is refused and
        # records nothing.
        if not _is_row_id(form.forwarding_id.data):
            abort(400)
        target = db.get(Forwarding, int(form.forwarding_id.data))
        if target is None or target.case_id != case.id:
            abort(404)
        try:
            pkg = forwarding.export_package(
                db,
                case,
                [identity],
                officer=current_officer(),
                now=utcnow(),
                office_recipients=office_recipients(case),
                forwarding=target,
                recipient=form.recipient.data,
            )
        except DomainError as exc:
            db.rollback()
            return render_case(
                load_case(code),
                status=422,
                error=refusal_message(exc),
                form={"package": "1", **request.form.to_dict(flat=True)},
            )
        db.commit()
        response = Response(pkg.data, mimetype="application/octet-stream")
        response.headers["Content-Disposition"] = _content_disposition(pkg.filename)
        response.headers["X-Package-SHA256"] = pkg.sha256
        return response
