"""The staff console's handle on the request store (``request_store``).

The store of the composition root is used when one is configured (``request_store.configure``); otherwise,
for the CLI and the tests that switch databases by environment, the store of the current settings' URL.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

import request_store
from parismed.config import get_settings
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

_initialised: set[str] = set()


def store() -> Store:
    """The store of the current settings' database, with the console's triage attached."""
    current = request_store.open_store(get_settings().sqlalchemy_url)
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
    if get_settings().sqlalchemy_url not in _initialised:
        init_storage()


def dispose_engines() -> None:
    """Close every store (tests switching databases)."""
    request_store.dispose_all()
    _initialised.clear()
