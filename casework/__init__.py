"""The officers' casework app: verify, triage, forward, protect, audit.

Flask and SQLAlchemy are imported only when an app is built, so that the
`integra` command (and `integra age` in particular) starts quickly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy import Engine

    from config import Settings


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> Flask:
    """Build the casework app (internal network only)."""
    from casework.app import build_app

    return build_app(settings, engine=engine)
