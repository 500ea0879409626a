"""Throw-away test databases: a SQLite file, or a fresh PostgreSQL database
when INTEGRA_DATABASE_URL points at a server."""

from __future__ import annotations

import os
import subprocess
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


def read_database_file(path: Path) -> bytes:
    """The bytes of a SQLite file (the database, -wal, -shm), read by another process.

    Opening and closing a database file in a process that holds SQLite connections to it
    drops that process's POSIX locks on it (fcntl locks belong to the process and inode, and
    any close() releases them): SQLite then believes it holds locks it does not, and another
    process may rebuild the WAL index under it. The symptoms were stale reads, "disk I/O error"
    and SIGBUS in later tests. A child process's close() leaves this process's locks alone.
    """
    if not path.exists():
        return b""
    return subprocess.run(["cat", str(path)], capture_output=True, check=True).stdout
