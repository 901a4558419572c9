"""HTTP routes of the web channel: the presentation page; its static files are served by Starlette's
`StaticFiles`, mounted by the application with `mount_static(app)` (a router cannot carry a mount)."""

from __future__ import annotations

import hashlib
import mimetypes
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

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


STATIC_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


class WidgetStaticFiles(StaticFiles):
    """The widget's files; revalidated on each load (the page links them with a content hash, their ES module
    imports cannot carry one)."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.update(STATIC_HEADERS)
        return response


def mount_static(app: FastAPI) -> None:
    """Serves channels/web/static/ at /static/web/ (Starlette `StaticFiles`: no path escapes its folder)."""
    app.mount(STATIC_PREFIX, WidgetStaticFiles(directory=STATIC_DIR), name="web-static")


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home() -> HTMLResponse:
    return HTMLResponse(render_page(), headers=SECURITY_HEADERS)
