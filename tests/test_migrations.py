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

from core.storage import migrate
from core.storage.db import Base
from core.storage.db import make_engine


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


def test_0003_copies_each_case_assignment_onto_its_deadlines(empty_engine: Engine) -> None:
    import datetime as dt

    from sqlalchemy import text

    # Given a database at 0002 with an assigned and an unassigned case, each with a clock
    migrate.upgrade(empty_engine, "0002")
    now = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO entities (id, slug, name, office_recipient, vault_recipient, "
                "signing_public_key, signing_key_sealed, case_prefix, created_at) "
                "VALUES (1, 'e', 'E', 'age1x', 'age1y', :b, :b, 'D', :now)"
            ),
            {"b": b"k", "now": now},
        )
        conn.execute(
            text(
                "INSERT INTO officers (id, entity_id, username, display_name, role, "
                "password_hash, must_change_password, totp_confirmed, totp_last_step, active, "
                "session_epoch, created_at) VALUES (7, 1, 'ana', 'Ana', 'officer', 'x', "
                ":f, :t, 0, :t, 0, :now)"
            ),
            {"f": False, "t": True, "now": now},
        )
        for case_id, officer in ((1, 7), (2, None)):
            conn.execute(
                text(
                    "INSERT INTO cases (id, entity_id, code, modality, motive_1, state, channel, "
                    "filed_at, protection_requested, reserve_only, receipt_lookup, receipt_salt, "
                    "complainant_recipient, report_sha256, acknowledgement_signature, "
                    "assigned_officer_id, updated_at) VALUES (:id, 1, :code, 'anonima', "
                    "'otros_actos', 'en_verificacion', 'web', :now, :f, :f, :code, :b, 'age1c', "
                    "'0', :b, :officer, :now)"
                ),
                {
                    "id": case_id,
                    "code": f"D-{case_id}",
                    "now": now,
                    "f": False,
                    "b": b"s",
                    "officer": officer,
                },
            )
            conn.execute(
                text(
                    "INSERT INTO deadlines (id, entity_id, case_id, kind, party, rule_version, "
                    "starts_on, due_on) VALUES (:id, 1, :id, 'verificar_requisitos', 'office', "
                    "'v', :day, :day)"
                ),
                {"id": case_id, "day": now.date()},
            )
    # When 0003 applies
    migrate.upgrade(empty_engine, "0003")
    # Then every clock carries its case's officer
    with empty_engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT case_id, officer_id FROM deadlines")).all())
    assert rows == {1: 7, 2: None}


def test_apps_refuse_a_schema_behind_this_version(empty_engine: Engine, tmp_path: Path) -> None:
    # Serving anyway would fail on the first filing, after someone typed a whole complaint.
    from factories import make_settings

    from casework import create_app as create_casework
    from core.errors import SchemaOutOfDate
    from reporting import create_app as create_reporting

    settings = make_settings(tmp_path / "instance", empty_engine.url.render_as_string(False))
    revs = revisions()
    migrate.upgrade(empty_engine, revs[-2])
    for factory in (create_reporting, create_casework):
        with pytest.raises(SchemaOutOfDate, match="run `integra init`"):
            factory(settings, engine=empty_engine)
    migrate.upgrade(empty_engine)
    assert create_reporting(settings, engine=empty_engine).name == "reporting"
