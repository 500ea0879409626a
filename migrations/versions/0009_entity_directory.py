"""Many entities on one install: directory fields, search text, disabling (issue 13).

Adds the acronym, sector and region a complainant may search by, `search_text` (those
words and the name folded: lower case, no accents; core.access.directory), and `active`
(a disabled entity receives no new complaints). Existing entities keep the slug they got
from their name at `integra init` (already their `/e/<slug>/` address) and get their
search text from their name and slug. On PostgreSQL a GIN index serves the Spanish
stemmer over the words as written, accents included (the
Snowball stemmer needs them: "educación" -> "educ", "educacion" stays whole).

Revision ID: 0009
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.access.directory import search_text

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None

FTS_INDEX = "ix_entities_search_fts"


def upgrade() -> None:
    with op.batch_alter_table("entities", recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("acronym", sa.String(length=32), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("sector", sa.String(length=100), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("region", sa.String(length=100), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name, slug FROM entities")).all()
    for entity_id, name, slug in rows:
        conn.execute(
            sa.text("UPDATE entities SET search_text = :t WHERE id = :id"),
            {"t": search_text(name=name, slug=slug), "id": entity_id},
        )
    if conn.dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX {FTS_INDEX} ON entities "
            "USING gin (to_tsvector('spanish'::regconfig, (((((((name)::text || ' '::text) "
            "|| (acronym)::text) || ' '::text) || (sector)::text) || ' '::text) "
            "|| (region)::text)))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX {FTS_INDEX}")
    # SQLite 3.35+ drops a column in place: no table copy that would trip the foreign keys.
    with op.batch_alter_table("entities", recreate="never") as batch_op:
        batch_op.drop_column("active")
        batch_op.drop_column("search_text")
        batch_op.drop_column("region")
        batch_op.drop_column("sector")
        batch_op.drop_column("acronym")
