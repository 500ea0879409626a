"""Casework administration: accounts, entity non-working days, and key grants.

The admin role manages accounts and entity settings but holds no key and reaches no
case route (invariant 6). Key grants are made by officers who hold the identity
(see core.access.accounts for the grant-code design).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import abort
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext
from sqlalchemy import select

from casework import forms
from casework.auth import add_unlocked_identities
from casework.auth import current_officer
from casework.auth import require_role
from casework.auth import unlocked_identity
from core import web
from core.access import account_admin
from core.access import accounts
from core.access import grants
from core.access import officers
from core.access import platform
from core.errors import DomainError
from core.errors import NotFound
from core.law.enums import Role
from core.services import calendar_admin
from core.storage.db import utcnow
from core.storage.models import NonWorkingDay
from core.storage.models import Officer


def _colleague(officer_id: int) -> Officer:
    """An account of the current officer's entity, or 404."""
    me = current_officer()
    other = web.db().get(Officer, officer_id)
    if other is None or other.entity_id != me.entity_id:
        abort(404)
    return other


def _accounts_page(**extra: Any) -> str:
    me = current_officer()
    db = web.db()
    rows = db.scalars(
        select(Officer).where(Officer.entity_id == me.entity_id).order_by(Officer.username)
    ).all()
    keys = {o.id: grants.held_purposes(db, o) for o in rows}
    return render_template("admin/index.html", accounts=rows, keys=keys, roles=list(Role), **extra)


