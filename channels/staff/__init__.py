"""Staff triage console of the Paris Méd' team.

Public API:
    create_request(source, texte, contact=None, transcript=None, sender_id=None, *, idempotency_key=None) -> int
    triage_of(texte, source) -> request_store.Triage   the console's triage, as the request store's classifier
    classify(texte) -> dict            contract of `parismed triage classify --json`
    record_assistant_answer(id, reponse, sources)  marks a request answered by the assistant (webinar FAQ)
    router                             FastAPI router, mounted by the application under /staff
    configure(StaffConfig)             settings from the composition root (database URL, secret, login limits)
    init_storage()                     brings the schema up to date (Alembic, idempotent), called at start-up
    staff_app, triage_app              typer apps: `parismed staff ...`, `parismed triage ...`
    evaluate_classification() -> dict  triage accuracy on the labelled set (used by `make eval`)
    StaffError                         expected failures, with a French message
"""

from __future__ import annotations

from .classify import classify
from .cli import staff_app, triage_app
from .config import StaffConfig, configure
from .evaluation import evaluate_classification
from .security import StaffError
from .service import create_request, record_assistant_answer, triage_of
from .storage import init_storage
from .web import router

__all__ = [
    "StaffConfig",
    "configure",
    "StaffError",
    "classify",
    "create_request",
    "evaluate_classification",
    "init_storage",
    "record_assistant_answer",
    "router",
    "staff_app",
    "triage_app",
    "triage_of",
]
