"""Case codes are unique per entity, not across the install.

Each entity counts its own codes (D-2026-000001 and on), so a second entity's first
complaint collided with the first entity's and answered 500 (issue 13). The new constraint
on (entity_id, code) is also the index an officer's code search walks.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint("uq_cases_code", type_="unique")
        batch_op.create_unique_constraint("uq_cases_entity_code", ["entity_id", "code"])


def downgrade() -> None:
    # Refuses (as the database will) if two entities now share a code.
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint("uq_cases_entity_code", type_="unique")
        batch_op.create_unique_constraint("uq_cases_code", ["code"])
