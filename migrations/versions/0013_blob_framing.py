"""Blobs record how their plaintext is framed: "" (as is) or "tar" (a file framed as a
one-member tar archive and padded to a Padmé length, core/storage/padding.py).

Every blob stored so far holds its plaintext as is, so existing rows get "".

Revision ID: 0013
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("blobs", sa.Column("framing", sa.String(8), nullable=False, server_default=""))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite >= 3.35 too): a batch copy of `blobs` would trip the foreign
    # keys that point at it once it holds data.
    op.execute("ALTER TABLE blobs DROP COLUMN framing")
