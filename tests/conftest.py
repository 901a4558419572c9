"""Shared fixtures. `live_stack` starts the real Rasa server and the real application on free ports."""

from __future__ import annotations

import pytest

from parismed.launcher import Stack
from parismed.ports import free_port
from tests.support import ensure_rasa_model, private_var_dir, running


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory):
    """Real servers with a private var folder (fresh SQLite store); the built index and models are reused."""
    var_dir = private_var_dir(tmp_path_factory.mktemp("var"))
    ensure_rasa_model()
    stack = Stack(
        app_port=free_port(),
        rasa_port=free_port(),
        var_dir=var_dir,
        # Every test talks from 127.0.0.1: per-address rate limits off here (tests/security has its own stack).
        extra_env={"PARISMED_COOKIE_SECURE": "false", "PARISMED_RATE_LIMITS": "false"},
    )
    with running(stack, timeout=300):
        yield stack


@pytest.fixture
def say(live_stack):
    """say(sender, message) -> the bot's messages, through Rasa's REST channel of the live stack."""
    import httpx

    def send(sender: str, message: str) -> list[dict]:
        reply = httpx.post(
            f"{live_stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
        )
        reply.raise_for_status()
        return reply.json()

    return send


# Debian's Chromium, driven by Playwright. The flags keep it off the network this machine does not have; a
# missing Chromium fails the browser tests (make test installs it), it never turns them into skips.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test of the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
