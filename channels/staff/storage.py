"""The staff console's handle on the request store (``request_store``), at the URL of its configuration."""

from __future__ import annotations

from sqlalchemy.orm import Session

import request_store
from request_store import (  # noqa: F401 - re-exported for the console's modules
    OPEN_STATUSES,
    PRIORITY_RANK,
    SOURCES,
    STATUSES,
    AuditEntry,
    LoginThrottle,
    RevokedSession,
    StaffRequest,
    StaffUser,
    Store,
    utcnow,
)

from . import config

_initialised: set[str] = set()


def store() -> Store:
    """The store of the current settings' database, with the console's triage attached."""
    current = request_store.open_store(config.current().database_url)
    if current.classifier is None:
        from .service import triage_of

        current.classifier = triage_of
    return current


def session() -> Session:
    """A new ORM session bound to the current settings' database."""
    return store().session()


def init_storage() -> None:
    """Bring the schema up to date (idempotent, safe to call at every start-up)."""
    current = store()
    current.upgrade()
    _initialised.add(current.url)


def ensure_storage() -> None:
    """Create the tables once per database URL (for callers outside the app, e.g. the CLI)."""
    if config.current().database_url not in _initialised:
        init_storage()


def dispose_engines() -> None:
    """Close every store (tests switching databases)."""
    request_store.dispose_all()
    _initialised.clear()
    config.forget_fallback()
