"""A real stack of its own for the security probes (rate limits on, fresh var folder, its own Rasa)."""

from __future__ import annotations

import re

import httpx
import pytest

import request_store
from channels.staff.security import hash_password  # the production parameters
from parismed.launcher import Stack
from parismed.ports import free_port
from tests.support import ensure_rasa_model, private_var_dir, running

AGENT = "agent.securite@paris.fr"
PASSWORD = "motdepasse-solide-securite-42"


@pytest.fixture(scope="session")
def secure_stack(tmp_path_factory):
    """Index and models of the usual var folder are reused; the databases are fresh."""
    ensure_rasa_model()
    var_dir = private_var_dir(tmp_path_factory.mktemp("var-securite"))
    store = request_store.Store(f"sqlite:///{var_dir / 'parismed.db'}")
    store.upgrade()
    with store.session() as db:
        db.add(request_store.StaffUser(email=AGENT, name="Agent", password_hash=hash_password(PASSWORD)))
        db.commit()
    store.dispose()
    stack = Stack(
        app_port=free_port(),
        rasa_port=free_port(),
        actions_port=free_port(),
        var_dir=var_dir,
        extra_env={"PARISMED_COOKIE_SECURE": "false"},
    )
    with running(stack, timeout=300):
        yield stack


@pytest.fixture(scope="session")
def secure_store(secure_stack):
    store = request_store.Store(f"sqlite:///{secure_stack.var_dir / 'parismed.db'}")
    yield store
    store.dispose()


def client_from(address: str, **kwargs) -> httpx.Client:
    """An HTTP client whose connections come from ``address`` (any 127.x.y.z is this machine)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=60, **kwargs)


def staff_login(client: httpx.Client, base: str, email: str = AGENT, password: str = PASSWORD) -> httpx.Response:
    page = client.get(f"{base}/staff/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    csrf = token.group(1) if token else ""
    return client.post(
        f"{base}/staff/login", data={"email": email, "password": password, "csrf": csrf}, follow_redirects=False
    )
