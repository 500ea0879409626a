"""The platform operator's page (issue 13): the install's entities, with counts only, and
disabling or enabling one. Role.PLATFORM only; it shows no case, file or identity and
needs no key (core/access/platform.py). Creating an entity prints its recovery identities,
so it is done at the server's console: `integra entity add`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import abort
from flask import render_template
from flask_babel import gettext

from casework.auth import current_officer
from casework.auth import require_role
from core import web
from core.law.enums import Role
from core.services import entities_admin
from core.storage.models import Entity


def make_blueprint() -> Blueprint:
    bp = Blueprint("platform", __name__)

    def _page(message: str | None = None) -> str:
        return render_template(
            "platform/entities.html",
            rows=entities_admin.list_entities(web.db()),
            message=message,
        )

    @bp.get("/plataforma/entidades")
    @require_role(Role.PLATFORM)
    def index() -> Any:
        return _page()

    def _set(entity_id: int, *, active: bool) -> Any:
        db = web.db()
        entity = db.get(Entity, entity_id)
        if entity is None:
            abort(404)
        entities_admin.set_active(db, entity, active=active, actor=current_officer())
        db.commit()
        if active:
            return _page(gettext("%(name)s vuelve a recibir denuncias.", name=entity.name))
        return _page(
            gettext(
                "%(name)s ya no recibe denuncias nuevas. Sus casos, cuentas y llaves siguen "
                "como estaban.",
                name=entity.name,
            )
        )

    @bp.post("/plataforma/entidades/<int:entity_id>/desactivar")
    @require_role(Role.PLATFORM)
    def disable(entity_id: int) -> Any:
        return _set(entity_id, active=False)

    @bp.post("/plataforma/entidades/<int:entity_id>/activar")
    @require_role(Role.PLATFORM)
    def enable(entity_id: int) -> Any:
        return _set(entity_id, active=True)

    return bp
