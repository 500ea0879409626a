"""The audit log as a Merkle tree with signed checkpoints (issue 15; docs/transparency.md).

Tampering by someone with write access to the database (edit, delete, reorder, truncate, or
rewrite an entry and recompute every hash and tree node) is detected against a checkpoint
issued before it, and the first bad entry is named where it can be located.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from core.services import transparency
from core.storage import audit
from core.storage import tree
from core.storage.models import AuditEntry
from core.storage.models import AuditTreeNode
from crypto import tlog

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
SERVER_KEY = os.urandom(32)


@pytest.fixture(autouse=True)
def log_key(db_session: Session) -> None:
    # Creating the key is itself audited: it is entry 1, the entries below start at 2.
    transparency.ensure_key(db_session, SERVER_KEY, origin="oii.test/audit", now=T0)


def _fill(session: Session, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        audit.record(session, action=f"test.{i}", detail={"i": i}, now=T0 + dt.timedelta(seconds=i))


def _checkpoint(session: Session) -> str:
    cp = transparency.issue_checkpoint(session, SERVER_KEY, now=T0, origin="oii.test/audit")
    assert cp is not None
    return cp.note


def _leaves(session: Session) -> list[bytes]:
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    return [tlog.leaf_hash(audit.entry_leaf_data(e)) for e in entries]


def test_every_entry_is_a_leaf_and_the_stored_root_is_the_rfc_root(db_session: Session) -> None:
    _fill(db_session, 13)
    builder = tlog.RootBuilder()
    builder.extend(_leaves(db_session))
    assert tree.size(db_session) == 14
    assert tree.root(db_session, 14) == builder.root()
    for size in range(1, 15):
        partial = tlog.RootBuilder()
        partial.extend(_leaves(db_session)[:size])
        assert tree.root(db_session, size) == partial.root()


def test_append_cost_is_logarithmic(db_session: Session) -> None:
    # At most log2(n) + 1 rows per append: 2n - popcount(n) rows for n leaves.
    _fill(db_session, 63)  # 64 leaves with the key's entry
    rows = db_session.scalar(select(func.count()).select_from(AuditTreeNode))
    assert rows == 2 * 64 - 1


def test_checkpoint_is_a_signed_note_the_verifier_key_opens(db_session: Session) -> None:
    _fill(db_session, 5)
    note = _checkpoint(db_session)
    key = transparency.verifier_key(db_session)
    assert key.name == "oii.test/audit"
    cp = tlog.open_checkpoint(note, tlog.VerifierKey.parse(key.encode()))
    assert cp.size == 6 and cp.origin == "oii.test/audit"
    # Nothing new: no new checkpoint; one more entry: a new one.
    assert transparency.issue_checkpoint(db_session, SERVER_KEY, now=T0) is None
    _fill(db_session, 1, start=5)
    assert transparency.issue_checkpoint(db_session, SERVER_KEY, now=T0) is not None


def test_inclusion_proofs_verify_for_every_entry(db_session: Session) -> None:
    _fill(db_session, 21)
    _checkpoint(db_session)
    cp = transparency.latest_checkpoint(db_session)
    assert cp is not None
    key = transparency.verifier_key(db_session)
    for entry in db_session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
        proof = transparency.inclusion_proof(db_session, entry, cp)
        parsed = tlog.parse_proof(proof)
        assert tlog.verify_proof(proof, tlog.leaf_hash(parsed.extra), key).size == 22
        assert parsed.extra == audit.entry_leaf_data(entry)


def test_an_untouched_log_extends_its_checkpoints(db_session: Session) -> None:
    _fill(db_session, 10)
    first = _checkpoint(db_session)
    _fill(db_session, 7, start=10)
    second = _checkpoint(db_session)
    _fill(db_session, 3, start=17)
    key = transparency.verifier_key(db_session)
    report = transparency.verify_since(db_session, [first, second], key)
    assert report.size == 21 and report.checked == [11, 18]


def _tampered(db_session: Session, match: str, notes: list[str]) -> None:
    key = transparency.verifier_key(db_session)
    with pytest.raises(transparency.LogTampered, match=match):
        transparency.verify_since(db_session, notes, key)


def test_an_edit_is_named(db_session: Session) -> None:
    _fill(db_session, 10)
    note = _checkpoint(db_session)
    db_session.execute(update(AuditEntry).where(AuditEntry.seq == 4).values(action="other"))
    _tampered(db_session, "entry 4 was edited", [note])


def test_a_deletion_is_named(db_session: Session) -> None:
    _fill(db_session, 10)
    note = _checkpoint(db_session)
    db_session.execute(delete(AuditEntry).where(AuditEntry.seq == 6))
    _tampered(db_session, "entry 6 is missing", [note])


def test_a_reordering_is_named(db_session: Session) -> None:
    _fill(db_session, 10)
    note = _checkpoint(db_session)
    a, b = (db_session.scalars(select(AuditEntry).where(AuditEntry.seq == s)).one() for s in (3, 4))
    a.action, b.action = b.action, a.action
    a.detail, b.detail = b.detail, a.detail
    _tampered(db_session, "entry 3 was edited", [note])


def test_truncation_is_detected(db_session: Session) -> None:
    _fill(db_session, 10)
    note = _checkpoint(db_session)
    db_session.execute(delete(AuditEntry).where(AuditEntry.seq > 8))
    db_session.execute(
        delete(AuditTreeNode).where(AuditTreeNode.level == 0, AuditTreeNode.idx >= 8)
    )
    _tampered(db_session, "entries 9 to 11 were removed", [note])


def _rewrite_and_recompute(db_session: Session, seq: int) -> None:
    """What an insider with database access does: edit, then recompute chain and tree."""
    entries = list(db_session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    db_session.execute(delete(AuditTreeNode))
    prev = audit.GENESIS
    for e in entries:
        if e.seq == seq:
            e.detail = '{"i":"forged"}'
        e.prev_hash = prev
        e.hash = audit.compute_hash(
            prev_hash=prev,
            seq=e.seq,
            at=e.at,
            action=e.action,
            actor=e.actor,
            officer_id=e.officer_id,
            entity_id=e.entity_id,
            case_id=e.case_id,
            detail=e.detail,
        )
        prev = e.hash
        db_session.flush()
        tree.append_leaf(db_session, e.seq - 1, tlog.leaf_hash(audit.entry_leaf_data(e)))
        db_session.flush()


def test_a_rewrite_with_recomputed_hashes_passes_the_chain_but_not_the_checkpoint(
    db_session: Session,
) -> None:
    _fill(db_session, 12)
    note = _checkpoint(db_session)
    _rewrite_and_recompute(db_session, 5)
    assert audit.verify_chain(db_session).entries == 13  # the old check cannot see it
    _tampered(db_session, "between 1 and 13 was rewritten", [note])


def test_more_checkpoints_narrow_a_rewrite_down_to_the_entry(db_session: Session) -> None:
    notes = []
    for i in range(8):
        _fill(db_session, 1, start=i)
        notes.append(_checkpoint(db_session))
    _rewrite_and_recompute(db_session, 5)
    _tampered(db_session, "entry 5 was rewritten", notes)


def test_an_edited_tree_node_is_detected(db_session: Session) -> None:
    _fill(db_session, 10)
    note = _checkpoint(db_session)
    _fill(db_session, 5, start=10)
    db_session.execute(
        update(AuditTreeNode)
        .where(AuditTreeNode.level == 3, AuditTreeNode.idx == 0)
        .values(hash=b"\0" * 32)
    )
    _tampered(db_session, "stored Merkle tree does not", [note])


def test_a_checkpoint_signed_by_another_key_is_refused(db_session: Session) -> None:
    _fill(db_session, 3)
    note = _checkpoint(db_session)
    stranger = tlog.VerifierKey.for_key("oii.test/audit", b"\x02" * 32)
    with pytest.raises(tlog.TlogError):
        transparency.verify_since(db_session, [note], stranger)


def test_a_truncated_log_is_never_signed_again(db_session: Session) -> None:
    _fill(db_session, 6)
    _checkpoint(db_session)
    db_session.execute(delete(AuditEntry).where(AuditEntry.seq > 4))
    db_session.execute(
        delete(AuditTreeNode).where(AuditTreeNode.level == 0, AuditTreeNode.idx >= 4)
    )
    with pytest.raises(tlog.TlogError, match="truncated"):
        transparency.issue_checkpoint(db_session, SERVER_KEY, now=T0)
