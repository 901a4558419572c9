"""Composition of the staff console and the request store from the settings (used by the app and the CLI)."""

from __future__ import annotations

import request_store
from channels import staff
from channels.staff.config import StaffConfig
from parismed.config import Settings, get_settings


def staff_config(settings: Settings) -> StaffConfig:
    return StaffConfig(
        database_url=settings.sqlalchemy_url,
        secret_key=settings.secret_key or settings.persistent_secret("staff_secret"),
        cookie_secure=settings.cookie_secure,
        login_max_failures=settings.login_max_failures,
        login_lockout_minutes=settings.login_lockout_minutes,
    )


def configure_staff(settings: Settings | None = None, *, migrate: bool = True) -> request_store.Store:
    """Point the console at the settings' database (migrated to the newest schema) and make it the default
    request store, with the console's triage (hand-off action, webinar push)."""
    settings = settings or get_settings()
    staff.configure(staff_config(settings))
    if migrate:
        staff.init_storage()
    return request_store.configure(settings.sqlalchemy_url, classifier=staff.triage_of)
