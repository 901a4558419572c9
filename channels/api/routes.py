"""Routes of the public API. Each one calls a package's public function; errors become French messages.

Every route is rate-limited per client address (``ratelimit``); the relay and the limits are set by the
composition root through :func:`configure`.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException
from fastapi.concurrency import run_in_threadpool

from rules_bridge import Profile

from .ratelimit import per_client
from .relay import HandoffKeeper, RasaRelay, RelayConfig
from .schemas import (
    AskRequest,
    AskResponse,
    ChatRequest,
    ChatResponse,
    ErrorResponse,
    EstimateResponse,
    OrientRequest,
    OrientResponse,
)

log = logging.getLogger(__name__)
router = APIRouter(tags=["assistant"])

# Per client address. A person reads an answer before asking again; a page of the widget sends a few messages a
# minute. Sixty rapid `ask` calls from one address get 429 after the thirtieth.
ASK_RATE = "30/minute"
ORIENT_RATE = "30/minute"
ELIGIBILITY_RATE = "60/minute"
CHAT_RATE = "60/minute"
LIMITED: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorResponse, "description": "Trop de requêtes : réessayer plus tard."}
}

_relay = RasaRelay(RelayConfig())


def configure_relay(config: RelayConfig, keeper: HandoffKeeper | None = None) -> RasaRelay:
    """Set the chat relay (Rasa URLs, action server health check, shared state, hand-off keeper)."""
    global _relay
    _relay = RasaRelay(config, keeper)
    return _relay


def current_relay() -> RasaRelay:
    return _relay


@router.post(
    "/ask",
    response_model=AskResponse,
    responses={422: {"model": ErrorResponse}, **LIMITED},
    summary="Répondre à une question à partir du guide, avec les sources",
    dependencies=[Depends(per_client("ask", ASK_RATE))],
)
async def ask(body: AskRequest) -> dict[str, Any]:
    from knowledge_base import KnowledgeBaseError, answer

    try:
        result = await run_in_threadpool(answer, body.question)
    except KnowledgeBaseError as exc:
        raise HTTPException(422, str(exc)) from exc
    return result.to_contract()


@router.post(
    "/eligibility",
    response_model=EstimateResponse,
    responses={422: {"model": ErrorResponse}, **LIMITED},
    summary="Estimer l'éligibilité à Paris Méd' et l'aide plancher (simulation indicative)",
    dependencies=[Depends(per_client("eligibility", ELIGIBILITY_RATE))],
)
async def eligibility(
    profile: Annotated[
        Profile,
        Body(
            examples=[
                {
                    "professionnels": [
                        {"profession": "medecin_generaliste", "nombre": 2, "secteur": "1"},
                        {"profession": "infirmier", "nombre": 1},
                    ],
                    "code_postal": "75019",
                    "projet": "installation",
                }
            ],
        ),
    ],
) -> dict[str, Any]:
    from rules_bridge import ProfileError, estimate

    try:
        return (await run_in_threadpool(estimate, profile)).to_contract()
    except ProfileError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.post(
    "/orient",
    response_model=OrientResponse,
    response_model_exclude_none=True,
    responses={422: {"model": ErrorResponse}, **LIMITED},
    summary="Indiquer les partenaires à contacter pour un besoin",
    dependencies=[Depends(per_client("orient", ORIENT_RATE))],
)
async def orient(body: OrientRequest) -> dict[str, Any]:
    from rules_bridge import ProfileError
    from rules_bridge import orient as run_orient

    if not body.besoin.strip():
        raise HTTPException(422, "Décrivez votre besoin en quelques mots.")
    try:
        result = await run_in_threadpool(run_orient, body.besoin)
    except ProfileError as exc:
        raise HTTPException(422, str(exc)) from exc
    return result.to_contract()


@router.post(
    "/chat",
    response_model=ChatResponse,
    responses={422: {"model": ErrorResponse}, **LIMITED},
    summary="Envoyer un message à l'assistant (relais vers Rasa)",
    dependencies=[Depends(per_client("chat", CHAT_RATE))],
)
async def chat(body: ChatRequest) -> dict[str, Any]:
    messages, degraded = await _relay.send(body.sender, body.message)
    return {"messages": messages, "degraded": degraded}
