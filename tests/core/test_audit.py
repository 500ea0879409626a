"""The hash-chained audit log: append, verify, and detect edits, deletions, reordering."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from core.errors import AuditChainBroken
from core.storage import audit
from core.storage.models import AuditEntry

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def _fill(session: Session, n: int = 5) -> list[AuditEntry]:
    return [
        audit.record(session, action=f"test.{i}", detail={"i": i}, now=T0 + dt.timedelta(seconds=i))
        for i in range(n)
    ]


def test_chain_links_and_verifies(db_session: Session):
    entries = _fill(db_session)
    assert entries[0].prev_hash == audit.GENESIS
    for earlier, later in zip(entries, entries[1:], strict=False):
        assert later.prev_hash == earlier.hash
        assert later.seq == earlier.seq + 1
    report = audit.verify_chain(db_session)
    assert report.entries == 5
    assert report.head == entries[-1].hash
    assert audit.verify_chain(db_session, expect_head=entries[-1].hash).entries == 5


def test_actor_defaults(db_session: Session):
    assert audit.record(db_session, action="a").actor == "system"
    assert audit.record(db_session, action="a", officer_id=None, actor="x").actor == "x"


def test_detail_is_canonical_json(db_session: Session):
    entry = audit.record(db_session, action="a", detail={"b": 1, "a": [1, 2]})
    assert entry.detail == '{"a":[1,2],"b":1}'


def test_edit_is_detected(db_session: Session):
    _fill(db_session)
    db_session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(action="test.x"))
    db_session.expire_all()
    with pytest.raises(AuditChainBroken, match="entry 3"):
        audit.verify_chain(db_session)


def test_timestamp_edit_is_detected(db_session: Session):
    _fill(db_session)
    db_session.execute(
        update(AuditEntry).where(AuditEntry.seq == 2).values(at=T0 + dt.timedelta(days=1))
    )
    db_session.expire_all()
    with pytest.raises(AuditChainBroken):
        audit.verify_chain(db_session)


def test_deletion_is_detected(db_session: Session):
    _fill(db_session)
    db_session.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
    db_session.expire_all()
    with pytest.raises(AuditChainBroken, match="removed or reordered"):
        audit.verify_chain(db_session)


def test_reordering_is_detected(db_session: Session):
    entries = _fill(db_session)
    # Swap the contents of entries 2 and 3 (keeping each row's own hash consistent)
    a, b = entries[1], entries[2]
    values = [
        {c: getattr(e, c) for c in ("seq", "at", "action", "detail", "prev_hash", "hash")}
        for e in (a, b)
    ]
    db_session.execute(update(AuditEntry).where(AuditEntry.id == a.id).values(seq=-1))
    db_session.execute(update(AuditEntry).where(AuditEntry.id == b.id).values(**values[0]))
    db_session.execute(update(AuditEntry).where(AuditEntry.id == a.id).values(**values[1]))
    db_session.expire_all()
    with pytest.raises(AuditChainBroken):
        audit.verify_chain(db_session)


def test_truncation_needs_the_recorded_head(db_session: Session):
    entries = _fill(db_session)
    head = entries[-1].hash
    db_session.execute(delete(AuditEntry).where(AuditEntry.seq == 5))
    db_session.expire_all()
    # Removing the last entry leaves a valid shorter chain...
    assert audit.verify_chain(db_session).entries == 4
    # ...which the recorded head exposes.
    with pytest.raises(AuditChainBroken, match="head differs"):
        audit.verify_chain(db_session, expect_head=head)


def test_verify_streams_in_batches(db_session: Session):
    _fill(db_session, 12)
    count = sum(1 for _ in audit.iter_entries(db_session, batch=5))
    assert count == 12
    assert db_session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)) == 12


def _append_concurrently(
    clean_engine, *, workers: int, transactions: int, per_transaction: int, read_first: bool
) -> list[str]:
    """Workers appending at once, each transaction `per_transaction` entries; the errors."""
    import threading

    from sqlalchemy import func

    errors: list[str] = []

    def worker(n: int) -> None:
        for i in range(transactions):
            try:
                with Session(clean_engine) as session:
                    if read_first:
                        session.scalar(select(func.count()).select_from(AuditEntry))
                    for k in range(per_transaction):
                        audit.record(
                            session, action="test.concurrent", detail={"n": n, "i": i, "k": k}
                        )
                    session.commit()
            except Exception as exc:  # pragma: no cover - the failure being tested
                errors.append(type(exc).__name__)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_appends_from_several_workers_all_land_in_one_chain(clean_engine):
    # Given several workers appending at once, each after a read of its own (as a view
    # that decrypts and then audits does)
    errors = _append_concurrently(
        clean_engine, workers=4, transactions=15, per_transaction=1, read_first=True
    )
    # Then none of them failed, and the chain holds every entry
    assert errors == []
    with Session(clean_engine) as session:
        assert audit.verify_chain(session).entries == 60


def test_insertion_is_detected(db_session: Session):
    # Given a chain, and a forged entry slipped in after entry 2: it is self-consistent
    # (its own hash matches and follows entry 2), and the later entries are renumbered
    entries = _fill(db_session)
    later = [(e.id, e.seq) for e in entries[2:]]
    prev = entries[1]
    for entry_id, seq in later:
        db_session.execute(
            update(AuditEntry).where(AuditEntry.id == entry_id).values(seq=seq + 1000)
        )
    for entry_id, seq in later:
        db_session.execute(update(AuditEntry).where(AuditEntry.id == entry_id).values(seq=seq + 1))
    at = T0 + dt.timedelta(seconds=1, milliseconds=500)
    forged = AuditEntry(
        seq=3,
        at=at,
        action="case.viewed",
        actor="officer:99",
        detail="{}",
        prev_hash=prev.hash,
        hash=audit.compute_hash(
            prev_hash=prev.hash,
            seq=3,
            at=at,
            action="case.viewed",
            actor="officer:99",
            officer_id=None,
            entity_id=None,
            case_id=None,
            detail="{}",
        ),
    )
    db_session.add(forged)
    db_session.flush()
    db_session.expire_all()
    # Then verification fails: the entry after it no longer follows its predecessor
    with pytest.raises(AuditChainBroken):
        audit.verify_chain(db_session)


def test_several_entries_per_transaction_from_several_workers_chain(clean_engine):
    # Given workers each appending three entries per transaction (a filing's shape: the
    # head of the 2nd and 3rd is the entry the same transaction appended, under its lock)
    from core.storage import tree

    errors = _append_concurrently(
        clean_engine, workers=3, transactions=6, per_transaction=3, read_first=False
    )
    # Then every entry is in one chain, and the Merkle tree has one leaf per entry
    assert errors == []
    with Session(clean_engine) as session:
        assert audit.verify_chain(session).entries == 54
        assert tree.size(session) == 54


def test_an_entry_rolled_back_with_a_savepoint_is_not_the_next_ones_predecessor(
    db_session: Session,
):
    first = audit.record(db_session, action="test.kept")
    with db_session.begin_nested() as savepoint:
        audit.record(db_session, action="test.undone")
        savepoint.rollback()
    after = audit.record(db_session, action="test.after")
    assert after.seq == first.seq + 1
    assert after.prev_hash == first.hash
    audit.verify_chain(db_session)
