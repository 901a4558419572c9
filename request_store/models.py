"""Database schema of the application (SQLAlchemy 2): staff requests, their audit trail, staff accounts.

Schema changes go through an Alembic migration (``migrations/`` at the project root); ``Base.metadata``
is what Alembic compares against.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

STATUSES = ("nouvelle", "en_cours", "repondue", "close")
OPEN_STATUSES = ("nouvelle", "en_cours")
SOURCES = ("chat", "formulaire", "import", "webinaire")
PRIORITY_RANK = {"haute": 0, "normale": 1, "basse": 2}


def utcnow() -> datetime:
    """Naive UTC now (the columns store naive UTC datetimes)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Bumped by a password change, a disable or « unlock »: every session token carrying an older value is refused.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def display_name(self) -> str:
        return self.name or self.email


class LoginThrottle(Base):
    """Failed login counter per key (account + client address), so an outsider cannot lock a real account."""

    __tablename__ = "staff_login_throttle"

    email: Mapped[str] = mapped_column(String(400), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)


class RevokedSession(Base):
    """Sessions ended by « Se déconnecter »: their signed token is refused until it would have expired."""

    __tablename__ = "staff_revoked_sessions"

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class StaffRequest(Base):
    __tablename__ = "staff_requests"
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_staff_requests_idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20), index=True)
    texte: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(500), nullable=True)
    sender_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    transcript: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    # Set by callers that may retry (chat hand-off, webinar push): a second create with the same key creates nothing.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    status: Mapped[str] = mapped_column(String(20), default="nouvelle", index=True)
    assignee: Mapped[str | None] = mapped_column(String(254), nullable=True)

    theme: Mapped[str | None] = mapped_column(String(30), nullable=True, index=True)
    professions: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    arrondissement: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    zone_ars: Mapped[str | None] = mapped_column(String(30), nullable=True)
    priorite: Mapped[str] = mapped_column(String(10), default="normale")
    priorite_rang: Mapped[int] = mapped_column(Integer, default=1, index=True)
    priorite_raison: Mapped[str | None] = mapped_column(Text, nullable=True)
    estimate: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    partenaires: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    brouillon: Mapped[str | None] = mapped_column(Text, nullable=True)
    classification: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    reponse: Mapped[str | None] = mapped_column(Text, nullable=True)
    reponse_par: Mapped[str | None] = mapped_column(String(20), nullable=True)  # "assistant" | "equipe"
    answered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    audit: Mapped[list[AuditEntry]] = relationship(
        back_populates="request", order_by="AuditEntry.id", cascade="all, delete-orphan"
    )


class AuditEntry(Base):
    __tablename__ = "staff_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("staff_requests.id"), nullable=True, index=True)
    actor: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    field: Mapped[str] = mapped_column(String(50))
    old: Mapped[str | None] = mapped_column(Text, nullable=True)
    new: Mapped[str | None] = mapped_column(Text, nullable=True)

    request: Mapped[StaffRequest | None] = relationship(back_populates="audit")


class HandledQuestion(Base):
    """A group of declined questions marked as handled in the console (``key``: the folded question text).

    The group stays hidden until a request with the same key arrives after ``handled_at``."""

    __tablename__ = "staff_handled_questions"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    actor: Mapped[str] = mapped_column(String(254))
    handled_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
