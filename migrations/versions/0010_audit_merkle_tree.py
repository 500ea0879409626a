"""The audit log as a Merkle tree: stored subtrees, the checkpoint key, signed checkpoints.

Existing entries become the first leaves, in sequence order, with the same canonical
encoding the hash chain already used (core.storage.audit.leaf_data), so the old chain check
keeps working and the tree starts complete.

Revision ID: 0010
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

import core.storage.db
from core.storage.audit import leaf_data

revision = "0010"
down_revision = "0005"
branch_labels = None
depends_on = None


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def upgrade() -> None:
    op.create_table(
        "audit_tree_nodes",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_audit_tree_nodes")),
    )
    op.create_table(
        "audit_log_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("private_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log_keys")),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("issued_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )
    with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_checkpoints_size"), ["size"], unique=False)

    entries = sa.table(
        "audit_entries",
        sa.column("seq", sa.BigInteger()),
        sa.column("at", core.storage.db.UTCDateTime(timezone=True)),
        sa.column("action", sa.String()),
        sa.column("actor", sa.String()),
        sa.column("officer_id", sa.Integer()),
        sa.column("entity_id", sa.Integer()),
        sa.column("case_id", sa.Integer()),
        sa.column("detail", sa.Text()),
    )
    nodes = sa.table(
        "audit_tree_nodes",
        sa.column("level", sa.Integer()),
        sa.column("idx", sa.BigInteger()),
        sa.column("hash", sa.LargeBinary()),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(entries).order_by(entries.c.seq))
    stack: list[tuple[int, int, bytes]] = []  # (level, idx, hash) of the right edge
    batch: list[dict[str, object]] = []
    for index, row in enumerate(rows):
        data = leaf_data(
            seq=row.seq,
            at=row.at,
            action=row.action,
            actor=row.actor,
            officer_id=row.officer_id,
            entity_id=row.entity_id,
            case_id=row.case_id,
            detail=row.detail,
        )
        level, idx, h = 0, index, hashlib.sha256(b"\x00" + data).digest()
        batch.append({"level": level, "idx": idx, "hash": h})
        while stack and stack[-1][0] == level:
            _lvl, _idx, left = stack.pop()
            level, idx, h = level + 1, idx >> 1, _node(left, h)
            batch.append({"level": level, "idx": idx, "hash": h})
        stack.append((level, idx, h))
        if len(batch) >= 5000:
            conn.execute(nodes.insert(), batch)
            batch = []
    if batch:
        conn.execute(nodes.insert(), batch)


def downgrade() -> None:
    with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_checkpoints_size"))
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_log_keys")
    op.drop_table("audit_tree_nodes")
