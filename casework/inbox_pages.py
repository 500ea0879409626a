"""Casework: the inbox (bandeja) and the due/overdue view (vencimientos).

Both are keyset-paginated lists over clear metadata (core.read.inbox): nothing is decrypted here.
The labels of the domain vocabulary live in casework/labels.py (fed by core.law.vocabulary).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import render_template
from flask import request
from flask_babel import lazy_gettext as _l

from casework.auth import current_officer
from casework.auth import require_role
from casework.labels import label_context
from core import web
from core.law.calendar import local_day
from core.law.enums import CaseState
from core.law.enums import Modality
from core.law.enums import Motive
from core.law.enums import Role
from core.read import due_clocks
from core.read import inbox
from core.services.case_records import calendar_for
from core.storage.db import utcnow
from core.storage.models import Officer

# Who handles complaints; each sees only its side of the RG 4.9 split (core.access.case_scope).
CASE_ROLES = (Role.OFFICER, Role.HEAD, Role.TITULAR)
PAGE_SIZE = inbox.DEFAULT_PAGE_SIZE

# --- query-string parsing ----------------------------------------------------------------------


def _enum_arg(enum: Any, value: str | None) -> Any:
    try:
        return enum(value) if value else None
    except ValueError:
        return None


def parse_filters(args: Any, officer: Officer) -> tuple[inbox.InboxFilter, str]:
    """InboxFilter and sort from the query string; unknown values are ignored, not errors."""
    states = frozenset(
        s for s in (_enum_arg(CaseState, v) for v in args.getlist("estado")) if s is not None
    )
    scope = args.get("asignacion", "")
    flt = inbox.InboxFilter(
        states=states,
        modality=_enum_arg(Modality, args.get("modalidad")),
        motive=_enum_arg(Motive, args.get("motivo")),
        assigned_officer_id=officer.id if scope == "mias" else None,
        unassigned=scope == "sin",
        overdue=args.get("vencidas") == "1",
        code=args.get("codigo", "")[:40],
    )
    sort = "deadline" if args.get("orden") == "plazo" else "filed"
    return flt, sort


def make_blueprint() -> Blueprint:
    bp = Blueprint("inbox", __name__)
    bp.context_processor(label_context)

    @bp.get("/bandeja")
    @require_role(*CASE_ROLES)
    def index() -> Any:
        officer = current_officer()
        db = web.db()
        today = local_day(utcnow())
        flt, sort = parse_filters(request.args, officer)
        error = None
        cursor = request.args.get("cursor") or None
        try:
            page = inbox.list_cases(
                db,
                entity_id=officer.entity_id,
                today=today,
                calendar=calendar_for(db, officer.entity),
                filters=flt,
                sort=sort,  # type: ignore[arg-type]
                cursor=cursor,
                limit=PAGE_SIZE,
                viewer=officer.role,
            )
        except inbox.InvalidCursor:
            error = _l("El enlace de la página no es válido; se muestra la primera página.")
            page = inbox.list_cases(
                db,
                entity_id=officer.entity_id,
                today=today,
                calendar=calendar_for(db, officer.entity),
                filters=flt,
                sort=sort,  # type: ignore[arg-type]
                limit=PAGE_SIZE,
                viewer=officer.role,
            )
        args = request.args.to_dict(flat=False)
        args.pop("cursor", None)
        return render_template(
            "inbox/index.html",
            page=page,
            action=inbox.action_today(
                db, entity_id=officer.entity_id, today=today, viewer=officer.role
            ),
            flt=flt,
            sort=sort,
            args=args,
            scope=request.args.get("asignacion", ""),
            first_page=cursor is None,
            error=error,
            today=today,
            states=list(CaseState),
            modalities=list(Modality),
            motives=list(Motive),
        )

    @bp.get("/vencimientos")
    @require_role(*CASE_ROLES)
    def deadlines() -> Any:
        officer = current_officer()
        db = web.db()
        today = local_day(utcnow())
        # The whole office by default: new complaints arrive unassigned, and their clocks
        # (2 business days to verify) run from the filing day (issue 12).
        scope = "mios" if request.args.get("alcance") == "mios" else "oficina"
        try:
            horizon = max(0, min(int(request.args.get("horizonte", "5")), 60))
        except ValueError:
            horizon = 5
        error = None
        kwargs: dict[str, Any] = {
            "entity_id": officer.entity_id,
            "today": today,
            "calendar": calendar_for(db, officer.entity),
            "horizon_days": horizon,
            "officer_id": officer.id if scope == "mios" else None,
            "limit": PAGE_SIZE,
            "viewer": officer.role,
        }
        try:
            page = due_clocks.due_deadlines(db, cursor=request.args.get("cursor") or None, **kwargs)
        except inbox.InvalidCursor:
            error = _l("El enlace de la página no es válido; se muestra la primera página.")
            page = due_clocks.due_deadlines(db, **kwargs)
        return render_template(
            "inbox/deadlines.html",
            page=page,
            scope=scope,
            horizon=horizon,
            today=today,
            error=error,
        )

    return bp
