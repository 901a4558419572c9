"""The public contact form (anonymous, rate-limited, body-capped)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse

from channels.api import ratelimit
from channels.api.ratelimit import client_address
from frenchtext import is_valid_email

from ..service import (
    create_request,
    triage_request,
)

router = APIRouter()


CONTACT_MAX_BODY = 16_384
CONTACT_LIMITS = {"nom": 200, "email": 254, "profession": 120, "arrondissement": 20, "message": 5000}
CONTACT_MIN_MESSAGE = 10


CONTACT_RATE = "10 per 10 minutes"  # per client address


def _parse_arrondissement(value: Any) -> tuple[int | None, str | None]:
    if value in (None, ""):
        return None, None
    text = str(value).strip().lower()
    for suffix in ("ème", "eme", "er", "e"):
        if text.endswith(suffix):
            text = text[: -len(suffix)].strip()
            break
    if text.isdigit():
        n = int(text)
        if 75001 <= n <= 75020:
            n -= 75000
        if n == 75116:
            n = 16
        if 1 <= n <= 20:
            return n, None
    return None, "L'arrondissement doit être un nombre entre 1 et 20 (ou un code postal parisien)."


def _problem(field: str, message: str) -> dict[str, Any]:
    # "champ"/"message" in French; "loc"/"msg" mirror FastAPI's shape for clients that expect it.
    return {"champ": field, "message": message, "loc": ["body", field], "msg": message}


UNDEFINED_ARRONDISSEMENT = {"non defini", "non défini", "pas encore defini", "pas encore défini", "inconnu", "?"}


def validate_contact(body: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    errors: list[dict[str, Any]] = []
    if not isinstance(body, dict):
        return {}, [_problem("corps", "Le corps de la requête doit être un objet JSON.")]
    clean: dict[str, Any] = {}
    for key, maxlen in CONTACT_LIMITS.items():
        value = body.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int))):
            errors.append(_problem(key, "Valeur invalide."))
            clean[key] = ""
            continue
        text = "" if value is None else str(value).strip()
        if len(text) > maxlen:
            errors.append(_problem(key, f"Ce champ est limité à {maxlen} caractères."))
        clean[key] = text
    if not clean.get("nom"):
        errors.append(_problem("nom", "Veuillez indiquer votre nom."))
    mail = clean.get("email", "")
    if not mail:
        errors.append(_problem("email", "Veuillez indiquer votre adresse e-mail."))
    elif not is_valid_email(mail):
        errors.append(_problem("email", "L'adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr)."))
    msg = clean.get("message", "")
    if len(msg) < CONTACT_MIN_MESSAGE:
        errors.append(
            _problem("message", f"Veuillez décrire votre demande (au moins {CONTACT_MIN_MESSAGE} caractères).")
        )
    arr_raw = clean.get("arrondissement", "")
    arr, arr_error = (None, None) if arr_raw.lower() in UNDEFINED_ARRONDISSEMENT else _parse_arrondissement(arr_raw)
    if arr_error:
        errors.append(_problem("arrondissement", arr_error))
    clean["arrondissement"] = arr
    for unknown in sorted(set(body) - set(CONTACT_LIMITS)):
        errors.append(_problem(str(unknown)[:50], "Champ non prévu par le formulaire."))
    return clean, errors


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
    clean, errors = validate_contact(body)
    if errors:
        return JSONResponse({"detail": errors}, status_code=422)
    texte = clean["message"]
    details = []
    if clean["profession"]:
        details.append(f"Profession indiquée : {clean['profession']}")
    if clean["arrondissement"]:
        arr = clean["arrondissement"]
        details.append(f"Arrondissement indiqué : {'1er' if arr == 1 else f'{arr}e'} arrondissement")
    if details:
        texte += "\n\n" + "\n".join(f"— {d}" for d in details)
    request_id = create_request("formulaire", texte, f"{clean['nom']} <{clean['email']}>", classify_now=False)
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
