"""Casework: cases views (to be completed)."""

from __future__ import annotations

from flask import Blueprint


def make_blueprint() -> Blueprint:
    return Blueprint("cases", __name__)
