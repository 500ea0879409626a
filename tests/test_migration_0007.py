"""Revision 0007: national non-working days, on a database that holds entity days."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlalchemy import exc
from sqlalchemy import inspect
from sqlalchemy import text
from test_migration_0004 import _entity
from test_migration_0004 import engine  # noqa: F401 - fixture

from core.storage import migrate

NOW = dt.datetime(2027, 10, 1, 15, 0, tzinfo=dt.UTC)


def test_upgrade_keeps_entity_days_and_adds_one_national_calendar(engine: Engine) -> None:  # noqa: F811
    migrate.upgrade(engine, "0012")
    with engine.begin() as conn:
        _entity(conn, 1)
        conn.execute(
            text("INSERT INTO non_working_days (entity_id, day, reason) VALUES (1, :d, 'x')"),
            {"d": dt.date(2027, 11, 3)},
        )
    migrate.upgrade(engine, "0007")
    insert = text(
        "INSERT INTO national_non_working_days (day, reason, created_at) VALUES (:d, '', :now)"
    )
    with engine.begin() as conn:
        conn.execute(insert, {"d": dt.date(2027, 11, 2), "now": NOW})
    with pytest.raises(exc.IntegrityError), engine.begin() as conn:
        conn.execute(insert, {"d": dt.date(2027, 11, 2), "now": NOW})  # one row per day
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT entity_id, day FROM non_working_days")).all()
    assert [(r[0], str(r[1])[:10]) for r in kept] == [(1, "2027-11-03")]
    migrate.downgrade(engine, "0012")
    assert "national_non_working_days" not in inspect(engine).get_table_names()
