"""« Questions non couvertes »: what the assistant declined, grouped; a group can be marked as handled."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..declined import declined_groups, mark_handled
from ..deps import _error_page, render, require_csrf, require_session
from ..security import StaffSession

router = APIRouter()


@router.get("/questions-non-couvertes", response_class=HTMLResponse, name="staff_declined")
def declined_page(request: Request, sess: StaffSession = Depends(require_session)) -> HTMLResponse:
    return render(
        request,
        "declined.html",
        user=sess.user,
        csrf=sess.csrf,
        groups=declined_groups(),
        message=request.query_params.get("ok"),
    )


@router.post("/questions-non-couvertes/traiter", name="staff_declined_handle")
async def handle_group(request: Request, sess: StaffSession = Depends(require_csrf)) -> Response:
    form = await request.form()
    group = str(form.get("groupe", "")).strip()
    if not group or group not in {g.key for g in declined_groups()}:
        return _error_page(request, sess, "Ce groupe de questions n'existe pas ou a déjà été traité.")
    mark_handled(group, sess.user.email)
    url = request.url_for("staff_declined").path + "?" + urlencode({"ok": "Groupe marqué comme traité."})
    return RedirectResponse(url, status_code=303)
