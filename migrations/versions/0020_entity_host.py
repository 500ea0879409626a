"""An entity may have a host name of its own (denuncias.ate.gob.pe): the intake answers it
with that entity's address and form (issue 13).

Revision ID: 0020
Revises: 0014
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("host", sa.String(length=253), nullable=True))
        batch_op.create_index(batch_op.f("ix_entities_host"), ["host"], unique=True)


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place: no table copy that would trip the foreign keys.
    with op.batch_alter_table("entities", recreate="never") as batch_op:
        batch_op.drop_index(batch_op.f("ix_entities_host"))
        batch_op.drop_column("host")
