"""One request: page, answer, assignment, status, classification."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from request_store import STATUSES

from .. import integrations
from ..classify import THEMES
from ..deps import (
    STATUS_LABELS,
    _back,
    _error_page,
    _int_or_none,
    _markdown,
    render,
    require_csrf,
    require_session,
)
from ..draft import format_eur
from ..security import (
    StaffError,
    StaffSession,
    list_users,
)
from ..service import (
    get_request,
    reclassify,
    record_answer,
    update_request,
)

router = APIRouter()


@router.get("/demandes/{request_id}", response_class=HTMLResponse, name="staff_request")
def request_page(request: Request, request_id: int, sess: StaffSession = Depends(require_session)) -> HTMLResponse:
    try:
        req = get_request(request_id)
    except StaffError as exc:
        return render(request, "error.html", status_code=404, user=sess.user, csrf=sess.csrf, message=exc.message)
    comparison = integrations.compare_estimate(req.estimate) if req.estimate else None
    explanation = None
    if comparison is not None and comparison.explanation:
        explanation = Markup(_markdown.render(comparison.explanation))  # raw HTML disabled: safe
    return render(
        request,
        "request.html",
        user=sess.user,
        csrf=sess.csrf,
        req=req,
        comparison=comparison,
        explanation=explanation,
        format_eur=format_eur,
        users=list_users(),
        themes=THEMES,
        statuses=STATUSES,
        message=request.query_params.get("ok"),
    )


@router.post("/demandes/{request_id}/reponse", name="staff_answer")
async def answer(request: Request, request_id: int, sess: StaffSession = Depends(require_csrf)) -> Response:
    form = await request.form()
    action = str(form.get("action", "enregistrer"))
    try:
        record_answer(request_id, sess.user.email, str(form.get("reponse", "")), sent=action == "envoyer")
    except StaffError as exc:
        return _error_page(request, sess, exc.message)
    msg = "Réponse enregistrée et marquée comme envoyée." if action == "envoyer" else "Réponse enregistrée."
    return _back(request, request_id, msg)


@router.post("/demandes/{request_id}/attribuer", name="staff_assign")
async def assign(request: Request, request_id: int, sess: StaffSession = Depends(require_csrf)) -> Response:
    form = await request.form()
    assignee = str(form.get("assignee", "")).strip().lower() or None
    if assignee and assignee not in {u.email for u in list_users()}:
        return _error_page(request, sess, "Ce membre de l'équipe n'existe pas.")
    try:
        req = get_request(request_id)
        changes: dict[str, Any] = {"assignee": assignee}
        if assignee and req.status == "nouvelle":
            changes["status"] = "en_cours"
        update_request(request_id, sess.user.email, **changes)
    except StaffError as exc:
        return _error_page(request, sess, exc.message)
    return _back(request, request_id, "Attribution enregistrée.")


@router.post("/demandes/{request_id}/statut", name="staff_status")
async def set_status(request: Request, request_id: int, sess: StaffSession = Depends(require_csrf)) -> Response:
    form = await request.form()
    status = str(form.get("statut", ""))
    try:
        update_request(request_id, sess.user.email, status=status)
    except StaffError as exc:
        return _error_page(request, sess, exc.message)
    return _back(request, request_id, f"Statut : {STATUS_LABELS.get(status, status)}.")


@router.post("/demandes/{request_id}/classement", name="staff_reclass")
async def edit_classification(
    request: Request, request_id: int, sess: StaffSession = Depends(require_csrf)
) -> Response:
    form = await request.form()
    try:
        if form.get("action") == "relancer":
            reclassify(request_id, sess.user.email)
            return _back(request, request_id, "Analyse automatique relancée.")
        theme = str(form.get("theme", ""))
        priorite = str(form.get("priorite", ""))
        arr_raw = str(form.get("arrondissement", "")).strip()
        if theme not in THEMES:
            raise StaffError("Thème inconnu.")
        arr = _int_or_none(arr_raw)
        if arr_raw and arr is None:
            raise StaffError("L'arrondissement doit être un nombre entre 1 et 20.")
        update_request(request_id, sess.user.email, theme=theme, priorite=priorite, arrondissement=arr)
    except StaffError as exc:
        return _error_page(request, sess, exc.message)
    return _back(request, request_id, "Classement mis à jour.")
