"""Public tamper evidence: the audit log's checkpoints, and proofs for the complainant.

The intake only serves what casework and the periodic job signed (it holds no signing key):
the latest checkpoint and its history for anyone (/transparencia), and, to a complainant
logged in with their receipt, one tlog proof per logged act on their own case
(docs/transparency.md).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import abort
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from core import web
from core.services import transparency
from core.storage.models import AuditEntry
from reporting import common
from reporting.followup_pages import current_followup

MAX_SEQ = 2**62  # beyond any real log; larger ids are answered 404, never a database error


def _text(body: str, filename: str | None = None) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else {}
    return Response(body, mimetype="text/plain", headers=headers)


def _action_label(action: str) -> str:
    labels = {
        "case.filed": _("Se registró su denuncia"),
        "case.registered": _("Se registró su denuncia"),
        "case.viewed": _("Un funcionario de la Oficina leyó su denuncia"),
        "attachment.downloaded": _("Un funcionario de la Oficina abrió uno de sus archivos"),
        "identity.accessed": _("El responsable de la Oficina accedió a su identidad"),
        "identity.access_denied": _("Se negó un acceso a su identidad"),
        "identity.request_refused": _("La Oficina negó un pedido de su identidad"),
        "message.posted": _("Se registró un mensaje"),
        "evidence.added": _("Se añadieron pruebas"),
        "package.exported": _("Se preparó el expediente para otro órgano"),
        "case.assigned": _("Se asignó su denuncia a un funcionario"),
        "note.added": _("Se añadió una nota interna"),
        "case.subsanacion_notice_opened": _("Usted abrió el requerimiento de subsanación"),
        "case.clocks_recomputed": _("Se recalcularon los plazos por un cambio de calendario"),
    }
    if action in labels:
        return str(labels[action])
    if action.startswith("measure."):
        return str(_("Acto sobre medidas de protección"))
    if action.startswith("case."):
        return str(_("Acto de la Oficina sobre su denuncia"))
    return str(_("Registro de auditoría"))


def register(bp: Blueprint) -> None:
    """Add the transparency routes to the intake blueprint."""

    @bp.get("/transparencia")
    def transparency_page() -> Any:
        common.remember_language()
        db = web.db()
        latest = transparency.latest_checkpoint(db)
        key = transparency.log_key(db)
        vkey = transparency.verifier_key(db).encode() if key is not None else None
        return render_template(
            "transparency.html",
            latest=latest,
            history=transparency.checkpoints(db, limit=30),
            vkey=vkey,
        )

    @bp.get("/transparencia/checkpoint")
    def transparency_checkpoint() -> Any:
        latest = transparency.latest_checkpoint(web.db())
        if latest is None:
            abort(404)
        return _text(latest.note)

    @bp.get("/transparencia/clave")
    def transparency_key() -> Any:
        if transparency.log_key(web.db()) is None:
            abort(404)
        return _text(transparency.verifier_key(web.db()).encode() + "\n")

    @bp.get("/transparencia/historial")
    def transparency_history() -> Any:
        notes = [c.note for c in reversed(transparency.checkpoints(web.db(), limit=1000))]
        return _text("\n".join(notes))

    @bp.get("/seguimiento/registro")
    def followup_log() -> Any:
        opened = current_followup()
        if opened is None:
            return redirect(url_for("intake.followup_login"), 303)
        case, _identity = opened
        db = web.db()
        latest = transparency.latest_checkpoint(db)
        rows = []
        for entry in db.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.seq)
        ):
            rows.append(
                {
                    "seq": entry.seq,
                    "at": entry.at,
                    "label": _action_label(entry.action),
                    "covered": latest is not None and entry.seq <= latest.size,
                }
            )
        return render_template("followup_log.html", case=case, rows=rows, latest=latest)

    @bp.get("/seguimiento/registro/<int:seq>.tlog-proof")
    def followup_log_proof(seq: int) -> Any:
        opened = current_followup()
        if opened is None:
            abort(404)
        case, _identity = opened
        if seq > MAX_SEQ:
            abort(404)
        db = web.db()
        entry = db.scalar(
            select(AuditEntry).where(AuditEntry.seq == seq, AuditEntry.case_id == case.id)
        )
        latest = transparency.latest_checkpoint(db)
        if entry is None or latest is None or entry.seq > latest.size:
            abort(404)
        proof = transparency.inclusion_proof(db, entry, latest)
        return _text(proof, filename=f"registro-{case.code}-{seq}.tlog-proof")
