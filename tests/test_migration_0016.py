"""Revision 0016: an act may carry a sealed text for the complainant (case_events.notice_sealed);
a database holding acts upgrades with none on them, takes one, and downgrades again keeping
the acts. What complainants sent before counts as read, and the inbox's partial index on what
the office has not read comes and goes with the revision."""

from __future__ import annotations

import datetime as dt

from own_database import database_url  # noqa: F401 - a database of the test's own
from own_database import unmigrated_engine  # noqa: F401
from sqlalchemy import Engine
from sqlalchemy import inspect
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
    for message_id, direction in ((1, "from_complainant"), (2, "to_complainant")):
        conn.execute(
            text(
                "INSERT INTO messages (id, case_id, direction, kind, body_sealed, created_at) "
                "VALUES (:id, 1, :d, 'message', :b, :now)"
            ),
            {"id": message_id, "d": direction, "b": b"m", "now": NOW},
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
        # What the complainant sent before counts as read by the office; the office's own
        # message keeps its read_at (the complainant has not seen it).
        read = conn.execute(text("SELECT id, read_at FROM messages ORDER BY id")).all()
        assert read[0][1] is not None and read[1][1] is None
        assert "ix_messages_unread" in {i["name"] for i in inspect(conn).get_indexes("messages")}
        assert bytes(conn.execute(text("SELECT notice_sealed FROM case_events")).scalar()) == b"n"
    migrate.downgrade(engine, PREVIOUS)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM case_events")).scalar() == 1
        columns = conn.execute(text("SELECT * FROM case_events")).keys()
        assert "notice_sealed" not in columns
        assert "ix_messages_unread" not in {
            i["name"] for i in inspect(conn).get_indexes("messages")
        }
    migrate.upgrade(engine)
