"""The application (FastAPI): public API, web chat page, staff console; the Rasa action server on loopback.

The composition root: it reads the settings and passes them down (database URL, Rasa URLs, limits storage).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

import request_store
from channels import api, staff, web
from channels.api import BodySizeLimit, RelayConfig
from parismed import actions, retention
from parismed.composition import configure_knowledge_base, configure_rules_bridge
from parismed.config import get_settings
from parismed.staff_wiring import configure_staff
from rules_bridge import describe_error

log = logging.getLogger(__name__)


def _warm_up() -> None:
    """Loads the models once at start-up so the first user does not wait."""
    import rules_bridge
    from channels.staff.classify import classify_theme
    from knowledge_base import get_service

    # configured by create_app(); one ranking also loads what the encoders load at their first text (USE's
    # vocabulary table, about 90 MB), so the memory at rest is the memory in use.
    get_service().rank("Mon cabinet est-il un établissement recevant du public ?")
    rules_bridge.warm_up()
    classify_theme("Bonjour, où trouver un local pour notre cabinet ?")  # the triage's e5 engine (staff requests)


API_BODY_LIMIT = 32 * 1024  # /api/v1/*: a question of 2 000 characters is under 10 kB
OTHER_BODY_LIMIT = 256 * 1024  # staff forms (an answer of 20 000 characters), the contact form has its own cap


def _body_limit(path: str) -> int:
    return API_BODY_LIMIT if path.startswith("/api/") else OTHER_BODY_LIMIT


def _keep_conversation(sender: str, history: list[str], key: str) -> int | None:
    """The relay's hand-off when the action server is down: the conversation becomes a staff request."""
    texte = "Conversation transmise automatiquement (assistant partiellement indisponible) :\n" + "\n".join(
        f"- {line}" for line in history
    )
    try:
        return request_store.get_store().create_request("chat", texte, sender_id=sender, idempotency_key=key).id
    except (request_store.RequestStoreError, SQLAlchemyError):
        log.exception("Could not keep conversation %s as a staff request", sender)
        return None


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings = get_settings()
    # Console settings, Alembic migrations, and the request store used by the hand-off action and the webinar push.
    configure_staff(settings)
    server = None
    if settings.serve_actions:
        try:
            server = await actions.start_action_server(settings.actions_host, settings.action_server_port)
        except actions.ActionServerError as exc:
            log.error("%s", exc)
    purge = asyncio.create_task(retention.purge_daily(settings), name="daily-purge")
    if settings.warm_up:
        await run_in_threadpool(_warm_up)
    yield
    purge.cancel()
    if server is not None:
        await actions.stop_action_server(*server)


def _french_validation_error(request: Request, exc: Exception) -> JSONResponse:
    """422 with one French sentence per problem, naming the field as the CLI does (``professionnels[0].nombre``)."""
    assert isinstance(exc, RequestValidationError)  # registered for this exception type only
    messages = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        loc = loc[1:] if loc[:1] == ("body",) else loc
        kind = err.get("type", "")
        field, message = describe_error({**err, "loc": loc})  # the CLI's and the chat's wording, naming the field
        if kind == "json_invalid" or (not loc and kind in ("model_attributes_type", "dict_type", "model_type")):
            messages.append("Le corps de la requête doit être un objet JSON valide.")
        elif kind.startswith("string_too_long"):
            messages.append(f"Le champ « {field} » est trop long.")
        elif kind.startswith("string_too_short"):
            messages.append(f"Le champ « {field} » est vide.")
        else:
            messages.append(message)
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
    settings = get_settings()
    app.add_middleware(BodySizeLimit, limit_for=_body_limit)
    api.ratelimit.configure(settings.rate_limit_storage, enabled=settings.rate_limits)
    actions_health = f"http://{settings.actions_host}:{settings.action_server_port}/health"
    api.configure_relay(
        RelayConfig(
            rasa_urls=settings.rasa_url_list,
            actions_health_url=actions_health,
            state_url=settings.rate_limit_storage,
        ),
        keeper=_keep_conversation,
    )
    configure_knowledge_base()  # paths and models of the guide's index, for the API, actions and console
    configure_rules_bridge(settings)  # active grid version and the versions loaded by staff (parismed grille)

    @app.get("/health", tags=["santé"], summary="L'application répond")
    async def health() -> dict:
        return {"status": "ok"}

    app.include_router(api.router, prefix="/api/v1")
    app.include_router(staff.router, prefix="/staff")
    app.include_router(web.router)
    web.mount_static(app)
    return app


app = create_app()
