"""Key rotations (progress of re-addressing sealed objects to a new key); retention:
per-entity rules, legal holds, and the shredded mark that turns a case into a tombstone;
officers' opt-in to deadline notices by e-mail and the entity's counts-only choice.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.storage.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "key_rotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("old_recipient", sa.Text(), nullable=False),
        sa.Column("new_recipient", sa.Text(), nullable=False),
        sa.Column("started_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", core.storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("rewrapped", sa.BigInteger(), nullable=False),
        sa.Column("skipped", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_key_rotations_entity_id_entities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_rotations")),
    )
    op.create_index(
        "ix_key_rotations_entity",
        "key_rotations",
        ["entity_id", "purpose", "finished_at"],
        unique=False,
    )
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("reason_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("placed_at", core.storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("released_at", core.storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_legal_holds_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_legal_holds_officer_id_officers")
        ),
        sa.ForeignKeyConstraint(
            ["released_by"], ["officers.id"], name=op.f("fk_legal_holds_released_by_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    op.create_index(op.f("ix_legal_holds_case_id"), "legal_holds", ["case_id"], unique=False)
    op.create_table(
        "retention_rules",
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("keep_years", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_retention_rules_entity_id_entities")
        ),
        sa.PrimaryKeyConstraint("entity_id", "outcome", name=op.f("pk_retention_rules")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("shredded_at", core.storage.db.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notify_counts_only", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("officers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notify_opt_in", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("notify_email", sa.String(length=254), nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite >= 3.35): recreating these tables would fail on the
    # foreign keys that point at them once they hold data.
    with op.batch_alter_table("officers", recreate="never") as batch_op:
        batch_op.drop_column("notify_email")
        batch_op.drop_column("notify_opt_in")
    with op.batch_alter_table("entities", recreate="never") as batch_op:
        batch_op.drop_column("notify_counts_only")
    with op.batch_alter_table("cases", recreate="never") as batch_op:
        batch_op.drop_column("shredded_at")
    op.drop_table("retention_rules")
    op.drop_index(op.f("ix_legal_holds_case_id"), table_name="legal_holds")
    op.drop_table("legal_holds")
    op.drop_index("ix_key_rotations_entity", table_name="key_rotations")
    op.drop_table("key_rotations")
