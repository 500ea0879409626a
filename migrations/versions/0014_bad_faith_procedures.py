"""Bad faith as a procedure on the complaint and the person (DL 14; RG 11): its own table,
and its clocks linked to it.

Revision ID: 0014
Revises: 0011
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.storage.db

revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bad_faith_procedures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=40), nullable=False),
        sa.Column("bad_faith_type", sa.String(length=40), nullable=False),
        sa.Column("started_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "alegaciones_received_at", core.storage.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("decided_at", core.storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("upheld", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_bad_faith_procedures_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bad_faith_procedures")),
    )
    with op.batch_alter_table("bad_faith_procedures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bad_faith_procedures_case_id"), ["case_id"], unique=False
        )
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bad_faith_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_deadlines_bad_faith_id_bad_faith_procedures"),
            "bad_faith_procedures",
            ["bad_faith_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_deadlines_bad_faith_id_bad_faith_procedures"), type_="foreignkey"
        )
        batch_op.drop_column("bad_faith_id")
    with op.batch_alter_table("bad_faith_procedures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bad_faith_procedures_case_id"))
    op.drop_table("bad_faith_procedures")
