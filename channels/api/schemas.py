"""Request and response bodies of the public API (documented in OpenAPI at /docs)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from rules_bridge import NonRetenu

MAX_QUESTION = 2000  # characters of a question or a need (a long e-mail fits; a pasted book does not)


class AskRequest(BaseModel):
    question: str = Field(
        ...,
        max_length=MAX_QUESTION,
        description="La question, en français.",
        examples=["Mon cabinet est-il un ERP ?"],
    )


class SourceOut(BaseModel):
    title: str
    section: str
    url: str


class AskResponse(BaseModel):
    answer: str
    answered: bool
    sources: list[SourceOut]
    score: float


class OrientRequest(BaseModel):
    besoin: str = Field(
        ...,
        max_length=MAX_QUESTION,
        description="Le besoin, en quelques mots.",
        examples=["Je cherche un local pour un cabinet de kinés dans le 19e"],
    )


class PartnerOut(BaseModel):
    nom: str
    raison: str
    url: str | None = None  # some partners have no public page (found by the schemathesis probe: was a 500)


class OrientResponse(BaseModel):
    partenaires: list[PartnerOut]
    message: str | None = Field(None, description="Dit quand aucun partenaire de la liste ne correspond au besoin.")


class DetailLine(BaseModel):
    model_config = {"extra": "allow"}
    ligne: str
    montant_eur: float


class EstimateResponse(BaseModel):
    eligible: bool
    motifs: list[str]
    aide_plancher_eur: float
    detail: list[DetailLine]
    partenaires: list[PartnerOut]
    version_grille: str
    hypotheses: list[str]
    non_retenus: list[NonRetenu] = Field(
        default_factory=list, description="Professionnels non comptés dans l'aide plancher, avec la raison."
    )
    composantes: list[str] = Field(
        default_factory=list, description="Composantes du projet financées : travaux, equipement."
    )


class ChatRequest(BaseModel):
    sender: str = Field(..., min_length=1, max_length=128, description="Identifiant de conversation (persistant).")
    message: str = Field(..., min_length=1, max_length=2000, description="Message de l'utilisateur ou payload.")


class ChatResponse(BaseModel):
    messages: list[dict[str, Any]]
    degraded: bool = False


class ErrorResponse(BaseModel):
    detail: str
