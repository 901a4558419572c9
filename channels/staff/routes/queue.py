"""The queue: filters, paging, bulk close."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from request_store import SOURCES, STATUSES

from ..classify import THEMES
from ..deps import (
    _error_page,
    _int_or_none,
    render,
    require_csrf,
    require_session,
)
from ..security import (
    StaffSession,
)
from ..service import (
    QueueFilter,
    count_by_status,
    count_requests,
    list_requests,
)
from ..storage import store

router = APIRouter()


PAGE_SIZE = 50


@router.get("/", response_class=HTMLResponse, name="staff_queue")
def queue(
    request: Request,
    theme: str | None = None,
    arrondissement: str | None = None,
    statut: str | None = None,
    origine: str | None = None,
    page: str | None = None,
    sess: StaffSession = Depends(require_session),
) -> HTMLResponse:
    flt = QueueFilter(
        theme=theme if theme in THEMES else None,
        arrondissement=_int_or_none(arrondissement),
        status=statut if statut in (*STATUSES, "toutes") else None,
        source=origine if origine in SOURCES else None,
        limit=PAGE_SIZE,
    )
    total = count_requests(flt)
    pages = max(1, -(-total // PAGE_SIZE))
    current = min(max(1, _int_or_none(page) or 1), pages)
    flt.offset = (current - 1) * PAGE_SIZE
    params = {
        k: v
        for k, v in {
            "theme": flt.theme,
            "arrondissement": flt.arrondissement,
            "statut": flt.status,
            "origine": flt.source,
        }.items()
        if v
    }

    def page_query(n: int) -> str | None:
        return urlencode({**params, "page": n}) if 1 <= n <= pages and n != current else None

    return render(
        request,
        "queue.html",
        user=sess.user,
        csrf=sess.csrf,
        requests=list_requests(flt),
        flt=flt,
        themes=THEMES,
        statuses=STATUSES,
        sources=SOURCES,
        counts=count_by_status(),
        total=total,
        page=current,
        pages=pages,
        prev_query=page_query(current - 1),
        next_query=page_query(current + 1),
        current_query=urlencode({**params, "page": current}),
        message=request.query_params.get("ok"),
    )


@router.post("/demandes/cloture", name="staff_bulk_close")
async def bulk_close(request: Request, sess: StaffSession = Depends(require_csrf)) -> Response:
    """Close the selected requests at once (one audit entry per request)."""
    form = await request.form()
    ids = [int(v) for v in form.getlist("ids") if isinstance(v, str) and v.isdigit()][:500]
    if not ids:
        return _error_page(request, sess, "Aucune demande sélectionnée.")
    closed = await run_in_threadpool(store().bulk_update_status, ids, sess.user.email, "close")
    back = str(form.get("retour", ""))
    back = back if re.fullmatch(r"[A-Za-z0-9_=&%+.\-]*", back) else ""
    query = urlencode({"ok": f"{closed} demande(s) close(s)."})
    target = request.url_for("staff_queue").path + "?" + (f"{back}&{query}" if back else query)
    return RedirectResponse(target, status_code=303)
