"""Public HTTP API (`/api/v1/...`): ask the guide, estimate eligibility, orient, and chat (proxy to Rasa)."""

from .routes import router

__all__ = ["router"]
