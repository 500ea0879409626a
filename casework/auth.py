"""Casework authentication: login (password, then TOTP), enrolment, sessions, roles.

The contract other casework modules rely on:

- `require_role(*roles)`: decorator for every casework view (invariant 6). Not logged in
  (or the session is idle, expired, or ended everywhere) -> redirect to /login for GET,
  401 otherwise; password change pending -> redirect to that step; wrong role -> 403.
  With no roles, any logged-in officer passes.
- `current_officer()`: the logged-in Officer, loaded from the database for this request.
- `unlocked_identity(purpose)`: the office or vault identity unwrapped at login, held
  server-side sealed under a token only the session cookie carries (core.access.keysessions).

The Flask session cookie is signed (not secret): it carries only the session token and
the CSRF secret; the row id is SHA-256(token), so the database does not yield the token.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import urllib.parse
from collections.abc import Callable
from typing import Any
from typing import TypeVar
from typing import cast

import segno
from flask import Blueprint
from flask import Flask
from flask import abort
from flask import current_app
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session as flask_session
from flask import url_for
from flask_babel import gettext
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import Unauthorized
from werkzeug.wrappers.response import Response as WerkzeugResponse

import crypto
from core import web
from core.access import accounts
from core.access import grants
from core.access import keysessions
from core.access import officers
from core.law.enums import Role
from core.storage import audit
from core.storage.db import utcnow
from core.storage.models import Officer

F = TypeVar("F", bound=Callable[..., Any])

# Cookie keys (inside Flask's signed session cookie).
SID = "sid"
PENDING = "pending"
NEXT = "next"

# Endpoints reachable without a full login (the login steps themselves).
PUBLIC_ENDPOINTS = frozenset(
    {"auth.login", "auth.login_totp", "auth.login_enrol", "static", "health"}
)
# Reachable with a full login even while the password change is pending.
PASSWORD_STEP_ENDPOINTS = frozenset({"auth.password", "auth.logout"})


def N_(message: str) -> str:  # noqa: N802 - the conventional name for "mark for extraction"
    """Mark a message for extraction; it is translated where it is shown."""
    return message


# Candidate endpoints of each navigation entry (the first one registered is used), and the
# roles that see it. Endpoints of other modules are looked up, not imported.
NAV: tuple[tuple[str, tuple[str, ...], tuple[Role, ...]], ...] = (
    (
        N_("Bandeja"),
        ("inbox.index", "inbox.inbox", "cases.index"),
        (Role.OFFICER, Role.HEAD, Role.TITULAR),
    ),
    (
        N_("Vencimientos"),
        ("inbox.deadlines", "inbox.due", "cases.deadlines"),
        (Role.OFFICER, Role.HEAD, Role.TITULAR),
    ),
    (
        N_("Registrar denuncia recibida"),
        ("channels.register_form",),
        (Role.OFFICER, Role.HEAD, Role.TITULAR),
    ),
    (N_("Estadísticas"), ("stats.index",), (Role.HEAD, Role.AUDITOR)),
    (N_("Auditoría"), ("audit_views.index",), (Role.AUDITOR,)),
    (N_("Administración"), ("admin.index",), (Role.ADMIN,)),
    (N_("Entidades"), ("platform.index",), (Role.PLATFORM,)),
    (N_("Llaves"), ("admin.keys",), (Role.OFFICER, Role.HEAD, Role.TITULAR)),
)


def _now() -> dt.datetime:
    return utcnow()


def _idle() -> dt.timedelta:
    return dt.timedelta(minutes=web.settings().officer_idle_minutes)


def _safe_next(target: str | None) -> str | None:
    """Only same-site absolute paths (no scheme, no //host, no backslashes).

    Whitespace and control characters are refused too: browsers drop tabs and newlines
    from URLs, so "/\t/evil.example" would become "//evil.example" (another host).
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urllib.parse.urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _load_full_session() -> keysessions.LoadedSession | None:
    """The request's live session (cached on g); ends and records dead ones."""
    if "integra_loaded" in g:
        return cast(keysessions.LoadedSession | None, g.integra_loaded)
    loaded: keysessions.LoadedSession | None = None
    token = flask_session.get(SID)
    if isinstance(token, str):
        db = web.db()
        found = keysessions.load_session(db, token, now=_now(), idle=_idle())
        if isinstance(found, keysessions.EndedSession):
            audit.record(
                db,
                action="session.ended",
                officer_id=found.officer_id,
                entity_id=found.entity_id,
                detail={"reason": found.reason},
            )
            db.commit()
            flask_session.pop(SID, None)
            g.integra_session_ended = found.reason
        elif found is not None:
            if not found.officer.totp_confirmed:
                # TOTP was reset by an admin: the session no longer has two factors.
                keysessions.end_session(db, token)
                flask_session.pop(SID, None)
            else:
                loaded = found
                g.integra_token = token
            db.commit()
        else:
            flask_session.pop(SID, None)
    g.integra_loaded = loaded
    return loaded


def _deny_anonymous() -> WerkzeugResponse:
    if request.method in ("GET", "HEAD"):
        pending = _pending()
        if pending is not None:
            # Password given, second factor (or its enrolment) still to do: go there.
            step = "auth.login_totp" if pending.officer.totp_confirmed else "auth.login_enrol"
            return redirect(url_for(step))
        path = request.full_path.rstrip("?") if request.query_string else request.path
        ended = g.get("integra_session_ended")
        args: dict[str, str] = {"next": path}
        if ended == "idle":
            args["expired"] = "1"
        return redirect(url_for("auth.login", **args))  # type: ignore[arg-type]
    raise Unauthorized()


def require_role(*roles: Role) -> Callable[[F], F]:
    """Protect a view: a full login (both factors), and one of `roles` (any role if none)."""
    allowed = frozenset(roles)

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            loaded = _load_full_session()
            if loaded is None:
                return _deny_anonymous()
            officer = loaded.officer
            if officer.must_change_password and request.endpoint not in PASSWORD_STEP_ENDPOINTS:
                if request.method in ("GET", "HEAD"):
                    return redirect(url_for("auth.password"))
                abort(403)
            if allowed and officer.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.integra_roles = allowed  # type: ignore[attr-defined]
        return cast(F, wrapped)

    return decorator


def current_officer() -> Officer:
    """The logged-in officer (call only from views protected by require_role)."""
    loaded = _load_full_session()
    if loaded is None:
        abort(401)
    return loaded.officer


def current_officer_or_none() -> Officer | None:
    loaded = _load_full_session()
    return None if loaded is None else loaded.officer


def _held_identities() -> dict[str, crypto.Identity]:
    if "integra_identities" not in g:
        loaded = _load_full_session()
        token = g.get("integra_token")
        held: dict[str, crypto.Identity] = {}
        if loaded is not None and isinstance(token, str):
            try:
                held = keysessions.identities(token, loaded.row)
            except keysessions.SessionKeyError:
                held = {}
        g.integra_identities = held
    return cast(dict[str, crypto.Identity], g.integra_identities)


def unlocked_identity(purpose: str) -> crypto.Identity | None:
    """The office ("office") or vault ("vault") identity unlocked at login, or None.

    None when the officer holds no copy (never granted), or their role may not hold it.
    """
    loaded = _load_full_session()
    if loaded is None or purpose not in accounts.KEY_ROLES:
        return None
    if loaded.officer.role not in accounts.KEY_ROLES[purpose]:
        return None
    return _held_identities().get(purpose)


def add_unlocked_identities(extra: dict[str, crypto.Identity]) -> None:
    """Put newly redeemed identities into the current session (sealed under its token)."""
    loaded = _load_full_session()
    token = g.get("integra_token")
    if loaded is None or not isinstance(token, str):
        return
    keysessions.add_identities(token, loaded.row, extra)
    g.pop("integra_identities", None)


def home_url(officer: Officer) -> str:
    """Where an officer lands after login, by role."""
    candidates: dict[Role, tuple[str, ...]] = {
        Role.OFFICER: ("inbox.index", "inbox.inbox", "cases.index"),
        Role.HEAD: ("inbox.index", "inbox.inbox", "cases.index"),
        Role.TITULAR: ("inbox.index", "inbox.inbox", "cases.index"),
        Role.AUDITOR: ("audit_views.index", "stats.index"),
        Role.ADMIN: ("admin.index",),
        Role.PLATFORM: ("platform.index",),
    }
    for endpoint in candidates[officer.role]:
        if endpoint in current_app.view_functions:
            url = url_for(endpoint)
            if url != "/":
                return url
    return url_for("auth.account")


def _nav_items(officer: Officer) -> list[dict[str, str]]:
    items = []
    for label, endpoints, roles in NAV:
        if officer.role not in roles:
            continue
        for endpoint in endpoints:
            if endpoint in current_app.view_functions:
                items.append(
                    {
                        "label": gettext(label),
                        "url": url_for(endpoint),
                        "endpoint": endpoint,
                        "blueprint": endpoint.partition(".")[0],
                    }
                )
                break
    return items


def _context() -> dict[str, Any]:
    officer = None
    if request.endpoint not in ("static", "health"):
        officer = g.get("integra_loaded")
    return {
        # Named so that views passing their own `officer` (e.g. an assignee) do not clash.
        "current_account": officer.officer if officer is not None else None,
        "missing_office_key": officer is not None
        and officer.officer.role in accounts.KEY_ROLES["office"]
        and unlocked_identity("office") is None,
        "nav_items": _nav_items(officer.officer) if officer is not None else [],
        "role_labels": role_labels(),
    }


def role_labels() -> dict[str, str]:
    return {
        Role.OFFICER.value: gettext("Oficial de la OII"),
        Role.HEAD.value: gettext("Responsable de la OII"),
        Role.TITULAR.value: gettext("Titular de la entidad (RG 4.9)"),
        Role.AUDITOR.value: gettext("Auditor"),
        Role.ADMIN.value: gettext("Administrador"),
        Role.PLATFORM.value: gettext("Operador de la plataforma"),
    }


def qr_svg(data: str) -> Markup:
    """An inline SVG QR code (no style attributes: allowed by the CSP, no JavaScript)."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        scale=5,
        border=4,
        light="#fff",
        dark="#000",
        svgclass="qr",
        lineclass=None,
        title=gettext("Código QR para la aplicación de autenticación"),
    )
    return Markup(buffer.getvalue().decode("utf-8"))  # noqa: S704 - segno output, no user HTML


# --- pending login (between the password and the second factor) -----------------------


def _pending() -> keysessions.LoadedSession | None:
    token = flask_session.get(PENDING)
    if not isinstance(token, str):
        return None
    db = web.db()
    found = keysessions.load_session(db, token, now=_now(), idle=_idle(), pending=True)
    if not isinstance(found, keysessions.LoadedSession):
        db.commit()
        flask_session.pop(PENDING, None)
        return None
    return found


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
            username = request.form.get("username", "").strip()[:64]
            password = request.form.get("password", "")
            code = request.form.get("code", "")[:16] or None
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
                db, web.settings(), officer=officer, code=request.form.get("code", ""), now=_now()
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
            new = request.form.get("new_password", "")
            if new != request.form.get("confirm_password", ""):
                error, status = gettext("Las contraseñas nuevas no coinciden."), 400
            else:
                db = web.db()
                try:
                    accounts.change_password(
                        db,
                        web.settings(),
                        officer=officer,
                        old_password=request.form.get("current_password", ""),
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
