"""Append-only, hash-chained audit log (docs/threat-model.md, invariant 5).

Each entry's hash commits to its content and to the previous entry's hash, so
editing, deleting or reordering any entry breaks verification from that point.
Every entry is also a leaf of an RFC 6962 Merkle tree (core.storage.tree) whose signed
checkpoints are published (core.services.transparency), so truncation and a rewrite that
recomputes every hash are detected against an earlier checkpoint (docs/transparency.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from typing import cast

from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import AuditChainBroken
from core.storage import tree
from core.storage.db import utcnow
from core.storage.models import AuditEntry
from crypto import tlog

GENESIS = "0" * 64


def _canonical(entry_fields: dict[str, Any]) -> bytes:
    return json.dumps(entry_fields, sort_keys=True, separators=(",", ":")).encode("utf-8")


def leaf_data(
    *,
    seq: int,
    at: dt.datetime,
    action: str,
    actor: str,
    officer_id: int | None,
    entity_id: int | None,
    case_id: int | None,
    detail: str,
) -> bytes:
    """The canonical encoding of one entry: what the chain hashes and the Merkle leaf holds.

    Canonical JSON (sorted keys, no spaces, UTF-8) of seq, at (UTC, ISO 8601 with
    microseconds), action, actor, officer_id, entity_id, case_id and detail (itself canonical
    JSON text); docs/transparency.md.
    """
    return _canonical(
        {
            "seq": seq,
            "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "action": action,
            "actor": actor,
            "officer_id": officer_id,
            "entity_id": entity_id,
            "case_id": case_id,
            "detail": detail,
        }
    )


def entry_leaf_data(entry: AuditEntry) -> bytes:
    return leaf_data(
        seq=entry.seq,
        at=entry.at,
        action=entry.action,
        actor=entry.actor,
        officer_id=entry.officer_id,
        entity_id=entry.entity_id,
        case_id=entry.case_id,
        detail=entry.detail,
    )


def compute_hash(
    *,
    prev_hash: str,
    seq: int,
    at: dt.datetime,
    action: str,
    actor: str,
    officer_id: int | None,
    entity_id: int | None,
    case_id: int | None,
    detail: str,
) -> str:
    """The hash of one entry, chained to its predecessor."""
    body = leaf_data(
        seq=seq,
        at=at,
        action=action,
        actor=actor,
        officer_id=officer_id,
        entity_id=entity_id,
        case_id=case_id,
        detail=detail,
    )
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + body).hexdigest()


def record(
    session: Session,
    *,
    action: str,
    actor: str | None = None,
    officer_id: int | None = None,
    entity_id: int | None = None,
    case_id: int | None = None,
    detail: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> AuditEntry:
    """Append an entry. Detail must hold no plaintext content or identity."""
    last: Any = _own_head(session)
    if last is None:
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            # Serialise appends across workers so two entries never share a predecessor.
            session.execute(text("SELECT pg_advisory_xact_lock(7277001)"))
        elif dialect == "sqlite":
            # Same for SQLite: take the database's write lock before reading the head (a
            # write statement, even one touching no row, begins the write transaction and
            # waits for other writers), or two processes read the same head and one fails.
            session.execute(text("UPDATE audit_entries SET seq = seq WHERE 0 = 1"))
        last = session.execute(
            select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
        ).first()
    seq = 1 if last is None else last.seq + 1
    prev_hash = GENESIS if last is None else last.hash
    at = (now or utcnow()).astimezone(dt.UTC)
    if actor is None:
        actor = f"officer:{officer_id}" if officer_id is not None else "system"
    detail_text = _canonical(detail or {}).decode("utf-8")
    entry = AuditEntry(
        seq=seq,
        at=at,
        action=action,
        actor=actor,
        officer_id=officer_id,
        entity_id=entity_id,
        case_id=case_id,
        detail=detail_text,
        prev_hash=prev_hash,
        hash=compute_hash(
            prev_hash=prev_hash,
            seq=seq,
            at=at,
            action=action,
            actor=actor,
            officer_id=officer_id,
            entity_id=entity_id,
            case_id=case_id,
            detail=detail_text,
        ),
    )
    session.add(entry)
    # The same entry as a leaf of the Merkle tree, in the same transaction and under the
    # same lock, so the tree never lags the chain (docs/transparency.md).
    tree.append_leaf(session, seq - 1, tlog.leaf_hash(entry_leaf_data(entry)))
    session.flush()
    session.info[_HEAD] = (session.get_transaction(), entry)
    return entry


_HEAD = "integra.audit_head"


def _own_head(session: Session) -> AuditEntry | None:
    """The entry this session appended last, while its transaction still holds the append
    lock (taken by `record`, kept until commit or rollback): no other writer can have
    appended since, so it is the head. None when it cannot be known that way (another
    transaction, or the entry was rolled back with a savepoint or expunged)."""
    held = session.info.get(_HEAD)
    if held is None:
        return None
    transaction, entry = held
    current = session.get_transaction()
    if current is None or transaction is not current or not current.is_active:
        return None
    if not inspect(entry).persistent:
        return None
    return cast(AuditEntry, entry)


@dataclass(frozen=True)
class ChainReport:
    entries: int
    head: str


def iter_entries(session: Session, batch: int = 1000) -> Iterator[AuditEntry]:
    """Entries in insertion order (by primary key), streamed in batches."""
    last_id = 0
    while True:
        rows = (
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.id > last_id)
                .order_by(AuditEntry.id)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
        session.expunge_all()


def verify_chain(session: Session, *, expect_head: str | None = None) -> ChainReport:
    """Check every link; raise AuditChainBroken naming the first bad entry."""
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
    for entry in iter_entries(session):
        if entry.seq != expected_seq:
            raise AuditChainBroken(
                f"entry id {entry.id}: sequence {entry.seq}, expected {expected_seq} "
                "(an entry was removed or reordered)"
            )
        if entry.prev_hash != prev_hash:
            raise AuditChainBroken(f"entry {entry.seq}: does not follow the previous entry")
        recomputed = compute_hash(
            prev_hash=entry.prev_hash,
            seq=entry.seq,
            at=entry.at,
            action=entry.action,
            actor=entry.actor,
            officer_id=entry.officer_id,
            entity_id=entry.entity_id,
            case_id=entry.case_id,
            detail=entry.detail,
        )
        if recomputed != entry.hash:
            raise AuditChainBroken(f"entry {entry.seq}: content does not match its hash")
        prev_hash = entry.hash
        expected_seq += 1
        count += 1
    if expect_head is not None and expect_head != prev_hash:
        raise AuditChainBroken(
            "the chain verifies but its head differs from the recorded head "
            "(entries were removed from the end, or the recorded head is stale)"
        )
    return ChainReport(entries=count, head=prev_hash)
