"""An act may carry a text for the complainant, sealed to the office and the complainant
(case_events.notice_sealed), apart from the office's internal reasoning (issue 12).

Revision ID: 0016
Revises: 0020
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notice_sealed", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place: no table copy that would trip the foreign keys.
    with op.batch_alter_table("case_events", recreate="never") as batch_op:
        batch_op.drop_column("notice_sealed")
