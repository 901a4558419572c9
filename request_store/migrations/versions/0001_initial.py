"""Initial schema: staff accounts, login throttle, revoked sessions, requests, audit trail.

This is the schema the application created with ``create_all`` before migrations existed: a database from that
time is stamped at this revision and upgraded from there.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_staff_users_email", "staff_users", ["email"], unique=True)
    op.create_table(
        "staff_login_throttle",
        sa.Column("email", sa.String(254), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "staff_revoked_sessions",
        sa.Column("session_id", sa.String(64), primary_key=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_staff_revoked_sessions_expires_at", "staff_revoked_sessions", ["expires_at"])
    op.create_table(
        "staff_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("texte", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(500), nullable=True),
        sa.Column("sender_id", sa.String(200), nullable=True),
        sa.Column("transcript", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("assignee", sa.String(254), nullable=True),
        sa.Column("theme", sa.String(30), nullable=True),
        sa.Column("professions", sa.JSON(), nullable=True),
        sa.Column("arrondissement", sa.Integer(), nullable=True),
        sa.Column("zone_ars", sa.String(30), nullable=True),
        sa.Column("priorite", sa.String(10), nullable=False),
        sa.Column("priorite_rang", sa.Integer(), nullable=False),
        sa.Column("priorite_raison", sa.Text(), nullable=True),
        sa.Column("estimate", sa.JSON(), nullable=True),
        sa.Column("partenaires", sa.JSON(), nullable=True),
        sa.Column("brouillon", sa.Text(), nullable=True),
        sa.Column("classification", sa.JSON(), nullable=True),
        sa.Column("reponse", sa.Text(), nullable=True),
        sa.Column("reponse_par", sa.String(20), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
    )
    for column in ("source", "sender_id", "created_at", "status", "theme", "arrondissement", "priorite_rang"):
        op.create_index(f"ix_staff_requests_{column}", "staff_requests", [column])
    op.create_table(
        "staff_audit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("staff_requests.id"), nullable=True),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("field", sa.String(50), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
    )
    op.create_index("ix_staff_audit_request_id", "staff_audit", ["request_id"])


def downgrade() -> None:
    op.drop_table("staff_audit")
    op.drop_table("staff_requests")
    op.drop_table("staff_revoked_sessions")
    op.drop_table("staff_login_throttle")
    op.drop_table("staff_users")
