"""The console in a real browser (Chromium through Playwright).

- `test_secure_cookie_login_over_local_http`: our router alone on a local uvicorn server with the production
  cookie settings (Secure, HttpOnly, SameSite=Lax): Chromium keeps Secure cookies on http://127.0.0.1.
- `test_hand_off_from_the_chat_is_answered_and_closed`: the real stack (`live_stack`): a conversation asks for a
  human, the request appears in the console, a staff member answers it and closes it.
Screenshots are saved to test-artifacts/ on failure.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.support import staff_console

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "console-paris-med-2025"


@contextmanager
def page_with_screenshot(browser, name: str):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    try:
        yield page, context
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
        raise
    finally:
        context.close()


def login(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/staff/")
    assert "/staff/login" in page.url
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/staff/(\?.*)?$"))


@pytest.fixture
def local_console(tmp_path, monkeypatch):
    """Our router alone on uvicorn, production cookie settings (Secure), temporary database."""
    database = tmp_path / "staff.db"
    with staff_console(monkeypatch, database, cookie_secure=True, password=PASSWORD, name="Agent Navigateur") as base:
        yield base


def test_secure_cookie_login_over_local_http(browser, local_console):
    from channels.staff import create_request

    rid = create_request(
        "formulaire", "Bonjour, nous cherchons un local dans le 20e.", "x@exemple.fr", classify_now=False
    )
    with page_with_screenshot(browser, "staff-secure-cookie") as (page, context):
        login(page, local_console, "agent@paris.fr", PASSWORD)
        cookie = next(c for c in context.cookies() if c["name"] == "parismed_staff")
        assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        assert cookie["path"] == "/staff"
        page.click(f"a[href='/staff/demandes/{rid}']  >> nth=0")
        assert "nous cherchons un local dans le 20e" in page.inner_text("#texte")
        # the page cannot read the session cookie from script
        assert "parismed_staff" not in page.evaluate("document.cookie")


def _chat(app_url: str, sender: str, message: str) -> str:
    r = httpx.post(f"{app_url}/api/v1/chat", json={"sender": sender, "message": message}, timeout=120)
    r.raise_for_status()
    return "\n".join(m.get("text", "") for m in r.json()["messages"])


@pytest.mark.e2e
def test_hand_off_from_the_chat_is_answered_and_closed(browser, live_stack):
    env = {**os.environ, "PARISMED_VAR_DIR": str(live_stack.var_dir), "PARISMED_DATABASE_URL": ""}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "parismed.cli",
            "staff",
            "add-user",
            "equipe@paris.fr",
            "--name",
            "Équipe Paris Méd'",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )

    sender = f"test-{uuid.uuid4().hex[:12]}"
    _chat(live_stack.app_url, sender, "Bonjour, nous sommes 3 kinés et cherchons un local dans le 19e")
    asked = _chat(live_stack.app_url, sender, "je veux parler à quelqu'un de l'équipe")
    assert "adresse e-mail" in asked
    done = _chat(live_stack.app_url, sender, "kine.test@exemple.fr")
    number = int(re.search(r"demande n° (\d+)", done).group(1))

    with page_with_screenshot(browser, "staff-hand-off") as (page, context):
        login(page, live_stack.app_url, "equipe@paris.fr", PASSWORD)
        row = page.locator(f"a[href='/staff/demandes/{number}']").first
        row.click()
        page.wait_for_url(f"**/staff/demandes/{number}")
        assert "Assistant en ligne" in page.inner_text("main")
        assert "kine.test@exemple.fr" in page.inner_text("main")
        assert "cherchons un local dans le 19e" in page.inner_text(".transcript")

        draft = page.input_value("#reponse")
        assert draft.startswith("Bonjour,")
        page.fill("#reponse", draft + "\nNous vous proposons un rendez-vous la semaine prochaine.")
        page.click("button[value=envoyer]")
        page.wait_for_url(re.compile(r".*ok=.*"))
        assert "marquée comme envoyée" in page.inner_text(".alert.ok")
        assert "Répondue" in page.inner_text("h1")

        page.click("button[value=close]")
        page.wait_for_url(re.compile(r".*ok=.*"))
        assert "Close" in page.inner_text("h1")
        history = page.inner_text("table.audit")
        assert "equipe@paris.fr" in history and "repondue" in history and "close" in history