def make_blueprint() -> Blueprint:
    bp = Blueprint("admin", __name__)

    @bp.get("/admin")
    @require_role(Role.ADMIN)
    def index() -> Any:
        return _accounts_page()

    @bp.route("/admin/cuentas/nueva", methods=["GET", "POST"])
    @require_role(Role.ADMIN)
    def create() -> Any:
        me = current_officer()
        error = None
        form = {"username": "", "display_name": "", "role": Role.OFFICER.value}
        if request.method == "POST":
            form = forms.NewAccountForm().data
            username = form["username"].lower()
            if (
                not username
                or len(username) > 64
                or not username.isascii()  # no look-alike letters (Cyrillic "а" for "a")
                or not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
            ):
                error = gettext(
                    "El usuario debe tener de 1 a 64 letras, números, puntos o guiones."
                )
            elif form["role"] not in {r.value for r in platform.ENTITY_ROLES}:
                error = gettext("Elija un rol.")
            else:
                db = web.db()
                try:
                    new = officers.add_officer(
                        db,
                        entity=me.entity,
                        username=username,
                        role=Role(form["role"]),
                        kdf=web.settings().kdf,
                        server_key=web.settings().secret_bytes("server_key"),
                        display_name=form["display_name"][:200],
                        actor_officer_id=me.id,
                    )
                except officers.OfficerExists:
                    db.rollback()
                    error = gettext("Ya existe una cuenta con ese usuario.")
                else:
                    db.commit()
                    return render_template(
                        "admin/created.html",
                        account=new.officer,
                        one_time_password=new.password,
                        needs_key=new.officer.role in (Role.OFFICER, Role.HEAD, Role.TITULAR),
                    )
        return (
            render_template(
                "admin/create.html", error=error, form=form, roles=list(platform.ENTITY_ROLES)
            ),
            400 if error else 200,
        )

    @bp.post("/admin/cuentas/<int:officer_id>/desactivar")
    @require_role(Role.ADMIN)
    def deactivate(officer_id: int) -> Any:
        return _set_active(officer_id, active=False)

    @bp.post("/admin/cuentas/<int:officer_id>/activar")
    @require_role(Role.ADMIN)
    def activate(officer_id: int) -> Any:
        return _set_active(officer_id, active=True)

    def _set_active(officer_id: int, *, active: bool) -> Any:
        me = current_officer()
        other = _colleague(officer_id)
        if other.id == me.id:
            return _accounts_page(error=gettext("No puede desactivar su propia cuenta.")), 400
        db = web.db()
        revoked = account_admin.set_active(db, officer=other, active=active, actor=me)
        db.commit()
        if revoked is None:
            return redirect(url_for("admin.index"))
        return _accounts_page(
            message=gettext(
                "Se desactivó la cuenta %(user)s: se borraron sus %(keys)d copias de llaves "
                "y %(grants)d concesiones pendientes que había generado, y se cerraron sus "
                "sesiones.",
                user=other.username,
                keys=revoked.keys_deleted,
                grants=revoked.grants_deleted,
            ),
            warning=gettext(
                "Las copias de seguridad anteriores de la base de datos todavía contienen "
                "sus copias de llaves: con una de ellas y su contraseña podría abrir los "
                "casos. Para revocarlas de verdad, rote la llave de la oficina (y la de la "
                "bóveda si la tenía) con «integra keys rotate»."
            ),
        )

    @bp.post("/admin/cuentas/<int:officer_id>/restablecer-contrasena")
    @require_role(Role.ADMIN)
    def reset_password(officer_id: int) -> Any:
        me = current_officer()
        other = _colleague(officer_id)
        db = web.db()
        password, dropped = account_admin.reset_password(
            db, web.settings(), officer=other, actor=me
        )
        db.commit()
        return render_template(
            "admin/reset.html", account=other, one_time_password=password, keys_dropped=dropped
        )

    @bp.post("/admin/cuentas/<int:officer_id>/restablecer-totp")
    @require_role(Role.ADMIN)
    def reset_totp(officer_id: int) -> Any:
        me = current_officer()
        other = _colleague(officer_id)
        db = web.db()
        account_admin.reset_totp(db, web.settings(), officer=other, actor=me)
        db.commit()
        return _accounts_page(
            message=gettext(
                "Se restableció la verificación en dos pasos de %(user)s: la configurará "
                "de nuevo al ingresar. Sus sesiones se cerraron.",
                user=other.username,
            )
        )

    @bp.route("/admin/dias-no-laborables", methods=["GET", "POST"])
    @require_role(Role.ADMIN)
    def non_working_days() -> Any:
        me = current_officer()
        db = web.db()
        error = None
        if request.method == "POST":
            posted = forms.NonWorkingDayForm()
            day = posted.day.data
            if day is None:
                error = gettext("Indique una fecha válida (AAAA-MM-DD).")
            else:
                reason = posted.reason.data
                try:
                    calendar_admin.add_entity_day(
                        db, me.entity, day, reason=reason, officer=me, now=utcnow()
                    )
                except calendar_admin.DayAlreadyNonWorking:
                    error = gettext("Esa fecha ya está registrada.")
                else:
                    db.commit()
                    return redirect(url_for("admin.non_working_days"))
        days = db.scalars(
            select(NonWorkingDay)
            .where(NonWorkingDay.entity_id == me.entity_id)
            .order_by(NonWorkingDay.day)
        ).all()
        national = calendar_admin.list_national_days(db)
        return (
            render_template(
                "admin/non_working_days.html", days=days, national=national, error=error
            ),
            400 if error else 200,
        )

    @bp.post("/admin/dias-no-laborables/<int:day_id>/eliminar")
    @require_role(Role.ADMIN)
    def delete_non_working_day(day_id: int) -> Any:
        me = current_officer()
        db = web.db()
        try:
            calendar_admin.remove_entity_day(db, me.entity, day_id, officer=me, now=utcnow())
        except NotFound:
            abort(404)
        db.commit()
        return redirect(url_for("admin.non_working_days"))

    # --- key grants (officers and heads who hold the identity) ---------------------------

    @bp.route("/llaves", methods=["GET", "POST"])
    @require_role(Role.OFFICER, Role.HEAD, Role.TITULAR)
    def keys() -> Any:
        me = current_officer()
        db = web.db()
        error = None
        granted: dict[str, Any] | None = None
        if request.method == "POST":
            grant = forms.KeyGrantForm()
            purpose = grant.purpose.data
            identity = unlocked_identity(purpose) if purpose in accounts.KEY_ROLES else None
            try:
                grantee_id = web.db_id(grant.officer_id.data)
            except ValueError:
                grantee_id = 0
            grantee = db.get(Officer, grantee_id) if grantee_id else None
            if identity is None:
                error = gettext("Su sesión no tiene esa llave desbloqueada: no puede concederla.")
            elif grantee is None or grantee.entity_id != me.entity_id:
                error = gettext("Elija a quién conceder la llave.")
            else:
                try:
                    code = grants.create_grant(
                        db,
                        web.settings(),
                        granter=me,
                        grantee=grantee,
                        purpose=purpose,
                        identity=identity,
                    )
                except accounts.GrantRefused as exc:
                    db.rollback()
                    error = _grant_error(str(exc))
                else:
                    db.commit()
                    granted = {"grantee": grantee, "purpose": purpose, "code": code}
        colleagues = db.scalars(
            select(Officer)
            .where(
                Officer.entity_id == me.entity_id,
                Officer.id != me.id,
                Officer.active.is_(True),
                Officer.role.in_((Role.OFFICER, Role.HEAD, Role.TITULAR)),
            )
            .order_by(Officer.username)
        ).all()
        return (
            render_template(
                "admin/keys.html",
                colleagues=colleagues,
                keys={o.id: grants.held_purposes(db, o) for o in colleagues},
                pending={o.id: grants.pending_grants(db, o) for o in colleagues},
                can_grant=[p for p in accounts.KEY_ROLES if unlocked_identity(p) is not None],
                my_pending=grants.pending_grants(db, me),
                granted=granted,
                error=error,
            ),
            400 if error else 200,
        )

    @bp.route("/llaves/recibir", methods=["GET", "POST"])
    @require_role(Role.OFFICER, Role.HEAD, Role.TITULAR)
    def redeem() -> Any:
        me = current_officer()
        db = web.db()
        error = None
        if request.method == "POST":
            posted = forms.RedeemForm()
            try:
                opened = grants.redeem_grants(
                    db,
                    web.settings(),
                    officer=me,
                    code=posted.code.data,
                    password=posted.password.data,
                )
            except DomainError as exc:
                db.commit()  # keep the audit entry of the failed attempt
                error = _grant_error(str(exc))
            else:
                add_unlocked_identities(opened)
                db.commit()
                return redirect(url_for("auth.account"))
        return (
            render_template(
                "admin/redeem.html", pending=grants.pending_grants(db, me), error=error
            ),
            400 if error else 200,
        )

    return bp


def _grant_error(code: str) -> str:
    messages: dict[str, str] = {
        "role": gettext("Ese rol no puede recibir esta llave."),
        "grantee": gettext("La cuenta elegida no está activa o no es de su entidad."),
        "self": gettext("No puede concederse una llave a sí mismo."),
        "wrong_identity": gettext("La llave desbloqueada no corresponde a su entidad."),
        "wrong_password": gettext("La contraseña no es correcta."),
        "wrong_code": gettext("El código de concesión no es válido."),
        "locked": gettext("Demasiados intentos fallidos: la cuenta está bloqueada temporalmente."),
    }
    return messages.get(code) or str(gettext("No se pudo conceder la llave."))
