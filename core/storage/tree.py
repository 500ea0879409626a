"""The audit log's Merkle tree, stored as its complete subtrees (docs/transparency.md).

Appending leaf i stores its hash at (0, i) and, while i is a right child, the parent
built from the left sibling: at most log2(n) + 1 rows and as many reads, so the cost of an
append does not grow with the log. Any root or proof is then O(log n) lookups of aligned,
complete subtrees (crypto.tlog asks for nothing else).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.storage.models import AuditTreeNode
from crypto import tlog


class TreeCorrupt(tlog.TlogError):
    """A subtree the tree's size promises is missing from the database."""


def _get(session: Session, level: int, idx: int) -> bytes:
    row = session.get(AuditTreeNode, (level, idx))
    if row is None:
        raise TreeCorrupt(f"missing tree node level {level} index {idx}")
    return row.hash


def append_leaf(session: Session, index: int, leaf: bytes) -> None:
    """Add leaf `index` (which must be the next one) and the subtrees it completes."""
    session.add(AuditTreeNode(level=0, idx=index, hash=leaf))
    level, i, h = 0, index, leaf
    while i & 1:
        h = tlog.node_hash(_get(session, level, i - 1), h)
        level, i = level + 1, i >> 1
        session.add(AuditTreeNode(level=level, idx=i, hash=h))


def size(session: Session) -> int:
    last = session.scalar(select(func.max(AuditTreeNode.idx)).where(AuditTreeNode.level == 0))
    return 0 if last is None else int(last) + 1


def reader(session: Session) -> Callable[[int, int], bytes]:
    """A node reader for crypto.tlog over the stored subtrees, cached for one computation."""
    cache: dict[tuple[int, int], bytes] = {}

    def node(level: int, idx: int) -> bytes:
        key = (level, idx)
        if key not in cache:
            cache[key] = _get(session, level, idx)
        return cache[key]

    return node


def root(session: Session, tree_size: int) -> bytes:
    return tlog.root(reader(session), tree_size)
