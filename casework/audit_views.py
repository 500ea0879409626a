"""Casework audit log view (auditor and head of the OII): entries, filter, chain status.

Audit details hold no case content or identity (core.storage.audit.record's contract), so the
auditor sees who did what and when, never what a complaint says.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint
from flask import render_template
from flask import request
from sqlalchemy import ColumnElement
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from casework.auth import current_officer
from casework.auth import require_role
from core import web
from core.errors import AuditChainBroken
from core.law.enums import Role
from core.storage import audit
from core.storage.models import AuditEntry
from core.storage.models import Case
from core.storage.models import Officer

PAGE_SIZE = 50


def chain_status() -> tuple[bool, int, str]:
    """(intact, entries, head or the first problem), verified in a session of its own."""
    with web.state().sessions() as session:
        try:
            report = audit.verify_chain(session)
        except AuditChainBroken as exc:
            return False, 0, str(exc)
    return True, report.entries, report.head


def scope(entity_id: int) -> ColumnElement[bool]:
    """The entries an entity's auditor may read: its own, its cases' and its officers'.
    Nothing of another entity, and no install-wide entry (issue 13)."""
    return or_(
        AuditEntry.entity_id == entity_id,
        AuditEntry.case_id.in_(select(Case.id).where(Case.entity_id == entity_id)),
        AuditEntry.officer_id.in_(select(Officer.id).where(Officer.entity_id == entity_id)),
    )


def make_blueprint() -> Blueprint:
    bp = Blueprint("audit_views", __name__)

    @bp.get("/auditoria")
    @require_role(Role.AUDITOR, Role.HEAD)
    def index() -> Any:
        db = web.db()
        action = request.args.get("accion", "").strip()[:64]
        before = request.args.get("antes", type=web.db_id)
        mine = scope(current_officer().entity_id)
        query = select(AuditEntry).where(mine).order_by(AuditEntry.seq.desc()).limit(PAGE_SIZE + 1)
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
        actions = sorted(db.scalars(select(AuditEntry.action).where(mine).distinct()))
        prefixes = sorted({a.split(".", 1)[0] + "." for a in actions if "." in a})
        # The chain is verified whole, but only this entity's count is shown: the install's
        # total or head would tell one entity how busy the others are.
        intact, _total, head = chain_status()
        count = db.scalar(select(func.count()).select_from(AuditEntry).where(mine)) or 0
        if intact:
            head = ""
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
