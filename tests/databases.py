"""Throw-away test databases: a SQLite file, or a fresh PostgreSQL database
when INTEGRA_DATABASE_URL points at a server."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from peers import require_peer
from sqlalchemy import create_engine
from sqlalchemy import text

PG_ENV = "INTEGRA_DATABASE_URL"


def _admin_url(url: str) -> str:
    base, _, _ = url.rpartition("/")
    return base + "/postgres"


def _pg_available(url: str) -> bool:
    try:
        eng = create_engine(_admin_url(url).replace("postgresql://", "postgresql+psycopg://"))
        with eng.connect():
            pass
        eng.dispose()
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False
    return True


def create_test_database(tmp_root: Path) -> tuple[str, object]:
    """A fresh, empty database URL; returns (url, cleanup token)."""
    url = os.environ.get(PG_ENV, "")
    if url.startswith("postgresql"):
        require_peer("postgresql", _pg_available(url), f"cannot connect to {url}")
        name = f"integra_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(
            _admin_url(url).replace("postgresql://", "postgresql+psycopg://"),
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        base, _, _ = url.rpartition("/")
        return f"{base}/{name}", name
    return f"sqlite:///{tmp_root / 'integra-test.sqlite3'}", None


def drop_test_database(url: str, token: object) -> None:
    if token is None:
        return
    admin = create_engine(
        _admin_url(url).replace("postgresql://", "postgresql+psycopg://"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{token}" WITH (FORCE)'))
    admin.dispose()
