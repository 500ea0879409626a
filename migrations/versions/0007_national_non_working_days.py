"""National non-working days (PCM decrees), entered once for every entity.

Revision ID: 0007
Revises: 0012
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.storage.db

revision = "0007"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "national_non_working_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_non_working_days")),
        sa.UniqueConstraint("day", name=op.f("uq_national_non_working_days_day")),
    )


def downgrade() -> None:
    op.drop_table("national_non_working_days")
