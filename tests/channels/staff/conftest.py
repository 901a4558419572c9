"""Fixtures of the staff console tests: a temporary SQLite store, the router on a test app, logged-in clients."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from parismed.config import get_settings

PASSWORD = "motdepasse-solide-42"
FAKE_SOURCE = {"title": "Guide Paris Méd'", "section": "Accessibilité", "url": "https://exemple.paris.fr/guide"}


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """Cheap argon2 parameters in tests (production keeps argon2-cffi's defaults)."""
    from argon2 import PasswordHasher

    from channels.staff import security

    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def staff_db(tmp_path, monkeypatch):
    """Own database and secret; the guide and grids stay the real ones (index in the usual var folder)."""
    from channels.staff import StaffConfig, configure, storage

    url = f"sqlite:///{tmp_path / 'staff.db'}"
    monkeypatch.setenv("PARISMED_DATABASE_URL", url)  # for code that reads the settings (contact form tests)
    get_settings.cache_clear()
    storage.dispose_engines()
    configure(
        StaffConfig(
            database_url=url, secret_key="cle-de-test-" + "x" * 32, login_max_failures=3, login_lockout_minutes=15
        )
    )
    storage.init_storage()
    yield tmp_path
    storage.dispose_engines()
    configure(None)
    get_settings.cache_clear()


@pytest.fixture
def fake_guide(monkeypatch):
    """Replaces the guide lookup (the real one loads models for ~10 s) by a fixed cited answer."""
    from channels.staff import integrations

    calls = []

    def fake(texte, warnings):
        calls.append(texte)
        return {
            "answer": "Réponse du guide sur l'accessibilité.",
            "answered": True,
            "score": 0.9,
            "sources": [FAKE_SOURCE],
        }

    monkeypatch.setattr(integrations, "kb_answer", fake)
    return calls


@pytest.fixture
def app(staff_db, fake_guide):
    from channels.api import ratelimit
    from channels.staff import router

    ratelimit.current().reset()
    application = FastAPI()
    application.include_router(router, prefix="/staff")
    return application


@pytest.fixture
def client(app):
    # https so that the Secure session cookie is sent back, as in production.
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        yield c


@pytest.fixture
def user(staff_db):
    from channels.staff.security import add_user

    return add_user("agent@paris.fr", PASSWORD, name="Agent Test")


def _csrf_from(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def _login(client, email="agent@paris.fr", password=PASSWORD):
    page = client.get("/staff/login")
    return client.post("/staff/login", data={"email": email, "password": password, "csrf": _csrf_from(page.text)})


@pytest.fixture
def csrf_from():
    return _csrf_from


@pytest.fixture
def login():
    return _login


@pytest.fixture
def staff_client(client, user):
    r = _login(client)
    assert r.status_code == 303, r.text
    page = client.get("/staff/")
    client.csrf = _csrf_from(page.text)
    return client
