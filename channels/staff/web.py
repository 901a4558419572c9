"""HTTP routes of the staff console (mounted by the application under /staff).

Every route requires a staff session except: the login form (GET/POST /login) and the public contact
endpoint (POST /api/contact). HTML forms carry a CSRF token bound to the session (the login form uses a
signed double-submit cookie); the JSON API expects the same token in the X-CSRF-Token header.
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markdown_it import MarkdownIt
from markupsafe import Markup

from channels.api import ratelimit
from channels.api.ratelimit import client_address
from frenchtext import is_valid_email

from . import charts, config, integrations
from .classify import THEMES, classify, theme_label
from .security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    StaffError,
    StaffSession,
    authenticate,
    check_login_csrf,
    csrf_matches,
    list_users,
    make_login_csrf,
    make_session_token,
    read_session_token,
    revoke_session,
)
from .service import (
    QueueFilter,
    all_requests,
    count_by_status,
    count_requests,
    create_request,
    export_csv,
    get_request,
    list_requests,
    reclassify,
    record_answer,
    statistics,
    triage_request,
    update_request,
)
from .storage import SOURCES, STATUSES, ensure_storage, store

HERE = Path(__file__).resolve().parent
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(tags=["staff"])

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
    return _security_headers(response, nonce)


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
            token = form.get("csrf")
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
    response = RedirectResponse(_safe_next(request, suite), status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, make_session_token(result.user), SESSION_MAX_AGE)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=_base_path(request) or "/")
    return response


@router.post("/logout", name="staff_logout")
def logout(request: Request, sess: StaffSession = Depends(require_csrf)) -> Response:
    revoke_session(sess)
    response = RedirectResponse(request.url_for("staff_login_form").path, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=_base_path(request) or "/")
    return response


# --- pages ------------------------------------------------------------------------------------


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


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


@router.get("/demandes/{request_id}", response_class=HTMLResponse, name="staff_request")
def request_page(request: Request, request_id: int, sess: StaffSession = Depends(require_session)) -> HTMLResponse:
    try:
        req = get_request(request_id)
    except StaffError as exc:
        return render(request, "error.html", status_code=404, user=sess.user, csrf=sess.csrf, message=exc.message)
    explanation = integrations.explain(req.estimate) if req.estimate else None
    if explanation:
        explanation = Markup(_markdown.render(explanation))  # raw HTML disabled: safe
    return render(
        request,
        "request.html",
        user=sess.user,
        csrf=sess.csrf,
        req=req,
        explanation=explanation,
        users=list_users(),
        themes=THEMES,
        statuses=STATUSES,
        message=request.query_params.get("ok"),
    )


def _back(request: Request, request_id: int, ok: str) -> RedirectResponse:
    url = request.url_for("staff_request", request_id=str(request_id)).path + "?" + urlencode({"ok": ok})
    return RedirectResponse(url, status_code=303)


def _error_page(request: Request, sess: StaffSession, message: str, code: int = 400) -> HTMLResponse:
    return render(request, "error.html", status_code=code, user=sess.user, csrf=sess.csrf, message=message)


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


@router.get("/statistiques", response_class=HTMLResponse, name="staff_stats")
def stats_page(request: Request, sess: StaffSession = Depends(require_session)) -> HTMLResponse:
    st = statistics()
    theme_data = [(theme_label(t), st["par_theme"].get(t, 0)) for t in THEMES]
    if st["par_theme"].get("non_classee"):
        theme_data.append(("Non classée", st["par_theme"]["non_classee"]))
    arr_data = [(f"{a}e" if a > 1 else "1er", n) for a, n in st["par_arrondissement"].items()]
    week_data = [(w.strftime("%d/%m"), n) for w, n in st["par_semaine"]]
    answer_data = [("Assistant", st["reponses"]["assistant"]), ("Équipe", st["reponses"]["equipe"])]
    source_data = [(SOURCE_LABELS.get(s, s), n) for s, n in sorted(st["par_source"].items())]
    return render(
        request,
        "stats.html",
        user=sess.user,
        csrf=sess.csrf,
        st=st,
        chart_theme=Markup(charts.horizontal_bars(theme_data, "Demandes par thème")),
        chart_arr=Markup(charts.vertical_bars(arr_data, "Demandes par arrondissement")),
        chart_week=Markup(charts.vertical_bars(week_data, "Demandes par semaine (12 dernières semaines)")),
        chart_answers=Markup(
            charts.horizontal_bars(answer_data, "Demandes répondues : assistant ou équipe", color=charts.ALT_COLOR)
        ),
        chart_source=Markup(charts.horizontal_bars(source_data, "Demandes par origine")),
        theme_data=theme_data,
        arr_data=arr_data,
        week_data=week_data,
        answer_data=answer_data,
        source_data=source_data,
    )


def _csv_response(content: str, filename: str) -> Response:
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.get("/export.csv", name="staff_export")
def export(sess: StaffSession = Depends(require_session)) -> Response:
    requests = all_requests()
    content = export_csv(requests)
    store().add_audit(sess.user.email, "export", f"export CSV : {len(requests)} demande(s)")
    return _csv_response(content, "demandes-paris-med.csv")


@router.get("/statistiques.csv", name="staff_stats_csv")
def export_stats(sess: StaffSession = Depends(require_session)) -> Response:
    store().add_audit(sess.user.email, "export", "export CSV des statistiques")
    st = statistics()
    lines = ["indicateur;valeur;nombre"]
    lines += [f"theme;{t};{n}" for t, n in sorted(st["par_theme"].items())]
    lines += [f"arrondissement;{a};{n}" for a, n in st["par_arrondissement"].items()]
    lines += [f"semaine;{w.strftime('%Y-%m-%d')};{n}" for w, n in st["par_semaine"]]
    lines += [f"origine;{s};{n}" for s, n in sorted(st["par_source"].items())]
    lines += [f"statut;{s};{n}" for s, n in st["par_statut"].items()]
    lines += [f"repondue_par;{k};{n}" for k, n in st["reponses"].items()]
    return _csv_response("\ufeff" + "\n".join(lines) + "\n", "statistiques-paris-med.csv")


# --- JSON API ---------------------------------------------------------------------------------


def request_to_dict(req) -> dict[str, Any]:
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


# --- public contact form ----------------------------------------------------------------------

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
