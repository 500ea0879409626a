"""Each case records the legal regime fixed at its filing (core/law/regime.py).

Every case filed so far was filed under the only regime this version knows, D.Leg. 1327 with
its Reglamento as amended by D.S. 002-2020-JUS (in force from 6 February 2020), so existing
rows get that regime's id. The id is written here as a literal: a revision must not change
when the code's list of regimes grows.

Revision ID: 0012
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0006"
branch_labels = None
depends_on = None

REGIME_AT_THIS_REVISION = "DS-002-2020-JUS"


def upgrade() -> None:
    # One ALTER TABLE … ADD COLUMN … NOT NULL DEFAULT: existing rows take the default. SQLite
    # cannot drop a column default without recreating the table, which the foreign keys that
    # point at `cases` forbid once it holds data, so there the default stays (every insert
    # goes through the model, which names the regime at filing); PostgreSQL drops it.
    with op.batch_alter_table("cases", recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column(
                "regime",
                sa.String(length=40),
                nullable=False,
                server_default=REGIME_AT_THIS_REVISION,
            )
        )
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("cases", "regime", server_default=None)


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite >= 3.35), as in 0005.
    with op.batch_alter_table("cases", recreate="never") as batch_op:
        batch_op.drop_column("regime")
