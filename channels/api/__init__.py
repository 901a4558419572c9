"""Public HTTP API (`/api/v1/...`): ask the guide, estimate eligibility, orient, and chat (relay to Rasa).

Public API::

    router                                   FastAPI router, mounted by the application under /api/v1
    configure_relay(RelayConfig, keeper)     Rasa URLs, action server health URL, shared state, hand-off keeper
    ratelimit.configure(storage_uri)         memory:// or redis://… (limits shared by several instances)
    BodySizeLimit                            ASGI middleware: bodies over the limit get 413 (French message)
"""

from . import ratelimit
from .bodylimit import BodySizeLimit
from .relay import RasaRelay, RelayConfig
from .routes import configure_relay, current_relay, router

__all__ = ["BodySizeLimit", "RasaRelay", "RelayConfig", "configure_relay", "current_relay", "ratelimit", "router"]
