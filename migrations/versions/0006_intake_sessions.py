"""Server-side follow-up sessions: logout and idle timeout end a copied cookie too.

Revision ID: 0006
Revises: 0010
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.storage.db

revision = "0006"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intake_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("last_seen_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_sessions")),
    )
    with op.batch_alter_table("intake_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intake_sessions_last_seen_at"), ["last_seen_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("intake_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_sessions_last_seen_at"))
    op.drop_table("intake_sessions")
