"""Shared pieces of the staff console's routes: rendering with CSP, session and CSRF dependencies, helpers."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markdown_it import MarkdownIt
from markupsafe import Markup

from . import config
from .classify import theme_label
from .security import (
    SESSION_COOKIE,
    StaffSession,
    csrf_matches,
    read_session_token,
)
from .storage import ensure_storage

HERE = Path(__file__).resolve().parent
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
templates = Jinja2Templates(directory=str(HERE / "templates"))

STATUS_LABELS = {"nouvelle": "Nouvelle", "en_cours": "En cours", "repondue": "Répondue", "close": "Close"}
SOURCE_LABELS = {
    "chat": "Assistant en ligne",
    "formulaire": "Formulaire de contact",
    "import": "Courriel importé",
    "webinaire": "Webinaire",
}
PRIORITY_LABELS = {"haute": "Haute", "normale": "Normale", "basse": "Basse"}
ANONYMOUS_ROUTES = {"staff_login_form", "staff_login", "staff_contact"}


def _css() -> str:
    return (HERE / "templates" / "staff.css").read_text(encoding="utf-8")


def _base_path(request: Request) -> str:
    return request.url_for("staff_queue").path.rstrip("/")


def _security_headers(response: Response, nonce: str) -> Response:
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)

    def path(name: str, **params: Any) -> str:
        return request.url_for(name, **{k: str(v) for k, v in params.items()}).path

    context.update(
        request=request,
        css=Markup(_css()),
        nonce=nonce,
        path=path,
        theme_label=theme_label,
        status_labels=STATUS_LABELS,
        source_labels=SOURCE_LABELS,
        priority_labels=PRIORITY_LABELS,
    )
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    _security_headers(response, nonce)
    return response


# --- authentication ---------------------------------------------------------------------------


def _wants_html(request: Request) -> bool:
    return "/api/" not in request.url.path


def require_session(request: Request) -> StaffSession:
    """Dependency: the current staff session, or a redirect to the login page (401 for the JSON API)."""
    ensure_storage()
    sess = read_session_token(request.cookies.get(SESSION_COOKIE))
    if sess is not None:
        return sess
    if _wants_html(request) and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        login = request.url_for("staff_login_form").path + "?" + urlencode({"suite": target})
        raise HTTPException(status_code=303, detail="Authentification requise.", headers={"Location": login})
    raise HTTPException(status_code=401, detail="Authentification requise : connectez-vous à la console.")


async def require_csrf(request: Request, sess: StaffSession = Depends(require_session)) -> StaffSession:
    """Dependency for state-changing routes: session + CSRF token (form field or X-CSRF-Token header)."""
    token = request.headers.get("x-csrf-token")
    if token is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            field = form.get("csrf")
            token = field if isinstance(field, str) else None
    if not csrf_matches(sess.csrf, token if isinstance(token, str) else None):
        raise HTTPException(status_code=403, detail="Jeton de sécurité (CSRF) absent ou invalide : rechargez la page.")
    return sess


def _safe_next(request: Request, target: str | None) -> str:
    base = _base_path(request)
    if target and target.startswith(base + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return request.url_for("staff_queue").path


def _set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=_base_path(request) or "/",
        secure=config.current().cookie_secure,
        httponly=True,
        samesite="lax",
    )


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _back(request: Request, request_id: int, ok: str) -> RedirectResponse:
    url = request.url_for("staff_request", request_id=str(request_id)).path + "?" + urlencode({"ok": ok})
    return RedirectResponse(url, status_code=303)


def _error_page(request: Request, sess: StaffSession, message: str, code: int = 400) -> HTMLResponse:
    return render(request, "error.html", status_code=code, user=sess.user, csrf=sess.csrf, message=message)
