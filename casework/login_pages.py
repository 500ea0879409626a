"""Casework: the login pages (password, then TOTP, or enrolment), the account page, the
password change, and logging out here or everywhere (blueprint `auth`).

The session, role and key contract these pages open and close lives in casework/auth.py.
"""

from __future__ import annotations

from typing import Any
from typing import cast

from flask import Blueprint
from flask import Flask
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session as flask_session
from flask import url_for
from flask_babel import gettext
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers.response import Response as WerkzeugResponse

from casework import forms
from casework.auth import NEXT
from casework.auth import PENDING
from casework.auth import SID
from casework.auth import _context
from casework.auth import _held_identities
from casework.auth import _idle
from casework.auth import _load_full_session
from casework.auth import _now
from casework.auth import _pending
from casework.auth import _safe_next
from casework.auth import current_officer
from casework.auth import home_url
from casework.auth import qr_svg
from casework.auth import require_role
from core import web
from core.access import accounts
from core.access import grants
from core.access import keysessions
from core.access import officers


def _finish_login(pending: keysessions.LoadedSession) -> WerkzeugResponse:
    """Both factors passed: swap the pending row for a full session (new token)."""
    db = web.db()
    token = cast(str, flask_session[PENDING])
    held = keysessions.identities(token, pending.row)
    keysessions.end_session(db, token, pending=True)
    officer = pending.officer
    opened = keysessions.open_session(db, officer=officer, identities=held, now=_now())
    accounts.complete_login(db, web.settings(), officer=officer, purposes=list(held), now=_now())
    # Housekeeping: rows of sessions abandoned without logout (their keys die with them).
    keysessions.purge_expired(db, now=_now(), idle=_idle())
    db.commit()
    target = _safe_next(flask_session.get(NEXT))
    flask_session.clear()
    flask_session.permanent = True
    flask_session[SID] = opened.token
    if officer.must_change_password:
        return redirect(url_for("auth.password"))
    return redirect(target or home_url(officer))


def _step_up_message() -> str:
    return str(
        gettext(
            "Hubo varios intentos fallidos con este usuario. Por seguridad, escriba su "
            "contraseña y también el código de su aplicación de autenticación."
        )
    )


