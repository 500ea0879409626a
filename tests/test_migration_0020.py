"""Revision 0020: entities get an optional host name of their own; a database holding
entities upgrades with none set, takes one, refuses a second entity with the same one, and
downgrades again."""

from __future__ import annotations

import pytest
from own_database import database_url  # noqa: F401 - a database of the test's own
from own_database import unmigrated_engine  # noqa: F401
from sqlalchemy import Engine
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from core.storage import migrate

PREVIOUS = "0014"


def _entity(conn, slug: str) -> None:  # type: ignore[no-untyped-def]
    conn.execute(
        text(
            "INSERT INTO entities (slug, name, office_recipient, vault_recipient, "
            "signing_public_key, signing_key_sealed, case_prefix, created_at, "
            "notify_counts_only, acronym, sector, region, search_text, active) VALUES "
            "(:s, :n, 'age1x', 'age1y', :k, :k, 'D', CURRENT_TIMESTAMP, false, '', '', '', :t, "
            "true)"
        ),
        {"s": slug, "n": slug, "t": slug, "k": b"k"},
    )


def test_upgrade_keeps_entities_and_host_names_are_unique(unmigrated_engine: Engine) -> None:  # noqa: F811
    engine = unmigrated_engine
    migrate.upgrade(engine, PREVIOUS)
    with engine.begin() as conn:
        _entity(conn, "ate")
        _entity(conn, "piura")
    migrate.upgrade(engine, "0020")
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT slug, host FROM entities ORDER BY slug")).all()
        assert [tuple(r) for r in rows] == [("ate", None), ("piura", None)]
        conn.execute(text("UPDATE entities SET host = 'denuncias.ate.gob.pe' WHERE slug = 'ate'"))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE entities SET host = 'denuncias.ate.gob.pe' WHERE slug = 'piura'"))
    migrate.downgrade(engine, PREVIOUS)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM entities")).scalar() == 2
    migrate.upgrade(engine)
