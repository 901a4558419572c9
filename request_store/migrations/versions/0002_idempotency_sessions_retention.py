"""Idempotency key on requests, session epoch on accounts, longer throttle keys, indexes used by the purge.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_requests") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(200), nullable=True))
        batch.create_unique_constraint("uq_staff_requests_idempotency_key", ["idempotency_key"])
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("staff_login_throttle") as batch:
        batch.alter_column("email", existing_type=sa.String(254), type_=sa.String(400))
    op.create_index("ix_staff_login_throttle_last_failure_at", "staff_login_throttle", ["last_failure_at"])
    op.create_index("ix_staff_audit_at", "staff_audit", ["at"])


def downgrade() -> None:
    op.drop_index("ix_staff_audit_at", "staff_audit")
    op.drop_index("ix_staff_login_throttle_last_failure_at", "staff_login_throttle")
    with op.batch_alter_table("staff_login_throttle") as batch:
        batch.alter_column("email", existing_type=sa.String(400), type_=sa.String(254))
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("session_epoch")
    with op.batch_alter_table("staff_requests") as batch:
        batch.drop_constraint("uq_staff_requests_idempotency_key", type_="unique")
        batch.drop_column("idempotency_key")