def make_blueprint() -> Blueprint:
    bp = Blueprint("auth", __name__)

    @bp.record_once
    def _setup(state: Any) -> None:
        app: Flask = state.app
        app.context_processor(_context)

        def unauthorized(exc: HTTPException) -> tuple[str, int]:
            return (
                render_template(
                    "error.html",
                    code=401,
                    error=gettext("Debe iniciar sesión para continuar."),
                ),
                401,
            )

        app.register_error_handler(401, unauthorized)

    @bp.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        error = None
        status = 200
        notice = None
        step_up = False
        if request.args.get("expired"):
            notice = gettext("Su sesión se cerró por inactividad. Ingrese de nuevo.")
        if request.method == "GET" and _load_full_session() is not None:
            return redirect(home_url(current_officer()))
        if request.method == "POST":
            db = web.db()
            posted = forms.LoginForm()
            username = posted.username.data
            password = posted.password.data
            code = posted.code.data or None
            result = accounts.check_password(
                db, web.settings(), username=username, password=password, code=code, now=_now()
            )
            step_up = result.step_up
            stale = flask_session.get(PENDING)
            if isinstance(stale, str):
                keysessions.end_session(db, stale, pending=True)
            if result.outcome is accounts.Outcome.OK and result.officer is not None:
                officer = result.officer
                # The cookie is about to be replaced: a session it held ends now, rather
                # than living on (with its sealed keys) for whoever copied that cookie.
                previous = flask_session.get(SID)
                if isinstance(previous, str):
                    keysessions.end_session(db, previous)
                held = accounts.unlock_identities(db, officer=officer, password=password)
                opened = keysessions.open_session(
                    db, officer=officer, identities=held, now=_now(), pending=True
                )
                db.commit()
                target = _safe_next(request.args.get("next"))
                flask_session.clear()
                flask_session[PENDING] = opened.token
                if target:
                    flask_session[NEXT] = target
                if result.with_code:
                    pending = _pending()
                    if pending is not None:
                        return _finish_login(pending)
                    return redirect(url_for("auth.login"))
                if not officer.totp_confirmed:
                    return redirect(url_for("auth.login_enrol"))
                return redirect(url_for("auth.login_totp"))
            db.commit()
            if result.outcome is accounts.Outcome.NEEDS_CODE:
                error, status = _step_up_message(), 401
            else:
                error, status = gettext("Usuario o contraseña incorrectos."), 401
                if step_up:
                    error = gettext("Usuario, contraseña o código incorrectos.")
        return (
            render_template(
                "login.html",
                error=error,
                notice=notice,
                step_up=step_up,
                username=request.form.get("username", "")[:64] if step_up else "",
            ),
            status,
        )

    def _second_factor(enrol: bool) -> Any:
        pending = _pending()
        if pending is None:
            return redirect(url_for("auth.login"))
        officer = pending.officer
        if enrol and officer.totp_confirmed:
            return redirect(url_for("auth.login_totp"))
        if not enrol and not officer.totp_confirmed:
            return redirect(url_for("auth.login_enrol"))
        error = None
        status = 200
        if request.method == "POST":
            db = web.db()
            result = accounts.check_totp(
                db, web.settings(), officer=officer, code=forms.CodeForm().code.data, now=_now()
            )
            if result.outcome is accounts.Outcome.OK:
                if enrol:
                    accounts.confirm_totp_enrolment(db, officer=officer)
                return _finish_login(pending)
            if result.outcome is accounts.Outcome.LOCKED:
                keysessions.end_session(db, cast(str, flask_session[PENDING]), pending=True)
                db.commit()
                flask_session.clear()
                return (
                    render_template(
                        "login.html", error=_step_up_message(), step_up=True, username=""
                    ),
                    401,
                )
            db.commit()
            error = gettext("El código no es válido o ya fue usado. Espere el siguiente.")
            status = 401
        context: dict[str, Any] = {"error": error}
        if enrol:
            secret = officers.officer_totp_secret(
                web.settings().secret_bytes("server_key"), officer
            )
            uri = officers.provisioning_uri(secret or "", officer.username, officer.entity.name)
            context.update(qr=qr_svg(uri), totp_uri=uri, totp_secret=secret)
            return render_template("auth/enrol.html", **context), status
        return render_template("auth/totp.html", **context), status

    @bp.route("/login/totp", methods=["GET", "POST"])
    def login_totp() -> Any:
        return _second_factor(enrol=False)

    @bp.route("/login/enrolar", methods=["GET", "POST"])
    def login_enrol() -> Any:
        return _second_factor(enrol=True)

    @bp.get("/")
    @require_role()
    def home() -> Any:
        return redirect(home_url(current_officer()))

    @bp.get("/cuenta")
    @require_role()
    def account() -> Any:
        officer = current_officer()
        db = web.db()
        return render_template(
            "auth/account.html",
            held=sorted(_held_identities()),
            stored=grants.held_purposes(db, officer),
            pending_grants=grants.pending_grants(db, officer),
            sessions=keysessions.count_sessions(db, officer),
            may_hold=[p for p, roles in accounts.KEY_ROLES.items() if officer.role in roles],
        )

    @bp.route("/cuenta/contrasena", methods=["GET", "POST"])
    @require_role()
    def password() -> Any:
        officer = current_officer()
        error = None
        status = 200
        if request.method == "POST":
            posted = forms.PasswordChangeForm()
            new = posted.new_password.data
            if new != posted.confirm_password.data:
                error, status = gettext("Las contraseñas nuevas no coinciden."), 400
            else:
                db = web.db()
                try:
                    accounts.change_password(
                        db,
                        web.settings(),
                        officer=officer,
                        old_password=posted.current_password.data,
                        new_password=new,
                    )
                except accounts.PasswordRefused as exc:
                    if str(exc) == "wrong_current":
                        db.commit()  # keep the counted failure and its audit entry
                    else:
                        db.rollback()
                    error, status = _password_error(str(exc)), 400
                else:
                    # Whoever knew the old password may hold a session: end every session
                    # of the account and give this one a fresh token (no fixation).
                    held = dict(_held_identities())
                    keysessions.end_all_sessions(db, officer)
                    opened = keysessions.open_session(
                        db, officer=officer, identities=held, now=_now()
                    )
                    db.commit()
                    flask_session.clear()
                    flask_session.permanent = True
                    flask_session[SID] = opened.token
                    g.pop("integra_identities", None)
                    return redirect(home_url(officer))
        return (
            render_template(
                "auth/password.html",
                error=error,
                forced=officer.must_change_password,
                min_length=accounts.MIN_PASSWORD_LENGTH,
            ),
            status,
        )

    @bp.post("/logout")
    @require_role()
    def logout() -> Any:
        officer = current_officer()
        db = web.db()
        accounts.log_out(db, officer=officer, token=cast(str, g.integra_token))
        db.commit()
        flask_session.clear()
        return redirect(url_for("auth.login"))

    @bp.post("/cuenta/cerrar-sesiones")
    @require_role()
    def logout_everywhere() -> Any:
        officer = current_officer()
        db = web.db()
        accounts.log_out_everywhere(db, officer=officer, actor_id=officer.id)
        db.commit()
        flask_session.clear()
        return redirect(url_for("auth.login"))

    return bp


def _password_error(code: str) -> str:
    messages: dict[str, str] = {
        "wrong_current": gettext("La contraseña actual no es correcta."),
        "too_short": gettext(
            "La contraseña nueva debe tener al menos %(n)s caracteres.",
            n=accounts.MIN_PASSWORD_LENGTH,
        ),
        "same_as_username": gettext("La contraseña no puede ser igual al usuario."),
        "same_as_old": gettext("La contraseña nueva debe ser distinta de la actual."),
        "locked": gettext("Demasiados intentos fallidos: la cuenta está bloqueada temporalmente."),
    }
    return messages.get(code) or str(gettext("La contraseña no es válida."))
