"""JSON API of the console (session + CSRF header)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from request_store import StaffRequest

from ..classify import classify
from ..deps import (
    require_csrf,
    require_session,
)
from ..security import (
    StaffError,
    StaffSession,
)
from ..service import (
    QueueFilter,
    get_request,
    list_requests,
)

router = APIRouter()


def request_to_dict(req: StaffRequest) -> dict[str, Any]:
    return {
        "id": req.id,
        "source": req.source,
        "texte": req.texte,
        "contact": req.contact,
        "sender_id": req.sender_id,
        "transcript": req.transcript,
        "created_at": req.created_at.isoformat(),
        "status": req.status,
        "assignee": req.assignee,
        "theme": req.theme,
        "professions": req.professions or [],
        "arrondissement": req.arrondissement,
        "zone_ars": req.zone_ars,
        "priorite": {"niveau": req.priorite, "raison": req.priorite_raison},
        "estimate": {k: v for k, v in (req.estimate or {}).items() if not k.startswith("_")} or None,
        "partenaires": req.partenaires or [],
        "brouillon": req.brouillon,
        "reponse": req.reponse,
        "reponse_par": req.reponse_par,
    }


@router.get("/api/demandes", name="staff_api_list")
def api_list(
    theme: str | None = None,
    arrondissement: int | None = None,
    statut: str | None = None,
    sess: StaffSession = Depends(require_session),
) -> JSONResponse:
    reqs = list_requests(QueueFilter(theme=theme, arrondissement=arrondissement, status=statut))
    return JSONResponse([request_to_dict(r) for r in reqs], headers={"Cache-Control": "no-store"})


@router.get("/api/demandes/{request_id}", name="staff_api_get")
def api_get(request_id: int, sess: StaffSession = Depends(require_session)) -> JSONResponse:
    try:
        req = get_request(request_id)
    except StaffError as exc:
        raise HTTPException(status_code=404, detail=exc.message) from exc
    data = request_to_dict(req)
    data["audit"] = [
        {"actor": a.actor, "at": a.at.isoformat(), "field": a.field, "old": a.old, "new": a.new} for a in req.audit
    ]
    return JSONResponse(data, headers={"Cache-Control": "no-store"})


@router.post("/api/classify", name="staff_api_classify")
async def api_classify(request: Request, sess: StaffSession = Depends(require_csrf)) -> JSONResponse:
    try:
        body = await request.json()
        texte = str(body["texte"])
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"detail": 'Corps attendu : {"texte": "..."}.'}, status_code=422)
    return JSONResponse(classify(texte))
