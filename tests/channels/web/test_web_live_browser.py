"""Browser tests of the real conversation: Chromium → page → /api/v1/chat → Rasa → actions.

Uses the lead's `live_stack` fixture (real Rasa server + real application on free ports).
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.channels.web.webchat import (
    BOT,
    HISTORY_KEY,
    SENDER_KEY,
    USER,
    XSS,
    log_text,
    open_widget,
    save_screenshot,
    send,
    storage,
    wait_for_bot_count,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

EURO = re.compile(r"\d[\d\s\u202f\u00a0]*\s?€")

# What to answer to each question of the eligibility form (matched on the bot's question).
FORM_ANSWERS = [  # first match wins: the most specific question first
    (re.compile(r"combien de professionnels", re.I), "3"),
    (re.compile(r"arrondissement|code postal", re.I), "19e"),
    (re.compile(r"quelle est votre profession|professions?\b.*\?", re.I), "médecin généraliste"),
]
FORM_BUTTONS = [(re.compile(r"secteur", re.I), "Secteur 1")]


@pytest.fixture()
def live(live_app_url, page):
    page.goto(live_app_url + "/")
    return page


def greet(page) -> None:
    open_widget(page)
    wait_for_bot_count(page, 1, timeout=90_000)
    expect(page.locator(BOT).first).to_contain_text("Bonjour")


def test_greeting_in_french_on_first_open(live):
    page = live
    greet(page)
    text = log_text(page)
    assert "Paris Méd'" in text
    assert page.locator(USER).count() == 0
    assert page.locator(".pm-choice", has_text="Estimer mon aide").count() == 1
    assert page.js_errors == []


def test_regulatory_question_with_source_link(live):
    page = live
    greet(page)
    before = page.locator(BOT).count()
    send(page, "Mon cabinet est-il un ERP ?", timeout=90_000)
    answer = " ".join(page.locator(BOT).all_inner_texts()[before:])
    assert re.search(r"établissement recevant du public|ERP", answer), answer
    links = page.locator(".pm-sources").last.locator("a")
    assert links.count() >= 1
    href = links.first.get_attribute("href")
    assert href.startswith(("https://", "http://")), href
    assert links.first.get_attribute("target") == "_blank"
    assert "noopener" in links.first.get_attribute("rel")
    save_screenshot(page, "web-live-erp-answer")


def run_eligibility(page) -> str:
    """Start the estimate with the button, answer each question; returns the bot text with an amount."""
    greet(page)
    start = page.locator(BOT).count()
    page.locator(".pm-choice", has_text="Estimer mon aide").click()
    wait_for_bot_count(page, start + 1, timeout=90_000)
    for _ in range(10):
        texts = page.locator(BOT).all_inner_texts()[start:]
        found = [t for t in texts if EURO.search(t)]
        if found:
            return "\n".join(found)
        question = texts[-1]
        button = next((label for rx, label in FORM_BUTTONS if rx.search(question)), None)
        if button and page.locator(".pm-choice:enabled", has_text=button).count():
            count = page.locator(BOT).count()
            page.locator(".pm-choice:enabled", has_text=button).first.click()
            wait_for_bot_count(page, count + 1, timeout=90_000)
            continue
        reply = next((answer for rx, answer in FORM_ANSWERS if rx.search(question)), None)
        if reply is None:
            enabled = page.locator(".pm-choice:enabled")
            assert enabled.count(), f"unexpected question without choices: {question!r}"
            count = page.locator(BOT).count()
            enabled.first.click()
            wait_for_bot_count(page, count + 1, timeout=90_000)
            continue
        send(page, reply, timeout=90_000)
    pytest.fail("no amount in € after 10 turns:\n" + log_text(page))


def test_eligibility_flow_until_amount_then_reload_keeps_history(live):
    page = live
    estimate = run_eligibility(page)
    assert EURO.search(estimate)
    save_screenshot(page, "web-live-eligibility")
    sender = storage(page, SENDER_KEY)
    transcript = log_text(page)
    user_count = page.locator(USER).count()

    page.reload()
    open_widget(page)
    assert storage(page, SENDER_KEY) == sender
    assert page.locator(USER).count() == user_count
    assert EURO.search(log_text(page))
    assert log_text(page).strip() == transcript.strip()
    assert len(json.loads(storage(page, HISTORY_KEY))) >= user_count * 2
    # the same conversation goes on (Rasa keeps the tracker of the same sender)
    before = page.locator(BOT).count()
    send(page, "merci", timeout=90_000)
    assert page.locator(BOT).count() > before
    assert page.locator(".pm-msg--error").count() == 0


def test_html_injection_is_escaped(live):
    page = live
    greet(page)
    send(page, XSS, timeout=90_000)
    assert page.locator(USER).last.inner_text().endswith(XSS)
    page.wait_for_timeout(300)
    assert page.locator("#pm-chat-log img").count() == 0
    assert page.dialogs == []
    page.reload()
    open_widget(page)
    assert XSS in log_text(page)
    assert page.locator("#pm-chat-log img").count() == 0
    assert page.dialogs == []


def test_phone_viewport_is_usable(live_app_url, phone_page):
    page = phone_page
    page.goto(live_app_url + "/")
    page.locator("#pm-chat-launcher").tap()
    panel = page.locator("#pm-chat-panel")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert (box["width"], box["height"]) == (390, 844)
    wait_for_bot_count(page, 1, timeout=90_000)
    before = page.locator(BOT).count()
    send(page, "Quelles sont les règles d'accessibilité pour un cabinet ?", timeout=90_000)
    assert page.locator(BOT).count() > before
    b = page.locator("#pm-chat-input").bounding_box()
    assert b["y"] + b["height"] <= 844
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    save_screenshot(page, "web-live-phone")


def test_keyboard_only(live):
    page = live
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "pm-chat-launcher":
            break
    else:
        pytest.fail("Tab never reached the chat launcher")
    page.keyboard.press("Enter")
    expect(page.locator("#pm-chat-panel")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "pm-chat-input"
    wait_for_bot_count(page, 1, timeout=90_000)
    page.keyboard.type("Quel bail pour un cabinet médical ?")
    before = page.locator(BOT).count()
    page.keyboard.press("Enter")
    wait_for_bot_count(page, before + 1, timeout=90_000)
    page.keyboard.press("Escape")
    expect(page.locator("#pm-chat-panel")).to_be_hidden()
    assert page.evaluate("document.activeElement.id") == "pm-chat-launcher"


def test_contact_form_reaches_the_staff_store(live):
    page = live
    page.fill("#contact-nom", "Dr Test Navigateur")
    page.fill("#contact-email", "test.navigateur@exemple.fr")
    page.select_option("#contact-profession", "Médecin généraliste")
    page.select_option("#contact-arrondissement", "18e")
    page.fill("#contact-message", "Nous sommes deux généralistes et cherchons un local dans le 18e.")
    page.locator("#contact-form button[type=submit]").click()
    result = page.locator("#contact-result")
    expect(result).to_contain_text("Merci, votre demande a bien été transmise", timeout=30_000)
    expect(result).to_contain_text(re.compile(r"Référence de votre demande : \d+"))
