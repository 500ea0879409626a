"""The intake blueprint: the landing page, filing (reporting.filing_pages) and follow-up
(reporting.followup_pages)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import render_template
from sqlalchemy import text

from core import web
from reporting import common
from reporting import directory_pages
from reporting import filing_pages
from reporting import followup_pages
from reporting import transparency_pages


def make_blueprint() -> Blueprint:
    bp = Blueprint("intake", __name__)

    @bp.get("/")
    def landing() -> Any:
        # On an entity's own host name the landing page is that entity's (a disabled one
        # says so, as its /e/<slug>/ address does).
        own = directory_pages.host_entity()
        if own is not None and not own.active:
            return directory_pages.render_entity(own)
        if own is None and directory_pages.active_count(up_to=2) == 1:
            own = common.first_entity()  # the only office this install receives for
        return render_template("landing.html", limits=common.limits(), entity=own)

    @bp.get("/health")
    def health() -> tuple[dict[str, str], int]:
        web.db().execute(text("SELECT 1"))
        return {"status": "ok"}, 200

    filing_pages.register(bp)
    directory_pages.register(bp)
    followup_pages.register(bp)
    transparency_pages.register(bp)
    return bp
