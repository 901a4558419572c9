"""The public contact form (anonymous, rate-limited, body-capped)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from channels.api import ratelimit
from channels.api.ratelimit import client_address
from frenchtext import fold, is_valid_email
from rules_bridge import parse_place

from ..service import (
    create_request,
    triage_request,
)

router = APIRouter()


CONTACT_MAX_BODY = 16_384
CONTACT_RATE = "10 per 10 minutes"  # per client address
CONTACT_MIN_MESSAGE = 10
UNDEFINED_ARRONDISSEMENT = {"non defini", "pas encore defini", "inconnu", "?"}  # folded


class ContactForm(BaseModel):
    """The public contact form. Numbers are accepted where text is expected (« arrondissement »: 19); the
    arrondissement is read by the rules bridge's one place parser (« 19e », « 75019 », « Paris Centre »)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True)

    nom: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=1, max_length=254)
    profession: str = Field("", max_length=120)
    arrondissement: int | None = None
    message: str = Field(min_length=CONTACT_MIN_MESSAGE, max_length=5000)

    @field_validator("email")
    @classmethod
    def _valid_email(cls, value: str) -> str:
        if not is_valid_email(value):
            raise ValueError("adresse invalide")
        return value

    @field_validator("arrondissement", mode="before")
    @classmethod
    def _read_arrondissement(cls, value: Any) -> int | None:
        if value is None or isinstance(value, bool) or not isinstance(value, (str, int)):
            return value  # None passes; other types fail as « Valeur invalide »
        text = str(value).strip()
        if not text or fold(text) in UNDEFINED_ARRONDISSEMENT:
            return None
        if len(text) > 40:
            raise ValueError("trop long")
        place = parse_place(text, standalone=True)
        if place.arrondissement is None:
            raise ValueError("arrondissement inconnu")
        return place.arrondissement


def _problem(field: str, message: str) -> dict[str, Any]:
    # "champ"/"message" in French; "loc"/"msg" mirror FastAPI's shape for clients that expect it.
    return {"champ": field, "message": message, "loc": ["body", field], "msg": message}


_REQUIRED = {
    "nom": "Veuillez indiquer votre nom.",
    "email": "Veuillez indiquer votre adresse e-mail.",
    "message": f"Veuillez décrire votre demande (au moins {CONTACT_MIN_MESSAGE} caractères).",
}
_INVALID = {
    "email": "L'adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr).",
    "arrondissement": "L'arrondissement doit être un nombre entre 1 et 20 (ou un code postal parisien).",
}


def _french(error: Any) -> dict[str, Any]:
    """One pydantic error as a French problem naming its field."""
    field = str(error["loc"][0])[:50] if error["loc"] else "corps"
    kind = error["type"]
    if kind == "extra_forbidden":
        return _problem(field, "Champ non prévu par le formulaire.")
    if kind == "string_too_long":
        return _problem(field, f"Ce champ est limité à {error['ctx']['max_length']} caractères.")
    if kind in ("missing", "string_too_short") and field in _REQUIRED:
        return _problem(field, _REQUIRED[field])
    return _problem(field, _INVALID.get(field, "Valeur invalide.") if kind == "value_error" else "Valeur invalide.")


def validate_contact(body: Any) -> tuple[ContactForm | None, list[dict[str, Any]]]:
    if not isinstance(body, dict):
        return None, [_problem("corps", "Le corps de la requête doit être un objet JSON.")]
    try:
        return ContactForm.model_validate(body), []
    except ValidationError as e:
        return None, [_french(err) for err in e.errors()]


@router.post("/api/contact", name="staff_contact")
async def contact(request: Request, background: BackgroundTasks) -> JSONResponse:
    """Public contact form (anonymous): stores the request and triages it after answering."""
    client = client_address(request)
    if not request.headers.get("content-type", "").startswith("application/json"):
        return JSONResponse({"detail": "Le formulaire doit être envoyé au format JSON."}, status_code=415)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > CONTACT_MAX_BODY:
        return JSONResponse({"detail": "Message trop volumineux."}, status_code=413)
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > CONTACT_MAX_BODY:
            return JSONResponse({"detail": "Message trop volumineux."}, status_code=413)
    if ratelimit.current().hit(CONTACT_RATE, "contact", client) is not None:
        return JSONResponse(
            {"detail": "Trop de messages envoyés : veuillez réessayer dans quelques minutes."}, status_code=429
        )
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return JSONResponse(
            {"detail": [_problem("corps", "Le contenu envoyé n'est pas du JSON valide.")]}, status_code=422
        )
    form, errors = validate_contact(body)
    if form is None:
        return JSONResponse({"detail": errors}, status_code=422)
    texte = form.message
    details = []
    if form.profession:
        details.append(f"Profession indiquée : {form.profession}")
    if form.arrondissement:
        arr = form.arrondissement
        details.append(f"Arrondissement indiqué : {'1er' if arr == 1 else f'{arr}e'} arrondissement")
    if details:
        texte += "\n\n" + "\n".join(f"— {d}" for d in details)
    request_id = create_request("formulaire", texte, f"{form.nom} <{form.email}>", classify_now=False)
    background.add_task(triage_request, request_id)
    return JSONResponse(
        {
            "id": request_id,
            "message": (
                f"Merci, votre demande n° {request_id} a bien été transmise à l'équipe Paris Méd'. "
                "Nous vous répondrons par courriel dans les meilleurs délais."
            ),
        },
        status_code=201,
    )
