"""Web channel: the Paris Méd' presentation page with the chat widget and the contact form.

Public API:
    router        FastAPI APIRouter serving
                    GET /                  the page (content from channels/web/content/site.yaml)
                    (GET /static/web/<file>, the widget's JS/CSS and images: see mount_static)
    render_page() the page's HTML (used by tests and by anyone who needs a static copy)
    mount_static(app)  mounts Starlette's StaticFiles for /static/web/ (a router cannot carry a
                  mount, so the application calls it after `include_router(router)`)

The widget is made of ES modules (static/chat.js imports static/chat/*.js), no build step.

The page's scripts call two endpoints served elsewhere:
    POST /api/v1/chat           {"sender", "message"} -> {"messages": [...], "degraded": bool}   (channels.api)
    POST /staff/api/contact     {"nom", "email", "profession", "arrondissement", "message"}      (channels.staff)
        -> 201 {"id", "message"} | 422 {"detail": [{"champ", "message"}]} | 429 {"detail": "..."}
"""

from .routes import CHAT_ENDPOINT, CONTACT_ENDPOINT, mount_static, render_page, router

__all__ = ["router", "render_page", "mount_static", "CHAT_ENDPOINT", "CONTACT_ENDPOINT"]
