"""Casework: login (placeholder until the casework issue lands)."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template


def make_blueprint() -> Blueprint:
    bp = Blueprint("auth", __name__)

    @bp.get("/login")
    def login() -> str:
        return render_template("login.html")

    return bp
