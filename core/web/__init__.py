"""The one Flask-aware module in core: plumbing shared by both web apps.

Per-request database sessions, security headers, privacy-preserving request
logging, language selection and generic error pages. Each app calls
`init_app(app, settings, ...)` from its own factory; the apps share this and
the database, nothing else.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from flask import Flask
from flask import Response
from flask import abort
from flask import current_app
from flask import g
from flask import has_request_context
from flask import render_template
from flask import request
from flask import session as flask_session
from flask_babel import Babel
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from werkzeug.routing import Map

from config import Settings
from core.services import readiness
from core.storage import migrate
from core.storage.db import make_engine
from core.storage.db import make_sessionmaker

LANGUAGES = ("es", "en")
# Messages of this module (error pages), shared by both apps' catalogs.
CORE_TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
DEFAULT_LANGUAGE = "es"
TOR_BROWSER_LANGUAGES = "en-US,en;q=0.5"

request_log = logging.getLogger("integra.request")


class IntegraFlask(Flask):
    """Flask, except that an unhandled error is logged without its message or traceback.

    Flask's default logs the request path and the full traceback, whose exception
    messages can quote what a person typed or uploaded ("invalid literal for int():
    '…'", a parser's excerpt of a file, SQL parameters). Both apps log only where and
    what kind (docs/threat-model.md, invariant 1 and 3).
    """

    def log_exception(
        self,
        exc_info: tuple[type, BaseException, TracebackType] | tuple[None, None, None],
    ) -> None:
        route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
        kind = exc_info[0].__name__ if exc_info[0] is not None else "unknown"
        self.logger.error("unhandled %s on %s %s", kind, request.method, route)


@dataclass
class AppState:
    """What an app keeps in `app.extensions["integra"]`."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    name: str


def state() -> AppState:
    st: AppState = current_app.extensions["integra"]
    return st


def settings() -> Settings:
    return state().settings


def db() -> Session:
    """The request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = state().sessions()
    session: Session = g.db_session
    return session


def _close_db(exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()


def content_security_policy(*, img_data: bool = False) -> str:
    """CSP: nothing by default, only what the pages need from 'self'."""
    img = "'self' data:" if img_data else "'self'"
    return (
        "default-src 'none'; style-src 'self'; img-src "
        + img
        + "; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )


PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()"
)


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cache-Control"] = "no-store"
    headers["Pragma"] = "no-cache"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if settings().secure_cookies:
        headers["Strict-Transport-Security"] = "max-age=63072000"
    # Flask adds Vary: Cookie; the server banner is left to the front proxy.
    return response


def _log_request(response: Response) -> Response:
    # Method, route pattern, status and timing only: never the client address,
    # the User-Agent, the query string or the form (invariants 1 and 3).
    started = g.get("request_started", None)
    elapsed_ms = (time.perf_counter() - started) * 1000 if started else 0.0
    route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    request_log.info("%s %s %s %.1fms", request.method, route, response.status_code, elapsed_ms)
    return response


def select_locale() -> str:
    """?lang= wins, then the language chosen earlier in this session, then the browser."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    lang = request.args.get("lang", "")
    if lang in LANGUAGES:
        return lang
    # Only read the session if a cookie already exists, so that a visit
    # never creates one (intake: no cookie before the person starts).
    chosen = flask_session.get("lang") if request.cookies else None
    if chosen in LANGUAGES:
        return str(chosen)
    # Tor Browser sends this exact header for everyone, whatever their language, so that it
    # cannot fingerprint them: it is no preference, and a Peruvian on Tor should get Spanish.
    if request.headers.get("Accept-Language", "").replace(" ", "") == TOR_BROWSER_LANGUAGES:
        return DEFAULT_LANGUAGE
    best = request.accept_languages.best_match(LANGUAGES)
    return best or DEFAULT_LANGUAGE


def current_language() -> str:
    return select_locale()


def _error_page(template: str) -> Callable[[Exception], tuple[str, int]]:
    def handler(exc: Exception) -> tuple[str, int]:
        code = exc.code if isinstance(exc, HTTPException) and exc.code else 500
        if code == 500:
            current_app.logger.error("internal error: %s", type(exc).__name__)
        if isinstance(exc, CSRFError):
            code = 400
        return render_template(template, code=code, error=_error_message(exc, code)), code

    return handler


def _error_message(exc: Exception, code: int) -> str:
    if isinstance(exc, CSRFError):
        return str(
            gettext(
                "Su sesión expiró o el formulario no es válido. Vuelva a la página anterior, "
                "actualícela e inténtelo de nuevo."
            )
        )
    messages = {
        400: gettext("La solicitud no es válida."),
        403: gettext("No tiene permiso para ver esta página."),
        404: gettext("La página no existe."),
        405: gettext("Esta acción no está permitida aquí."),
        413: gettext(
            "Los archivos superan el tamaño máximo permitido. Nada fue guardado; "
            "vuelva atrás y adjunte archivos más pequeños."
        ),
        429: gettext("Demasiados intentos. Espere unos minutos e inténtelo de nuevo."),
    }
    return str(messages.get(code, gettext("Ocurrió un error. Inténtelo de nuevo más tarde.")))


# Every id column is a 32-bit integer on PostgreSQL (SQLite's are 64-bit): an id past this
# is answered 404 or treated as absent, never sent to the database (a 500 there).
DB_ID_MAX = 2**31 - 1


class DbIdConverter(IntegerConverter):
    """`<int:...>` in every route of both apps: only ids a database column can hold match;
    any other number is a 404 like any unknown id."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", DB_ID_MAX)
        super().__init__(url_map, *args, **kwargs)


def db_id(text: str) -> int:
    """A positive id from typed text (for `request.args.get(..., type=db_id)`); ValueError
    for anything a database id column cannot hold."""
    value = int(text.strip())
    if not 0 < value <= DB_ID_MAX:
        raise ValueError("not a database id")
    return value


NUL = "\x00"


def _without_nul(data: ImmutableMultiDict[str, str]) -> ImmutableMultiDict[str, str] | None:
    """The same fields with NUL characters removed, or None when there were none."""
    items = list(data.items(multi=True))
    if not any(NUL in key or NUL in value for key, value in items):
        return None
    return ImmutableMultiDict(
        [(key.replace(NUL, ""), value.replace(NUL, "")) for key, value in items]
    )


def _clean_nul() -> None:
    """PostgreSQL refuses NUL in text (a 500 there): a path holding one is a 400, and NUL
    characters typed into a field or query are dropped, so everything else typed is kept."""
    if NUL in request.path:
        raise BadRequest()
    for attr in ("args", "form"):
        cleaned = _without_nul(getattr(request, attr))
        if cleaned is not None:
            setattr(request, attr, cleaned)
            request.__dict__.pop("values", None)


def base_config(
    settings_obj: Settings,
    *,
    secret_key: str,
    cookie_name: str,
    idle_minutes: int,
    translation_dirs: tuple[Path, ...],
) -> dict[str, Any]:
    """Flask settings both apps share: the session cookie's protection (invariant 7), CSRF,
    upload bound and languages. Each app passes its own secret, cookie and catalogs."""
    return {
        "SECRET_KEY": secret_key,
        "SESSION_COOKIE_NAME": cookie_name,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Strict",
        "SESSION_COOKIE_SECURE": settings_obj.secure_cookies,
        "PERMANENT_SESSION_LIFETIME": idle_minutes * 60,
        "WTF_CSRF_ENABLED": True,
        # The CSRF defence is the session-bound token plus SameSite=Strict cookies. Flask-WTF's
        # extra HTTPS check wants a same-origin Referer, which our Referrer-Policy: no-referrer
        # (no page leaks the intake's address) stops browsers from sending: behind any TLS
        # proxy every form would answer 400 (docs/threat-model.md, "Behind a proxy").
        "WTF_CSRF_SSL_STRICT": False,
        "MAX_CONTENT_LENGTH": (settings_obj.max_upload_mib + 2) * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": DEFAULT_LANGUAGE,
        "BABEL_TRANSLATION_DIRECTORIES": ";".join(
            str(path) for path in (*translation_dirs, CORE_TRANSLATIONS)
        ),
    }


def init_app(
    app: Flask,
    settings_obj: Settings,
    *,
    name: str,
    error_template: str,
    engine: Engine | None = None,
) -> None:
    """Wire the shared plumbing into one app."""
    eng = engine or make_engine(settings_obj.database_url)
    migrate.check_schema(eng)
    app.extensions["integra"] = AppState(
        settings=settings_obj, engine=eng, sessions=make_sessionmaker(eng), name=name
    )
    app.teardown_appcontext(_close_db)
    # Before any blueprint adds its routes, and before anything reads the form (CSRF too).
    app.url_map.converters["int"] = DbIdConverter
    app.before_request_funcs.setdefault(None, []).insert(0, _clean_nul)

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    if settings_obj.trusted_proxies:
        # Scheme and host from the proxy (so HSTS and external URLs are right); the client
        # address is never taken from a header, nor used (invariant 3).
        hops = settings_obj.trusted_proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=0, x_proto=hops, x_host=hops, x_port=hops, x_prefix=0
        )
    if name == "reporting" and settings_obj.onion_address:
        onion = settings_obj.onion_address

        @app.after_request
        def _onion_location(response: Response) -> Response:
            # Tor Browser offers the onion service to people who reached the intake by its
            # public address (it honours the header on HTTPS pages only).
            response.headers["Onion-Location"] = f"http://{onion}{request.full_path.rstrip('?')}"
            return response

    app.after_request(_security_headers)
    app.after_request(_log_request)

    @app.get("/demasiado-grande")
    def too_large() -> Response:
        # The front proxy's error page for an upload over the limit (casework/deploy_configs.py):
        # the app's own 413 page, in the person's language.
        abort(413)

    @app.get("/ready")
    def ready() -> tuple[dict[str, Any], int]:
        found = readiness.problems(db(), settings())
        if found:
            return {"status": "not ready", "problems": found}, 503
        return {"status": "ready"}, 200

    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {"current_language": select_locale(), "languages": LANGUAGES}

    app.add_template_filter(local_time, "local")
    app.add_template_filter(local_date, "localday")
    app.add_template_filter(time_in_words, "inwords")

    handler = _error_page(error_template)
    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, handler)
    app.register_error_handler(CSRFError, handler)


PERU = dt.timezone(dt.timedelta(hours=-5), "PET")  # Peru keeps UTC-5 all year


def local_time(value: dt.datetime | dt.date | None, with_seconds: bool = False) -> str:
    """Template filter `local`: a stored UTC time as Peru reads it (dd/mm/yyyy hh:mm)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        fmt = "%d/%m/%Y %H:%M:%S" if with_seconds else "%d/%m/%Y %H:%M"
        return value.astimezone(PERU).strftime(fmt)
    return value.strftime("%d/%m/%Y")


def time_in_words(value: dt.datetime | None) -> str:
    """Template filter `inwords`: '28 de noviembre de 2026, a las 17:05 (hora de Lima)'."""
    if value is None:
        return ""
    if select_locale() == "en":
        local = value.astimezone(PERU)
        return f"{local.day} {local:%B %Y}, at {local:%H:%M} (Lima time)"
    from core.services.acknowledgement import lima_in_words

    return lima_in_words(value)


def local_date(value: dt.datetime | None) -> str:
    """Template filter `localday`: the Peruvian calendar day of a stored UTC time."""
    if value is None:
        return ""
    return value.astimezone(PERU).strftime("%d/%m/%Y")


def configure_logging(level: str = "INFO") -> None:
    """Log to stderr without client identifiers; silence werkzeug's access log."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    # Werkzeug's access log line starts with the client address (invariant 3).
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
