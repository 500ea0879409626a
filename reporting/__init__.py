"""The public intake: file a complaint, get a receipt, follow the case."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Engine

from config import Settings
from config import load_settings
from core import web

csrf = CSRFProtect()


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> Flask:
    """Build the intake app. It holds recipient strings only, never a private key."""
    settings = settings or load_settings()
    app = web.IntegraFlask(
        __name__,
        template_folder="templates",
        static_folder=str(Path(__file__).parent / "static"),
    )
    app.config.from_mapping(
        web.base_config(
            settings,
            secret_key=settings.intake_secret_key,
            cookie_name="integra_intake",
            idle_minutes=settings.complainant_idle_minutes,
            translation_dirs=(Path(__file__).parent / "translations",),
        ),
        # Uploads over Tor can be slow; a token older than this asks to reload the form.
        WTF_CSRF_TIME_LIMIT=6 * 60 * 60,
        MAX_FORM_MEMORY_SIZE=1024 * 1024,
        TEMPLATES_AUTO_RELOAD=False,
    )
    # Uploads are kept in memory (bounded above), never spooled to a clear temp file.
    from reporting.uploads import InMemoryRequest

    app.request_class = InMemoryRequest
    csrf.init_app(app)
    web.init_app(app, settings, name="reporting", error_template="error.html", engine=engine)

    from reporting import views

    app.register_blueprint(views.make_blueprint())
    return app
