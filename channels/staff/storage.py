"""Database schema and engine handling for the staff console (SQLAlchemy 2).

SQLite by default (``get_settings().sqlalchemy_url``), PostgreSQL by URL. One engine per URL,
so tests that point ``PARISMED_VAR_DIR`` at a temporary folder get their own database.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker

from parismed.config import get_settings

STATUSES = ("nouvelle", "en_cours", "repondue", "close")
OPEN_STATUSES = ("nouvelle", "en_cours")
SOURCES = ("chat", "formulaire", "import", "webinaire")
PRIORITY_RANK = {"haute": 0, "normale": 1, "basse": 2}


def utcnow() -> datetime:
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

    @property
    def display_name(self) -> str:
        return self.name or self.email


class LoginThrottle(Base):
    """Failed login counter per e-mail (known or not, so the lock-out reveals nothing)."""

    __tablename__ = "staff_login_throttle"

    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class RevokedSession(Base):
    """Sessions ended by « Se déconnecter »: their signed token is refused until it would have expired."""

    __tablename__ = "staff_revoked_sessions"

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class StaffRequest(Base):
    __tablename__ = "staff_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20), index=True)
    texte: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(500), nullable=True)
    sender_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    transcript: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
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
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    field: Mapped[str] = mapped_column(String(50))
    old: Mapped[str | None] = mapped_column(Text, nullable=True)
    new: Mapped[str | None] = mapped_column(Text, nullable=True)

    request: Mapped[StaffRequest | None] = relationship(back_populates="audit")


_engines: dict[str, Engine] = {}
_factories: dict[str, sessionmaker[Session]] = {}
_lock = threading.Lock()


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        if ":///" in url and not url.endswith(":memory:"):
            get_settings().var_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def get_engine() -> Engine:
    url = get_settings().sqlalchemy_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _make_engine(url)
            _engines[url] = engine
            _factories[url] = sessionmaker(engine, expire_on_commit=False)
        return engine


def session() -> Session:
    """A new ORM session bound to the current settings' database."""
    get_engine()
    return _factories[get_settings().sqlalchemy_url]()


_initialised: set[str] = set()


def init_storage() -> None:
    """Create the tables if missing (idempotent, safe to call at every start-up)."""
    engine = get_engine()
    Base.metadata.create_all(engine)
    _initialised.add(get_settings().sqlalchemy_url)


def ensure_storage() -> None:
    """Create the tables once per database URL (for callers outside the app, e.g. Rasa actions, CLI)."""
    if get_settings().sqlalchemy_url not in _initialised:
        init_storage()


def dispose_engines() -> None:
    """Close every engine (tests switching databases)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _factories.clear()
        _initialised.clear()
