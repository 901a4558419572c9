"""Routes of the public API. Each one calls a package's public function; errors become French messages."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from fastapi import APIRouter, Body, HTTPException
from fastapi.concurrency import run_in_threadpool

from parismed.config import get_settings

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

RASA_DOWN = (
    "L'assistant conversationnel redémarre ou est momentanément indisponible. Réessayez dans une "
    "minute ; vous pouvez aussi écrire à l'équipe Paris Méd' avec le formulaire de contact de la page."
)
FAILURE = "Le service a rencontré un problème inattendu. Réessayez ou contactez l'équipe Paris Méd'."


@router.post(
    "/ask",
    response_model=AskResponse,
    responses={422: {"model": ErrorResponse}},
    summary="Répondre à une question à partir du guide, avec les sources",
)
async def ask(body: AskRequest) -> dict:
    from knowledge_base import KnowledgeBaseError, answer

    try:
        result = await run_in_threadpool(answer, body.question)
    except KnowledgeBaseError as exc:
        raise HTTPException(422, str(exc)) from exc
    return result.to_contract()


@router.post(
    "/eligibility",
    response_model=EstimateResponse,
    responses={422: {"model": ErrorResponse}},
    summary="Estimer l'éligibilité à Paris Méd' et l'aide plancher (simulation indicative)",
)
async def eligibility(
    profile: dict[str, Any] = Body(
        ...,
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
) -> dict:
    from rules_bridge import ProfileError, estimate

    try:
        return estimate(profile).to_contract()
    except ProfileError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.post(
    "/orient",
    response_model=OrientResponse,
    responses={422: {"model": ErrorResponse}},
    summary="Indiquer les partenaires à contacter pour un besoin",
)
async def orient(body: OrientRequest) -> dict:
    from rules_bridge import ProfileError
    from rules_bridge import orient as run_orient

    if not body.besoin.strip():
        raise HTTPException(422, "Décrivez votre besoin en quelques mots.")
    try:
        result = await run_in_threadpool(run_orient, body.besoin)
    except ProfileError as exc:
        raise HTTPException(422, str(exc)) from exc
    return result.to_contract()


@router.post("/chat", response_model=ChatResponse, summary="Envoyer un message à l'assistant (relais vers Rasa)")
async def chat(body: ChatRequest) -> dict:
    settings = get_settings()
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            reply = await client.post(
                f"{settings.rasa_url}/webhooks/rest/webhook", json={"sender": body.sender, "message": body.message}
            )
        reply.raise_for_status()
        return {"messages": reply.json(), "degraded": False}
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("Rasa unreachable: %s", exc)
        return {"messages": [{"recipient_id": body.sender, "text": RASA_DOWN}], "degraded": True}
