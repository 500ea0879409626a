"""Many entities on one install: directory fields, search text, disabling (issue 13).

Adds the acronym, sector and region a complainant may search by, `search_text` (those
words and the name folded: lower case, no accents; core.access.directory), and `active`
(a disabled entity receives no new complaints), and the table `entity_terms`: each word of
the search text, so a prefix search is a B-tree range whatever the number of entities. Existing entities keep the slug they got
from their name at `integra init` (already their `/e/<slug>/` address) and get their
search text from their name and slug. On PostgreSQL a GIN index serves the Spanish
stemmer over the words as written, accents included (the
Snowball stemmer needs them: "educación" -> "educ", "educacion" stays whole).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.access.directory import search_text
from core.access.directory import terms_of

revision = "0009"
down_revision = "0008"
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
    op.create_table(
        "entity_terms",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_entity_terms_entity_id_entities")
        ),
        sa.PrimaryKeyConstraint("term", "entity_id", name=op.f("pk_entity_terms")),
    )
    with op.batch_alter_table("entity_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entity_terms_entity_id"), ["entity_id"], unique=False)
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name, slug FROM entities")).all()
    for entity_id, name, slug in rows:
        folded = search_text(name=name, slug=slug)
        conn.execute(
            sa.text("UPDATE entities SET search_text = :t WHERE id = :id"),
            {"t": folded, "id": entity_id},
        )
        for term in terms_of(folded):
            conn.execute(
                sa.text("INSERT INTO entity_terms (term, entity_id) VALUES (:t, :id)"),
                {"t": term, "id": entity_id},
            )
    if conn.dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX {FTS_INDEX} ON entities "
            "USING gin (to_tsvector('spanish'::regconfig, (((((((name)::text || ' '::text) "
            "|| (acronym)::text) || ' '::text) || (sector)::text) || ' '::text) "
            "|| (region)::text)))"
        )


def downgrade() -> None:
    with op.batch_alter_table("entity_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_terms_entity_id"))
    op.drop_table("entity_terms")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX {FTS_INDEX}")
    # SQLite 3.35+ drops a column in place: no table copy that would trip the foreign keys.
    with op.batch_alter_table("entities", recreate="never") as batch_op:
        batch_op.drop_column("active")
        batch_op.drop_column("search_text")
        batch_op.drop_column("region")
        batch_op.drop_column("sector")
        batch_op.drop_column("acronym")
