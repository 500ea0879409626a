"""Helpers both intake page modules share: limits, language, CSRF, ids, upload messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import g
from flask import request
from flask import session
from flask_babel import gettext as _
from sqlalchemy import select

from core import web
from core.files import policy
from core.storage.db import utcnow
from core.storage.models import Entity


def csrf_failed(form: Any) -> bool:
    # CSRFProtect already refuses a bad token app-wide; this covers a form checked alone.
    token = getattr(form, "csrf_token", None)
    return bool(token is not None and token.errors)


def ids(values: list[str]) -> set[int]:
    """Blob ids posted by a form: ASCII digits only ("²".isdigit() is True, int() refuses it)."""
    return {int(v) for v in values if 0 < len(v) <= 18 and v.isascii() and v.isdigit()}


def entities() -> list[Entity]:
    """Entities that receive complaints (a disabled one is never offered); read once per
    request."""
    if "active_entities" not in g:
        query = select(Entity).where(Entity.active.is_(True)).order_by(Entity.name)
        g.active_entities = list(web.db().scalars(query).all())
    found: list[Entity] = g.active_entities
    return found


def first_entity() -> Entity | None:
    """One entity that receives complaints, or None when the channel has none yet; read once
    per request (the form, the draft key and the filing all ask)."""
    if "first_entity" not in g:
        query = select(Entity).where(Entity.active.is_(True)).order_by(Entity.id).limit(1)
        g.first_entity = web.db().scalar(query)
    found: Entity | None = g.first_entity
    return found


def now() -> dt.datetime:
    return utcnow()


def limits() -> dict[str, Any]:
    st = web.settings()
    return {
        "max_files": st.max_attachments,
        "max_mib": st.max_upload_mib,
        "extensions": ", ".join(sorted(policy.ALLOWED_EXTENSIONS)),
    }


def remember_language() -> None:
    lang = request.args.get("lang")
    if lang in web.LANGUAGES:
        session["lang"] = lang


def screen_upload(name: str, data: bytes, *, count: int, total: int) -> str | None:
    """The person's message when this file cannot join the others, or None."""
    st = web.settings()
    refusal = policy.screen(
        name,
        data,
        count=count,
        total=total,
        max_files=st.max_attachments,
        max_bytes=st.max_upload_mib * 1024 * 1024,
    )
    if refusal is None:
        return None
    message: str
    if refusal is policy.Refusal.TYPE:
        message = _(
            "El archivo «%(name)s» no es de un tipo permitido. Tipos permitidos: %(types)s.",
            name=name,
            types=limits()["extensions"],
        )
    elif refusal is policy.Refusal.EMPTY:
        message = _("El archivo «%(name)s» está vacío.", name=name)
    elif refusal is policy.Refusal.MISMATCH:
        message = _("El contenido del archivo «%(name)s» no corresponde a su extensión.", name=name)
    elif refusal is policy.Refusal.TOO_MANY:
        message = _(
            "Puede adjuntar como máximo %(n)d archivos; «%(name)s» no se añadió.",
            n=st.max_attachments,
            name=name,
        )
    else:
        message = _(
            "Los archivos superan en total %(mib)d MB; «%(name)s» no se añadió.",
            mib=st.max_upload_mib,
            name=name,
        )
    return message
