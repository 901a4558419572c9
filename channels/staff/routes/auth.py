"""Login, logout."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from channels.api.ratelimit import client_address

from ..deps import (
    _base_path,
    _safe_next,
    _set_cookie,
    render,
    require_csrf,
)
from ..security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    StaffSession,
    authenticate,
    check_login_csrf,
    make_login_csrf,
    make_session_token,
    revoke_session,
)
from ..storage import ensure_storage

router = APIRouter()


@router.get("/login", response_class=HTMLResponse, name="staff_login_form")
def login_form(request: Request, suite: str | None = None) -> HTMLResponse:
    token, cookie = make_login_csrf()
    response = render(request, "login.html", csrf=token, suite=suite or "", error=None, email="")
    _set_cookie(request, response, LOGIN_CSRF_COOKIE, cookie, 3600)
    return response


@router.post("/login", response_class=HTMLResponse, name="staff_login")
async def login(request: Request) -> Response:
    ensure_storage()
    form = await request.form()
    email = str(form.get("email", ""))[:254]
    password = str(form.get("password", ""))[:1024]
    suite = str(form.get("suite", ""))
    if not check_login_csrf(request.cookies.get(LOGIN_CSRF_COOKIE), str(form.get("csrf", ""))):
        token, cookie = make_login_csrf()
        response = render(
            request,
            "login.html",
            status_code=403,
            csrf=token,
            suite=suite,
            email=email,
            error="Jeton de sécurité (CSRF) absent ou expiré : veuillez réessayer.",
        )
        _set_cookie(request, response, LOGIN_CSRF_COOKIE, cookie, 3600)
        return response
    # argon2 is slow by design: off the event loop, so a login flood does not stall the chat and the API.
    result = await run_in_threadpool(authenticate, email, password, client_address(request))
    if result.user is None:
        token, cookie = make_login_csrf()
        response = render(
            request, "login.html", status_code=result.status, csrf=token, suite=suite, email=email, error=result.error
        )
        _set_cookie(request, response, LOGIN_CSRF_COOKIE, cookie, 3600)
        return response
    redirect = RedirectResponse(_safe_next(request, suite), status_code=303)
    _set_cookie(request, redirect, SESSION_COOKIE, make_session_token(result.user), SESSION_MAX_AGE)
    redirect.delete_cookie(LOGIN_CSRF_COOKIE, path=_base_path(request) or "/")
    return redirect


@router.post("/logout", name="staff_logout")
def logout(request: Request, sess: StaffSession = Depends(require_csrf)) -> Response:
    revoke_session(sess)
    response = RedirectResponse(request.url_for("staff_login_form").path, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=_base_path(request) or "/")
    return response
