"""Staff requests store: the one data layer for the hand-off, the staff console and the webinar batch.

Nothing here reads settings: the composition root passes the database URL. Public API::

    Store(url, classifier=None)           the database; .upgrade() applies the Alembic migrations
                                          (request_store/migrations), .create_all() for throwaway test databases
    configure(url, classifier=None)       sets the process's default store (composition root)
    get_store() / open_store(url)         the default store / the store of a URL
    create_request(source, texte, contact=None, transcript=None, sender_id=None, *,
                   idempotency_key=None, classify_now=True, triage=None) -> CreatedRequest(id, created)
                                          on the default store; same key twice creates nothing
    Store methods: get_request, update_request, apply_triage, bulk_update_status, list_requests, add_precision,
                   count_requests, count_by_status, all_requests, find_duplicate, find_by_key, add_audit,
                   purge(cutoff) -> counts, erase_contact(address, actor) -> Erasure
    Triage, CreatedRequest, QueueFilter   typed values
    safe_csv_cell(value) / safe_csv_row   CSV cells a spreadsheet cannot run as formulas
    RequestStoreError                     expected failures, French message
    TooManyRequests                       a conversation created HANDOFFS_PER_HOUR requests within the hour
"""

from __future__ import annotations

from .csvsafe import safe_csv_cell, safe_csv_row
from .errors import RequestStoreError, TooManyRequests
from .models import (
    OPEN_STATUSES,
    PRIORITY_RANK,
    SOURCES,
    STATUSES,
    AuditEntry,
    Base,
    HandledQuestion,
    LoginThrottle,
    RevokedSession,
    StaffRequest,
    StaffUser,
    utcnow,
)
from .store import (
    AUDITED_FIELDS,
    SYSTEM_ACTOR,
    Classifier,
    CreatedRequest,
    Erasure,
    QueueFilter,
    Store,
    Triage,
    configure,
    create_request,
    dispose_all,
    get_store,
    open_store,
)

__all__ = [
    "AUDITED_FIELDS",
    "OPEN_STATUSES",
    "PRIORITY_RANK",
    "SOURCES",
    "STATUSES",
    "SYSTEM_ACTOR",
    "AuditEntry",
    "Base",
    "Classifier",
    "CreatedRequest",
    "Erasure",
    "HandledQuestion",
    "LoginThrottle",
    "QueueFilter",
    "RequestStoreError",
    "RevokedSession",
    "StaffRequest",
    "StaffUser",
    "Store",
    "TooManyRequests",
    "Triage",
    "configure",
    "create_request",
    "dispose_all",
    "get_store",
    "open_store",
    "safe_csv_cell",
    "safe_csv_row",
    "utcnow",
]
