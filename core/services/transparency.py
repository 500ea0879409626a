"""Tamper evidence for outsiders: signed checkpoints of the audit log, proofs, verification.

The audit log is an RFC 6962 Merkle tree (core.storage.tree) whose checkpoints are signed
with an Ed25519 key sealed under the server key, like the other unattended server keys.
Published checkpoints let the OCI, the Contraloría or a complainant check later that no
entry before them was edited, removed, reordered or cut off, even by someone who can
rewrite the database and recompute every hash (docs/transparency.md).
"""

from __future__ import annotations

import datetime as dt
import socket
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import DomainError
from core.storage import audit
from core.storage import secretbox
from core.storage import tree
from core.storage.models import AuditCheckpoint
from core.storage.models import AuditEntry
from core.storage.models import AuditLogKey
from core.storage.models import AuditTreeNode
from crypto import tlog

KEY_PURPOSE = "audit-checkpoint-key"


class LogNotSetUp(DomainError):
    code = "log_not_set_up"


def default_origin() -> str:
    return f"{socket.getfqdn() or 'localhost'}/integra-audit"


def log_key(session: Session) -> AuditLogKey | None:
    return session.scalar(select(AuditLogKey).order_by(AuditLogKey.id.desc()).limit(1))


def ensure_key(
    session: Session, server_key: bytes, *, origin: str | None, now: dt.datetime
) -> AuditLogKey:
    """The log's signing key, created (with its origin) the first time."""
    existing = log_key(session)
    if existing is not None:
        return existing
    name = origin or default_origin()
    tlog.VerifierKey.for_key(name, b"\0" * 32)  # refuses a name the note format cannot carry
    private = ed25519.Ed25519PrivateKey.generate()
    row = AuditLogKey(
        name=name,
        public_key=private.public_key().public_bytes_raw(),
        private_sealed=secretbox.seal(server_key, KEY_PURPOSE, private.private_bytes_raw()),
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(session, action="audit.log_key_created", detail={"origin": name}, now=now)
    return row


def verifier_key(session: Session) -> tlog.VerifierKey:
    row = log_key(session)
    if row is None:
        raise LogNotSetUp("no checkpoint has been issued yet (run `integra audit checkpoint`)")
    return tlog.VerifierKey.for_key(row.name, row.public_key)


def latest_checkpoint(session: Session) -> AuditCheckpoint | None:
    return session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))


def checkpoints(session: Session, *, limit: int = 100) -> list[AuditCheckpoint]:
    return list(
        session.scalars(
            select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(limit)
        ).all()
    )


def issue_checkpoint(
    session: Session,
    server_key: bytes,
    *,
    now: dt.datetime,
    origin: str | None = None,
    only_if_grown: bool = True,
) -> AuditCheckpoint | None:
    """Sign the current tree head; None when nothing was appended since the last one."""
    key_row = ensure_key(session, server_key, origin=origin, now=now)
    size = tree.size(session)
    last = latest_checkpoint(session)
    if only_if_grown and last is not None and last.size == size:
        return None
    if last is not None and last.size > size:
        raise tlog.TlogError(
            f"the log holds {size} entries but checkpoint {last.id} covered {last.size}: "
            "it was truncated; refusing to sign an inconsistent checkpoint"
        )
    head = tlog.Checkpoint(key_row.name, size, tree.root(session, size))
    if last is not None and last.size:
        old = tlog.open_checkpoint(last.note, verifier_key(session))
        proof = tlog.consistency_proof(tree.reader(session), old.size, size)
        if not tlog.verify_consistency(old.size, size, proof, old.root, head.root):
            raise tlog.TlogError("the log does not extend its last checkpoint; not signing")
    private = ed25519.Ed25519PrivateKey.from_private_bytes(
        secretbox.unseal(server_key, KEY_PURPOSE, key_row.private_sealed)
    )
    row = AuditCheckpoint(
        size=size, note=tlog.sign_note(head.text(), key_row.name, private), issued_at=now
    )
    session.add(row)
    session.flush()
    return row


def inclusion_proof(session: Session, entry: AuditEntry, checkpoint: AuditCheckpoint) -> str:
    """A c2sp.org/tlog-proof@v1 for one entry; `extra` carries the entry's leaf data."""
    if entry.seq > checkpoint.size:
        raise tlog.TlogError("the entry is newer than the checkpoint")
    path = tlog.inclusion_proof(tree.reader(session), entry.seq - 1, checkpoint.size)
    return tlog.format_proof(
        entry.seq - 1, path, checkpoint.note, extra=audit.entry_leaf_data(entry)
    )


