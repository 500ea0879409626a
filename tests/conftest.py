"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when
INTEGRA_DATABASE_URL points at one), sessions, settings and the two apps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import form_coverage
import pytest
from databases import create_test_database
from databases import drop_test_database
from factories import make_settings
from servers import SUBMITTED_FORMS
from sqlalchemy import Engine
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.storage import migrate
from core.storage.db import Base
from core.storage.db import make_engine


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
        session = Session(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
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


# --- every form submitted in Chromium (tests/form_coverage.py) ------------------------------


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        form_coverage.coverage_dir()  # created once, inherited by xdist workers


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    worker = getattr(session.config, "workerinput", {}).get("workerid", "main")
    form_coverage.save(worker, SUBMITTED_FORMS)
    if hasattr(session.config, "workerinput") or exitstatus != 0:
        return
    if not form_coverage.whole_e2e_suite(session.config):
        return
    missed = form_coverage.post_routes_missed(form_coverage.submitted_urls())
    if missed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        text = "forms never submitted in Chromium by an end-to-end test: " + ", ".join(missed)
        if reporter is not None:
            reporter.write_line(text, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
