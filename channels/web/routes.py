"""HTTP routes of the web channel: the presentation page and its static files."""

from __future__ import annotations

import hashlib
import mimetypes
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from .content import get_content

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
TEMPLATE_DIR = PACKAGE_DIR / "templates"
STATIC_PREFIX = "/static/web"

# Endpoints the page's scripts call (served by channels.api / the application).
CHAT_ENDPOINT = "/api/v1/chat"
CONTACT_ENDPOINT = "/staff/api/contact"  # channels.staff public contact endpoint (router mounted at /staff)
GREETING_PAYLOAD = "/saluer"

# Everything the page needs comes from this origin: no CDN, no inline script or style.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

ARRONDISSEMENTS = ["1er"] + [f"{n}e" for n in range(2, 21)]

mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("image/svg+xml", ".svg")

router = APIRouter(tags=["web"])


@lru_cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache
def asset_url(name: str) -> str:
    """URL of a static file with a content hash, so browsers never keep a stale script."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]
    return f"{STATIC_PREFIX}/{name}?v={digest}"


def render_page() -> str:
    content = get_content()
    return (
        _environment()
        .get_template("index.html")
        .render(
            content=content,
            site=content.site,
            privacy=content.privacy,
            asset=asset_url,
            source_number=content.source_number,
            arrondissements=ARRONDISSEMENTS,
            chat_endpoint=CHAT_ENDPOINT,
            contact_endpoint=CONTACT_ENDPOINT,
            greeting_payload=GREETING_PAYLOAD,
        )
    )


def mount_static(app) -> None:
    """Nothing to mount: `router` already serves /static/web/ through a route.

    Kept so that `app.include_router(router); mount_static(app)` works either way.
    """
    return None


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home() -> HTMLResponse:
    return HTMLResponse(render_page(), headers=SECURITY_HEADERS)


@router.get(STATIC_PREFIX + "/{name:path}", include_in_schema=False)
def static_file(name: str) -> FileResponse:
    path = (STATIC_DIR / name).resolve()
    if not path.is_file() or not path.is_relative_to(STATIC_DIR):
        raise HTTPException(status_code=404, detail="Fichier introuvable.")
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    return FileResponse(path, media_type=media_type, headers=headers)
