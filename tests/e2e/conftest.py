"""End-to-end fixtures: a real Chromium (Debian's, through Playwright), and a database of
each test's own.

End-to-end tests start app servers in other processes that read the database file by
themselves. Sharing the worker's database between tests (wiped in between) let a server
process read a previous test's rows under load; a fresh database per test removes the
question."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from own_database import database_url  # noqa: F401 - a database of each test's own
from own_database import engine  # noqa: F401
from servers import launch_chromium


@pytest.fixture
def browser() -> Iterator[Any]:
    with launch_chromium() as b:
        yield b
