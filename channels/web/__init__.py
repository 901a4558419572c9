"""Web channel: the Paris Méd' presentation page with the chat widget and the contact form.

Public API:
    router        FastAPI APIRouter serving
                    GET /                  the page (content from channels/web/content/site.yaml)
                    GET /static/web/<file> the widget's JS/CSS and images
    render_page() the page's HTML (used by tests and by anyone who needs a static copy)

Static files are served by a route of `router` (not by a StaticFiles mount), so
`app.include_router(router)` is all the application needs — no `mount_static` call.

The page's scripts call two endpoints served elsewhere:
    POST /api/v1/chat     {"sender", "message"} -> {"messages": [...], "degraded": bool}
    POST /api/v1/contact  {"nom", "email", "profession", "arrondissement", "message"}
"""
from .routes import CHAT_ENDPOINT, CONTACT_ENDPOINT, render_page, router

__all__ = ["router", "render_page", "CHAT_ENDPOINT", "CONTACT_ENDPOINT"]
