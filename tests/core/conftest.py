"""Fixtures for core service tests."""

from __future__ import annotations

import pytest
from case_builders import World
from case_builders import build_world
from sqlalchemy.orm import Session


@pytest.fixture
def world(db_session: Session) -> World:
    return build_world(db_session)
