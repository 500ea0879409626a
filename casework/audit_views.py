"""Casework audit log view (auditor and head of the OII): entries, filter, chain status.

Audit details hold no case content or identity (core.storage.audit.record's contract), so the
auditor sees who did what and when, never what a complaint says.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import render_template
from flask import request
from sqlalchemy import ColumnElement
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from casework import audit_names
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
        case_code = request.args.get("caso", "").strip().upper()[:40]
        officer_id = request.args.get("oficial", type=web.db_id)
        entity_id = current_officer().entity_id
        mine = scope(entity_id)
        query = select(AuditEntry).where(mine).order_by(AuditEntry.seq.desc()).limit(PAGE_SIZE + 1)
        if case_code:
            case_id = db.scalar(
                select(Case.id).where(
                    Case.entity_id == entity_id, func.upper(Case.code) == case_code
                )
            )
            query = query.where(AuditEntry.case_id == (case_id if case_id is not None else -1))
        if officer_id:
            query = query.where(
                or_(
                    AuditEntry.officer_id == officer_id,
                    AuditEntry.actor == f"officer:{officer_id}",
                )
            )
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
        names = audit_names.resolve(db, entity_id, rows)
        details = {row.seq: audit_names.detail_text(row, names) for row in rows}
        actors = {row.seq: audit_names.actor_text(row, names) for row in rows}
        staff = list(
            db.scalars(
                select(Officer).where(Officer.entity_id == entity_id).order_by(Officer.username)
            )
        )
        return render_template(
            "audit/index.html",
            rows=rows,
            details=details,
            actors=actors,
            names=names,
            staff=[(o.id, audit_names.officer_label(o)) for o in staff],
            case_code=case_code,
            officer_id=officer_id,
            filters={"accion": action or None, "caso": case_code or None, "oficial": officer_id},
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
