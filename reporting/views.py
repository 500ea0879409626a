"""Intake views."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template

from core import web


def make_blueprint() -> Blueprint:
    bp = Blueprint("intake", __name__)

    @bp.get("/")
    def landing() -> str:
        return render_template("landing.html")

    @bp.get("/health")
    def health() -> tuple[dict[str, str], int]:
        from sqlalchemy import text

        web.db().execute(text("SELECT 1"))
        return {"status": "ok"}, 200

    return bp
