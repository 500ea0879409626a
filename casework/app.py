"""Construction of the casework Flask app (see casework.create_app)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Engine
from sqlalchemy import text

from config import Settings
from config import load_settings
from core import web

ROOT = Path(__file__).resolve().parent.parent
csrf = CSRFProtect()


def build_app(settings: Settings | None = None, *, engine: Engine | None = None) -> Flask:
    """Build the casework app (internal network only)."""
    settings = settings or load_settings()
    app = web.IntegraFlask(
        __name__,
        template_folder=str(ROOT / "templates" / "casework"),
        static_folder=str(Path(__file__).parent / "static"),
    )
    app.config.from_mapping(
        SECRET_KEY=settings.casework_secret_key,
        SESSION_COOKIE_NAME="integra_casework",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=settings.officer_idle_minutes * 60,
        WTF_CSRF_ENABLED=True,
        MAX_CONTENT_LENGTH=(settings.max_upload_mib + 2) * 1024 * 1024,
        BABEL_DEFAULT_LOCALE=web.DEFAULT_LANGUAGE,
        BABEL_TRANSLATION_DIRECTORIES=";".join(
            str(path)
            for path in (
                Path(__file__).parent / "translations",
                Path(__file__).parent / "translations_cases",
                web.CORE_TRANSLATIONS,
            )
        ),
    )
    csrf.init_app(app)
    web.init_app(app, settings, name="casework", error_template="error.html", engine=engine)

    from casework import admin
    from casework import audit_views
    from casework import auth
    from casework import cases
    from casework import inbox
    from casework import measures
    from casework import stats

    for module in (auth, admin, inbox, cases, measures, audit_views, stats):
        app.register_blueprint(module.make_blueprint())

    @app.get("/health")
    def health() -> tuple[dict[str, str], int]:
        web.db().execute(text("SELECT 1"))
        return {"status": "ok"}, 200

    return app
