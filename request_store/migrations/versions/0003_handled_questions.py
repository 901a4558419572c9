"""Declined questions marked as handled in the console (« Questions non couvertes »).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_handled_questions",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("handled_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("staff_handled_questions")
