"""Revision 0016: an act may carry a sealed text for the complainant (case_events.notice_sealed);
a database holding acts upgrades with none on them, takes one, and downgrades again keeping
the acts."""

from __future__ import annotations

import datetime as dt

from own_database import database_url  # noqa: F401 - a database of the test's own
from own_database import unmigrated_engine  # noqa: F401
from sqlalchemy import Engine
from sqlalchemy import text

from core.law.regime import REGIMES
from core.storage import migrate

PREVIOUS = "0020"
NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def _seed(conn) -> None:  # type: ignore[no-untyped-def]
    conn.execute(
        text(
            "INSERT INTO entities (id, slug, name, office_recipient, vault_recipient, "
            "signing_public_key, signing_key_sealed, case_prefix, created_at, "
            "notify_counts_only, acronym, sector, region, search_text, active) VALUES "
            "(1, 'ate', 'ATE', 'age1x', 'age1y', :k, :k, 'D', :now, false, '', '', '', 'ate', "
            "true)"
        ),
        {"k": b"k", "now": NOW},
    )
    conn.execute(
        text(
            "INSERT INTO cases (id, entity_id, code, modality, motive_1, state, channel, "
            "filed_at, protection_requested, reserve_only, receipt_lookup, receipt_salt, "
            "complainant_recipient, report_sha256, acknowledgement_signature, updated_at, "
            "regime) VALUES (1, 1, 'D-2026-000001', 'anonima', 'otros_actos', 'observada', "
            "'web', :now, false, false, 'lookup-1', :b, 'age1c', '0', :b, :now, :regime)"
        ),
        {"now": NOW, "b": b"s", "regime": REGIMES[0].id},
    )
    conn.execute(
        text(
            "INSERT INTO case_events (id, case_id, kind, at, visible_to_complainant, data, "
            "reasoning_sealed) VALUES (1, 1, 'case.request_subsanacion', :now, true, '{}', :r)"
        ),
        {"now": NOW, "r": b"sealed reasoning"},
    )


def test_acts_keep_their_reasoning_and_take_a_notice(unmigrated_engine: Engine) -> None:  # noqa: F811
    engine = unmigrated_engine
    migrate.upgrade(engine, PREVIOUS)
    with engine.begin() as conn:
        _seed(conn)
    migrate.upgrade(engine, "0016")
    with engine.begin() as conn:
        row = conn.execute(
            text("SELECT kind, reasoning_sealed, notice_sealed FROM case_events")
        ).one()
        assert (row[0], bytes(row[1]), row[2]) == (
            "case.request_subsanacion",
            b"sealed reasoning",
            None,
        )
        conn.execute(text("UPDATE case_events SET notice_sealed = :n WHERE id = 1"), {"n": b"n"})
        assert bytes(conn.execute(text("SELECT notice_sealed FROM case_events")).scalar()) == b"n"
    migrate.downgrade(engine, PREVIOUS)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM case_events")).scalar() == 1
        columns = conn.execute(text("SELECT * FROM case_events")).keys()
        assert "notice_sealed" not in columns
    migrate.upgrade(engine)
