"""Complaints from every channel: the day a complaint reached the office by another channel;
and RG 4.9: whether a complaint is against the OII's own staff or head (handled by the titular).

Revision ID: 0008
Revises: 0013
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("against_oii", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("against_oii")
        batch_op.drop_column("received_on")
