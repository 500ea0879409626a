"""A database of each test's own, for tests whose subprocesses (the CLI, app servers) open
the database by themselves.

Import `database_url` and `engine` into a conftest or a test module to override the
session-wide worker database. Sharing the worker's database between such tests (wiped in
between) let a subprocess read a previous test's rows under load (a CLI that found 409
objects of a wiped entity, a periodic job answering "OperationalError"); a fresh database per
test removes the question.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from databases import create_test_database
from databases import drop_test_database
from sqlalchemy import Engine

from core.storage import migrate
from core.storage.db import make_engine


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "own-db"
    root.mkdir()
    url, token = create_test_database(root)
    yield url
    drop_test_database(url, token)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def unmigrated_engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database of the test's own with no schema yet (migration tests)."""
    eng = make_engine(database_url)
    yield eng
    eng.dispose()