@dataclass(frozen=True)
class SinceReport:
    size: int  # entries in the log now
    checked: list[int]  # sizes of the checkpoints the log extends


class LogTampered(DomainError):
    code = "log_tampered"


def _recomputed_leaves(session: Session) -> tuple[list[bytes], list[bytes]]:
    """(leaf hashes recomputed from the entries, leaf hashes stored in the tree)."""
    leaves: list[bytes] = []
    expected = 1
    columns = (
        AuditEntry.seq,
        AuditEntry.at,
        AuditEntry.action,
        AuditEntry.actor,
        AuditEntry.officer_id,
        AuditEntry.entity_id,
        AuditEntry.case_id,
        AuditEntry.detail,
    )
    result = session.execute(
        select(*columns).order_by(AuditEntry.seq).execution_options(yield_per=10_000)
    )
    try:
        for row in result:
            if row.seq != expected:
                raise LogTampered(
                    f"entry {expected} is missing or out of order (found {row.seq} there)"
                )
            data = audit.leaf_data(
                seq=row.seq,
                at=row.at,
                action=row.action,
                actor=row.actor,
                officer_id=row.officer_id,
                entity_id=row.entity_id,
                case_id=row.case_id,
                detail=row.detail,
            )
            leaves.append(tlog.leaf_hash(data))
            expected += 1
    finally:
        result.close()  # a server-side cursor on PostgreSQL
    stored = list(
        session.scalars(
            select(AuditTreeNode.hash)
            .where(AuditTreeNode.level == 0)
            .order_by(AuditTreeNode.idx)
            .execution_options(yield_per=10_000)
        )
    )
    return leaves, stored


def verify_since(session: Session, notes: list[str], key: tlog.VerifierKey) -> SinceReport:
    """Check that today's log extends every given checkpoint, recomputing it from the entries.

    Raises LogTampered naming the first bad entry when it can be located: from the stored
    leaves (an edit that left the tree alone), or between two of the given checkpoints (a
    rewrite that recomputed every hash is located to the interval between the last
    checkpoint that still holds and the first that fails).
    """
    points = sorted((tlog.open_checkpoint(note, key) for note in notes), key=lambda c: c.size)
    leaves, stored = _recomputed_leaves(session)
    builder = tlog.RootBuilder()
    good = 0
    checked: list[int] = []
    pending = list(points)
    for leaf in leaves:
        builder.add(leaf)
        while pending and pending[0].size == builder.size:
            cp = pending.pop(0)
            if builder.root() != cp.root:
                _locate(leaves, stored, good, cp)
            good = cp.size
            checked.append(cp.size)
    for cp in pending:
        if cp.size == 0 and not leaves:
            checked.append(0)
            continue
        raise LogTampered(
            f"the log holds {len(leaves)} entries but a checkpoint covers {cp.size}: "
            f"entries {len(leaves) + 1} to {cp.size} were removed (truncation)"
        )
    # The stored tree must agree too: it is what proofs are served from.
    new_root = builder.root()
    for cp in points:
        if 0 < cp.size < len(leaves):
            proof = tlog.consistency_proof(tree.reader(session), cp.size, len(leaves))
            if not tlog.verify_consistency(cp.size, len(leaves), proof, cp.root, new_root):
                raise LogTampered(
                    "the entries extend the checkpoints but the stored Merkle tree does not: "
                    "its nodes were edited (proofs served from it would fail)"
                )
    return SinceReport(size=len(leaves), checked=checked)


def _locate(leaves: list[bytes], stored: list[bytes], good: int, cp: tlog.Checkpoint) -> None:
    for i in range(good, cp.size):
        if i >= len(stored) or stored[i] != leaves[i]:
            raise LogTampered(
                f"entry {i + 1} was edited, removed or moved: it no longer matches the tree "
                f"signed in the checkpoint of size {cp.size}"
            )
    if cp.size - good == 1:
        raise LogTampered(
            f"entry {cp.size} was rewritten (and every later hash recomputed): the log no "
            f"longer matches the checkpoint of size {cp.size}"
        )
    raise LogTampered(
        f"an entry between {good + 1} and {cp.size} was rewritten and every hash recomputed: "
        f"the log no longer matches the checkpoint of size {cp.size}. Give older checkpoints "
        "with more --since options to narrow it down"
    )
