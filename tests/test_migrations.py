"""The schema changes only through Alembic; every revision applies on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from databases import create_test_database
from databases import drop_test_database
from sqlalchemy import Engine
from sqlalchemy import inspect

from core import migrate
from core.db import Base
from core.db import make_engine


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    url, token = create_test_database(tmp_path)
    eng = make_engine(url)
    yield eng
    eng.dispose()
    drop_test_database(url, token)


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_single_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_upgrade_from_empty_matches_the_models(empty_engine: Engine) -> None:
    assert migrate.current_revision(empty_engine) is None
    migrate.upgrade(empty_engine)
    assert migrate.current_revision(empty_engine) == migrate.head_revision()
    with empty_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_every_revision_round_trips(empty_engine: Engine) -> None:
    revs = revisions()
    for index, rev in enumerate(revs):
        migrate.upgrade(empty_engine, rev)
        previous = revs[index - 1] if index else "base"
        migrate.downgrade(empty_engine, previous)
        migrate.upgrade(empty_engine, rev)
        assert migrate.current_revision(empty_engine) == rev
    migrate.downgrade(empty_engine, "base")
    tables = set(inspect(empty_engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    migrate.upgrade(empty_engine)
    assert set(Base.metadata.tables) <= set(inspect(empty_engine).get_table_names())
