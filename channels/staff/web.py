"""HTTP routes of the staff console (mounted by the application under /staff): one router per resource.

Every route requires a staff session except: the login form (GET/POST /login) and the public contact
endpoint (POST /api/contact). HTML forms carry a CSRF token bound to the session (the login form uses a
signed double-submit cookie); the JSON API expects the same token in the X-CSRF-Token header.
Shared dependencies and rendering: ``deps``; routers: ``routes/``.
"""

from __future__ import annotations

from fastapi import APIRouter

from .deps import ANONYMOUS_ROUTES, render, require_csrf, require_session
from .routes import api, auth, contact, declined, queue, requests, stats
from .routes.queue import PAGE_SIZE

ROUTERS = tuple(module.router for module in (auth, queue, requests, declined, stats, api, contact))
router = APIRouter(tags=["staff"])
for sub_router in ROUTERS:
    router.include_router(sub_router)

__all__ = ["ANONYMOUS_ROUTES", "PAGE_SIZE", "ROUTERS", "render", "require_csrf", "require_session", "router"]
