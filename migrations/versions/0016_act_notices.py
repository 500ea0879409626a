"""An act may carry a text for the complainant, sealed to the office and the complainant
(case_events.notice_sealed), apart from the office's internal reasoning; what the complainant
sent that no officer opened yet has a partial index for the inbox (ix_messages_unread), and
what they sent before this revision counts as read (issue 12).

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

UNREAD = "direction = 'from_complainant' AND read_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notice_sealed", sa.LargeBinary(), nullable=True))
    # Until now nothing recorded the office reading a complainant's message: what was sent
    # before counts as read, so the inbox does not mark every old message as new.
    op.execute(
        "UPDATE messages SET read_at = created_at "
        "WHERE direction = 'from_complainant' AND read_at IS NULL"
    )
    op.create_index(
        "ix_messages_unread",
        "messages",
        ["case_id"],
        sqlite_where=sa.text(UNREAD),
        postgresql_where=sa.text(UNREAD),
    )


def downgrade() -> None:
    op.drop_index("ix_messages_unread", table_name="messages")
    # SQLite 3.35+ drops a column in place: no table copy that would trip the foreign keys.
    with op.batch_alter_table("case_events", recreate="never") as batch_op:
        batch_op.drop_column("notice_sealed")
