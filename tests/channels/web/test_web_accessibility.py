"""Accessibility audit by axe-core (shipped by axe-playwright-python) in Debian's Chromium: the public page, the
open widget with an answer and an estimate card, and each page of the staff console (login, queue, request,
statistics). Serious or critical violations fail the test; Chromium missing fails it too (no skip)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.channels.web.webchat import open_widget, send, wait_for_bot_count
from tests.support import staff_console

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
PASSWORD = "audit-accessibilite-2026"
_axe = Axe()


def blocking_violations(page) -> list[str]:
    results = _axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING
    ]


def test_public_page(fake_server, page):
    base_url, _ = fake_server
    page.goto(base_url + "/")
    assert blocking_violations(page) == []


def test_open_widget_with_an_answer_and_an_estimate_card(fake_server, page):
    base_url, _ = fake_server
    page.goto(base_url + "/")
    open_widget(page)
    wait_for_bot_count(page, 1)
    send(page, "sources")
    send(page, "carte")
    page.locator("#pm-chat-log .pm-card summary").click()
    assert blocking_violations(page) == []


def test_open_widget_on_a_phone(fake_server, phone_page):
    base_url, _ = fake_server
    phone_page.goto(base_url + "/")
    phone_page.locator("#pm-chat-launcher").tap()
    wait_for_bot_count(phone_page, 1)
    send(phone_page, "carte")
    assert blocking_violations(phone_page) == []


# --- staff console ---------------------------------------------------------------------------------------


@pytest.fixture
def console(tmp_path, monkeypatch):
    """The console's router on a local uvicorn server, temporary database, one account, one request."""
    from channels.staff import create_request

    database = tmp_path / "staff.db"
    with staff_console(monkeypatch, database, cookie_secure=False, password=PASSWORD, name="Agent Audit") as base:
        rid = create_request(
            "formulaire",
            "Bonjour, nous cherchons un local dans le 20e pour 2 kinés.",
            "x@exemple.fr",
            classify_now=False,
        )
        yield base, rid


def test_staff_console_pages(console, page):
    base, rid = console
    page.goto(f"{base}/staff/login")
    problems = {"login": blocking_violations(page)}
    page.fill("#email", "agent@paris.fr")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/staff/**")
    page.goto(f"{base}/staff/")
    problems["file"] = blocking_violations(page)
    page.goto(f"{base}/staff/demandes/{rid}")
    problems["demande"] = blocking_violations(page)
    page.goto(f"{base}/staff/statistiques")
    problems["statistiques"] = blocking_violations(page)
    assert problems == {"login": [], "file": [], "demande": [], "statistiques": []}


def test_the_audit_really_runs(page):
    """A page with an image without text alternative and an unlabeled field is reported (critical)."""
    page.set_content('<html lang="fr"><body><main><img src="x.png"><input type="text"></main></body></html>')
    found = " ".join(blocking_violations(page))
    assert "image-alt" in found and "label" in found
