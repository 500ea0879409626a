"""End-to-end fixtures: a real Chromium (Debian's, through Playwright)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from servers import launch_chromium


@pytest.fixture
def browser() -> Iterator[Any]:
    with launch_chromium() as b:
        yield b
