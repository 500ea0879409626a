"""Key rotations: progress of re-addressing an entity's sealed objects to a new key.

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.storage.db

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "key_rotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("old_recipient", sa.Text(), nullable=False),
        sa.Column("new_recipient", sa.Text(), nullable=False),
        sa.Column("started_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", core.storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("rewrapped", sa.BigInteger(), nullable=False),
        sa.Column("skipped", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_key_rotations_entity_id_entities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_rotations")),
    )
    op.create_index(
        "ix_key_rotations_entity",
        "key_rotations",
        ["entity_id", "purpose", "finished_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_key_rotations_entity", table_name="key_rotations")
    op.drop_table("key_rotations")
