"""Acknowledgement v2: the signed message (entity name, attachment hashes) kept sealed.

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL for every case filed before: those keep their v1 acknowledgement, rebuilt from
    # the clear columns and verified as before.
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acknowledgement_sealed", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("acknowledgement_sealed")
