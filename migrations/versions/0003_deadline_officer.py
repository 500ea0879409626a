"""Deadlines carry the case's assigned officer, indexed for one officer's due view.

Before this revision the officer's due/overdue view filtered the office's open clocks
through a join on cases, so its cost grew with the other officers' clocks due on the same
days (bench/inbox_scale.py measured 1.99x from 1k to 1M cases on PostgreSQL).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("officer_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_deadlines_officer_id_officers"), "officers", ["officer_id"], ["id"]
        )
    op.execute(
        "UPDATE deadlines SET officer_id = "
        "(SELECT cases.assigned_officer_id FROM cases WHERE cases.id = deadlines.case_id)"
    )
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deadlines_officer_open",
            ["entity_id", "officer_id", "satisfied_at", "due_on", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_deadlines_officer_open")
        batch_op.drop_constraint(batch_op.f("fk_deadlines_officer_id_officers"), type_="foreignkey")
        batch_op.drop_column("officer_id")
