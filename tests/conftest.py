"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when
INTEGRA_DATABASE_URL points at one), sessions, settings and the two apps."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.orm import Session

_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from core import migrate  # noqa: E402
from core.db import Base  # noqa: E402
from core.db import make_engine  # noqa: E402
from factories import make_settings  # noqa: E402
from peers import require_peer  # noqa: E402

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


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, token = create_test_database(tmp_path_factory.mktemp("db"))
    yield url
    drop_test_database(url, token)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back afterwards."""
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            yield session
        finally:
            session.close()
            outer.rollback()


def wipe(engine: Engine) -> None:
    """Delete every row (children first), for tests whose apps commit for real."""
    with engine.begin() as conn:
        # cases and blobs reference each other: cut that link first.
        conn.execute(text("UPDATE cases SET report_blob_id = NULL, identity_blob_id = NULL"))
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def clean_engine(engine: Engine) -> Iterator[Engine]:
    """The shared engine, emptied after the test (apps and subprocesses commit)."""
    wipe(engine)
    yield engine
    wipe(engine)


@pytest.fixture
def settings(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    return make_settings(tmp_path / "instance", database_url)
