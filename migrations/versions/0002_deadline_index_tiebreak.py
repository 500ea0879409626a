"""Open-deadline index ends with id, so a due day's ties need no sort.

The due/overdue view pages by (due_on, id); without id in the index PostgreSQL
read and sorted every open clock of a due day before returning a page, which
grew with the number of cases (bench/inbox_scale.py).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_deadlines_open")
        batch_op.create_index(
            "ix_deadlines_open", ["entity_id", "satisfied_at", "due_on", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_deadlines_open")
        batch_op.create_index(
            "ix_deadlines_open", ["entity_id", "satisfied_at", "due_on"], unique=False
        )
