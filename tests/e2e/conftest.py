"""End-to-end fixtures: a real Chromium (Debian's, through Playwright), and a database of
each test's own.

End-to-end tests start app servers in other processes that read the database file by
themselves. Sharing the worker's database between tests (wiped in between) let a server
process read a previous test's rows under load; a fresh database per test removes the
question."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from databases import create_test_database
from databases import drop_test_database
from servers import launch_chromium
from sqlalchemy import Engine

from core.storage import migrate
from core.storage.db import make_engine


@pytest.fixture
def browser() -> Iterator[Any]:
    with launch_chromium() as b:
        yield b


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "e2e-db"
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
