"""The application (FastAPI): public API, web chat page, staff console, and the Rasa action server."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

import request_store
from channels import api, staff, web
from parismed import actions
from parismed.config import get_settings

log = logging.getLogger(__name__)


def _warm_up() -> None:
    """Loads the models once at start-up so the first user does not wait."""
    import rules_bridge
    from knowledge_base import get_service

    get_service()
    rules_bridge.warm_up()


@asynccontextmanager
async def lifespan(app: FastAPI):
    staff.init_storage()
    # The request store used by the hand-off action and the webinar push, with the console's triage.
    request_store.configure(get_settings().sqlalchemy_url, classifier=staff.triage_of)
    if get_settings().warm_up:
        await run_in_threadpool(_warm_up)
    yield


def _french_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with one French sentence per problem, naming the field."""
    messages = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "corps de la requête"
        kind = err.get("type", "")
        if kind == "missing":
            messages.append(f"Le champ « {field} » est obligatoire.")
        elif kind in ("json_invalid", "model_attributes_type", "dict_type"):
            messages.append("Le corps de la requête doit être un objet JSON valide.")
        elif kind.startswith("string_too_long"):
            messages.append(f"Le champ « {field} » est trop long.")
        elif kind.startswith("string_too_short"):
            messages.append(f"Le champ « {field} » est vide.")
        else:
            messages.append(f"Le champ « {field} » n'a pas le bon format.")
    return JSONResponse({"detail": " ".join(dict.fromkeys(messages))}, status_code=422)


def create_app() -> FastAPI:
    app = FastAPI(
        title="Assistant Paris Méd'",
        version="1.0",
        description="Guide réglementaire, estimation de l'aide plancher Paris Méd' et orientation "
        "vers les partenaires, pour les professionnels de santé qui s'installent à Paris.",
        lifespan=lifespan,
    )
    app.add_exception_handler(RequestValidationError, _french_validation_error)

    @app.get("/health", tags=["santé"], summary="L'application répond")
    async def health() -> dict:
        return {"status": "ok"}

    app.include_router(api.router, prefix="/api/v1")
    app.include_router(actions.router)
    app.include_router(staff.router, prefix="/staff")
    app.include_router(web.router)
    web.mount_static(app)
    return app


app = create_app()
