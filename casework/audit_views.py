"""Casework audit log view (auditor): entries, filter by action, chain status.

Audit details hold no case content or identity (core.storage.audit.record's contract), so the
auditor sees who did what and when, never what a complaint says.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint
from flask import render_template
from flask import request
from sqlalchemy import select

from casework.auth import require_role
from core import web
from core.errors import AuditChainBroken
from core.law.enums import Role
from core.storage import audit
from core.storage.models import AuditEntry

PAGE_SIZE = 50


def chain_status() -> tuple[bool, int, str]:
    """(intact, entries, head or the first problem), verified in a session of its own."""
    with web.state().sessions() as session:
        try:
            report = audit.verify_chain(session)
        except AuditChainBroken as exc:
            return False, 0, str(exc)
    return True, report.entries, report.head


def make_blueprint() -> Blueprint:
    bp = Blueprint("audit_views", __name__)

    @bp.get("/auditoria")
    @require_role(Role.AUDITOR)
    def index() -> Any:
        db = web.db()
        action = request.args.get("accion", "").strip()[:64]
        before = request.args.get("antes", type=web.db_id)
        query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(PAGE_SIZE + 1)
        if action:
            if action.endswith("."):
                query = query.where(AuditEntry.action.startswith(action))
            else:
                query = query.where(AuditEntry.action == action)
        if before:
            query = query.where(AuditEntry.seq < before)
        rows = list(db.scalars(query))
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        actions = sorted(db.scalars(select(AuditEntry.action).distinct()))
        prefixes = sorted({a.split(".", 1)[0] + "." for a in actions if "." in a})
        intact, count, head = chain_status()
        details = {row.seq: _detail(row.detail) for row in rows}
        return render_template(
            "audit/index.html",
            rows=rows,
            details=details,
            action=action,
            actions=actions,
            prefixes=prefixes,
            next_before=rows[-1].seq if more and rows else None,
            intact=intact,
            count=count,
            head=head,
            first_page=before is None,
        )

    return bp


def _detail(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if not isinstance(data, dict):
        return text
    return ", ".join(f"{k}={v}" for k, v in sorted(data.items()))
