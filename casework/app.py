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

csrf = CSRFProtect()


def build_app(settings: Settings | None = None, *, engine: Engine | None = None) -> Flask:
    """Build the casework app (internal network only)."""
    settings = settings or load_settings()
    app = web.IntegraFlask(
        __name__,
        template_folder="templates",
        static_folder=str(Path(__file__).parent / "static"),
    )
    here = Path(__file__).parent
    app.config.from_mapping(
        web.base_config(
            settings,
            secret_key=settings.casework_secret_key,
            cookie_name="integra_casework",
            idle_minutes=settings.officer_idle_minutes,
            translation_dirs=(here / "translations", here / "translations_cases"),
        )
    )
    csrf.init_app(app)
    web.init_app(app, settings, name="casework", error_template="error.html", engine=engine)

    from casework import admin
    from casework import audit_views
    from casework import badfaith_pages
    from casework import case_pages
    from casework import channel_pages
    from casework import expediente_pages
    from casework import inbox_pages
    from casework import login_pages
    from casework import measure_pages
    from casework import notice_pages
    from casework import platform_pages
    from casework import retention_pages
    from casework import stats_pages

    for module in (
        login_pages,
        admin,
        inbox_pages,
        case_pages,
        measure_pages,
        badfaith_pages,
        audit_views,
        stats_pages,
    ):
        app.register_blueprint(module.make_blueprint())
    app.register_blueprint(retention_pages.make_blueprint())
    app.register_blueprint(expediente_pages.make_blueprint())
    app.register_blueprint(notice_pages.make_blueprint())
    app.register_blueprint(channel_pages.make_blueprint())
    app.register_blueprint(platform_pages.make_blueprint())

    @app.get("/health")
    def health() -> tuple[dict[str, str], int]:
        web.db().execute(text("SELECT 1"))
        return {"status": "ok"}, 200

    return app
