"""Browser tests of the widget's rendering and behaviour against the scripted fake chat API.

The real conversation (Rasa + actions) is covered by test_web_live_browser.py.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.channels.web.webchat import (
    BOT,
    CONTRAST_JS,
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

pytestmark = pytest.mark.browser


@pytest.fixture()
def site(fake_server, page):
    base_url, app = fake_server
    page.goto(base_url + "/")
    page.app = app  # type: ignore[attr-defined]
    return page


def calls_of(page) -> list[dict]:
    sender = storage(page, SENDER_KEY)
    return [c for c in page.app.state.chat_calls if c.get("sender") == sender]


def test_keyboard_open_greet_escape(site):
    page = site
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "pm-chat-launcher":
            break
    else:
        pytest.fail("Tab never reached the chat launcher")
    launcher = page.locator("#pm-chat-launcher")
    assert launcher.get_attribute("aria-label") == "Ouvrir l'assistant Paris Méd'"
    outline = page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle + ' ' + getComputedStyle(document.activeElement).outlineWidth"
    )
    assert outline.startswith("solid") and float(outline.split()[1].rstrip("px")) >= 2, outline

    page.keyboard.press("Enter")
    expect(page.locator("#pm-chat-panel")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "pm-chat-input"
    assert launcher.get_attribute("aria-expanded") == "true"
    wait_for_bot_count(page, 1)
    assert "Bonjour" in page.locator(BOT).first.inner_text()
    assert page.locator(USER).count() == 0, "the greeting payload must not appear as a user message"
    assert calls_of(page)[0]["message"] == "/saluer"

    page.keyboard.press("Escape")
    expect(page.locator("#pm-chat-panel")).to_be_hidden()
    assert page.evaluate("document.activeElement.id") == "pm-chat-launcher"
    assert launcher.get_attribute("aria-expanded") == "false"

    # the hero button opens it too, and the close button closes it
    page.click("text=Poser une question à l'assistant")
    expect(page.locator("#pm-chat-panel")).to_be_visible()
    page.click("#pm-chat-close")
    expect(page.locator("#pm-chat-panel")).to_be_hidden()
    assert page.locator(BOT).count() == 1, "re-opening must not greet twice"


def test_buttons_send_payload_and_show_title(site):
    page = site
    open_widget(page)
    wait_for_bot_count(page, 1)
    choices = page.locator(".pm-choices[role=group] button.pm-choice")
    assert choices.all_inner_texts() == ["Estimer mon aide", "Question réglementaire"]
    choices.first.click()
    wait_for_bot_count(page, 2)
    assert page.locator(USER).last.inner_text().endswith("Estimer mon aide")
    assert calls_of(page)[-1]["message"] == "/estimer_aide"
    assert all(choices.nth(i).is_disabled() for i in range(2)), "answered choices are disabled"
    assert "Combien de professionnels" in page.locator(BOT).last.inner_text()


def test_quick_replies_are_rendered_as_choices(site):
    page = site
    open_widget(page)
    wait_for_bot_count(page, 1)
    send(page, "quick")
    page.locator(".pm-choice", has_text="Oui").click()
    wait_for_bot_count(page, 3)
    assert calls_of(page)[-1]["message"] == "/affirmer"


def test_minimal_markdown(site):
    page = site
    open_widget(page)
    wait_for_bot_count(page, 1)
    send(page, "markdown")
    bubble = page.locator(BOT).last
    assert bubble.locator("strong").all_inner_texts() == ["trois points"]
    assert bubble.locator("ul > li").count() == 3
    link = bubble.locator("a", has_text="un lien")
    assert link.get_attribute("href") == "https://www.paris.fr/"
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in link.get_attribute("rel")
    # javascript: links are shown as text, never as links
    assert "un piège" in bubble.inner_text()
    hrefs = bubble.locator("a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert hrefs == ["https://www.paris.fr/", "https://example.org/page"], hrefs
    assert bubble.locator("br").count() == 1
    assert "**" not in bubble.inner_text()


def test_split_markdown_reply_is_one_bubble_with_table_and_read_from_its_top(site):
    page = site
    open_widget(page)
    wait_for_bot_count(page, 1)
    send(page, "estimation")
    assert page.locator(BOT).count() == 2, "the split reply is glued back into one bubble"
    bubble = page.locator(BOT).last
    assert bubble.locator(".pm-md-heading strong").all_inner_texts() == [
        "Estimation indicative",
        "Détail du calcul",
        "Hypothèses retenues",
    ]
    table = bubble.locator(".pm-table[role=region] table")
    assert table.locator("thead th").all_inner_texts() == ["Ligne", "Montant", "Fondement"]
    assert table.locator("tbody tr").count() == 2
    assert table.locator("tbody tr").last.locator("td strong").first.inner_text() == "Aide plancher estimée"
    assert table.locator("td.pm-align-right").first.inner_text() == "12 000 €"
    assert "Le montant est fixé par la Ville." in bubble.locator("blockquote").inner_text()
    assert "##" not in bubble.inner_text() and "|" not in bubble.inner_text()
    assert page.locator(".pm-choice", has_text="Parler à l'équipe").is_enabled()
    # a long reply is shown from its beginning
    top = page.evaluate("""() => {
        const log = document.getElementById('pm-chat-log');
        const bubbles = log.querySelectorAll('.pm-msg--bot');
        const b = bubbles[bubbles.length - 1];
        return b.getBoundingClientRect().top - log.getBoundingClientRect().top;
    }""")
    assert 0 <= top < 40, top
    save_screenshot(page, "web-desktop-estimate-table")


def test_sources_are_listed_as_safe_links(site):
    page = site
    open_widget(page)
    wait_for_bot_count(page, 1)
    send(page, "sources")
    box = page.locator(".pm-sources").last
    assert box.locator(".pm-sources__title").inner_text() == "Sources"
    links = box.locator("a")
    assert links.count() == 1
    assert links.first.inner_text().startswith("Qualification ERP — Définition")
    assert links.first.get_attribute("href") == "https://www.service-public.fr/x"
    assert links.first.get_attribute("target") == "_blank"
    assert "noopener" in links.first.get_attribute("rel")
    assert "Lien piégé — S" in box.inner_text()  # shown, but not as a javascript: link
    assert "Paris Méd' — Montants (document : Rapport d'activité)" in box.inner_text()  # named, without a link


@pytest.mark.parametrize("payload", [XSS, "<script>window.__pwned = 1</script>", '"><svg onload=alert(2)>'])
def test_html_in_messages_is_inert(site, payload):
    page = site
    open_widget(page)
    wait_for_bot_count(page, 1)
    send(page, payload)  # the fake bot echoes it in a text, a button title and a source title
    assert page.locator(USER).last.inner_text().endswith(payload)
    assert payload in page.locator(BOT).last.inner_text()
    assert page.locator(".pm-choice", has_text=payload).count() == 1
    assert page.locator(".pm-sources a", has_text=payload).count() == 1
    for _ in range(2):  # live, then re-rendered from localStorage after a reload
        assert page.locator("#pm-chat-log img, #pm-chat-log script, #pm-chat-log svg").count() == 0
        page.wait_for_timeout(200)
        assert page.dialogs == []
        assert page.evaluate("window.__pwned") is None
        page.reload()
        open_widget(page)
        assert payload in log_text(page)
    assert page.js_errors == []


def test_history_survives_reload_and_new_conversation_clears_it(site):
    page = site
    open_widget(page)
    wait_for_bot_count(page, 1)
    send(page, "Bonjour, une question")
    sender = storage(page, SENDER_KEY)
    history = json.loads(storage(page, HISTORY_KEY))
    assert [e["who"] for e in history] == ["bot", "user", "bot"]

    page.reload()
    open_widget(page)
    assert page.locator(USER).count() == 1
    assert "Réponse à : Bonjour, une question" in log_text(page)
    assert storage(page, SENDER_KEY) == sender
    send(page, "suite")
    assert {c["sender"] for c in page.app.state.chat_calls if c["message"] in {"Bonjour, une question", "suite"}} == {
        sender
    }

    page.click("#pm-chat-reset")
    wait_for_bot_count(page, 1)
    assert page.locator(USER).count() == 0
    assert "Réponse à" not in log_text(page)
    assert storage(page, SENDER_KEY) != sender
    assert [e["who"] for e in json.loads(storage(page, HISTORY_KEY))] == ["bot"]
    assert page.evaluate("document.activeElement.id") == "pm-chat-input"


def test_server_error_shows_french_message_and_retry(site):
    page = site
    open_widget(page)
    wait_for_bot_count(page, 1)
    send(page, "boom")
    error = page.locator("#pm-chat-log .pm-msg--error[role=alert]")
    expect(error).to_contain_text("le service ne répond pas")
    assert page.locator(USER).last.inner_text().endswith("boom")
    retry = error.locator("button", has_text="Réessayer")
    retry.click()
    page.wait_for_function("() => document.querySelector('#pm-chat-log').getAttribute('aria-busy') === 'false'")
    assert [c["message"] for c in calls_of(page)][-2:] == ["boom", "boom"]
    assert page.locator(USER).count() == 1, "a retry does not duplicate the user's message"


def test_network_failure_shows_french_message(site):
    page = site
    page.route("**/api/v1/chat", lambda route: route.abort())
    open_widget(page)
    expect(page.locator(".pm-msg--error")).to_contain_text("Vérifiez votre connexion")
    assert page.locator("#pm-chat-send, .pm-chat__send").is_enabled()


def test_typing_indicator_while_waiting(site):
    page = site
    open_widget(page)
    wait_for_bot_count(page, 1)
    page.fill("#pm-chat-input", "lent")
    page.press("#pm-chat-input", "Enter")
    typing = page.locator("#pm-chat-typing")
    expect(typing).to_have_text("L'assistant rédige une réponse…")
    assert page.locator("#pm-chat-log").get_attribute("aria-busy") == "true"
    wait_for_bot_count(page, 2)
    expect(typing).to_have_text("")


def test_degraded_reply_is_rendered(site):
    page = site
    open_widget(page)
    wait_for_bot_count(page, 1)
    send(page, "degrade")
    assert page.locator(".pm-msg--degraded").last.inner_text().endswith("momentanément indisponible.")


def test_phone_viewport_full_screen_and_usable(fake_server, phone_page):
    base_url, app = fake_server
    page = phone_page
    page.goto(base_url + "/")
    launcher = page.locator("#pm-chat-launcher")
    box = launcher.bounding_box()
    assert box["x"] + box["width"] <= 390 and box["y"] + box["height"] <= 844
    launcher.tap()
    panel = page.locator("#pm-chat-panel")
    expect(panel).to_be_visible()
    assert panel.get_attribute("aria-modal") == "true"
    pbox = panel.bounding_box()
    assert (pbox["x"], pbox["y"], pbox["width"], pbox["height"]) == (0, 0, 390, 844)
    wait_for_bot_count(page, 1)
    for selector in ("#pm-chat-input", ".pm-chat__send", "#pm-chat-close", "#pm-chat-reset"):
        b = page.locator(selector).bounding_box()
        assert b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= 390 and b["y"] + b["height"] <= 844, selector
        assert b["height"] >= 24, f"{selector} too small to tap"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "horizontal scrolling"
    page.locator(".pm-choice").first.tap()
    wait_for_bot_count(page, 2)
    send(page, "sources")
    save_screenshot(page, "web-phone-390x844")
    # Tab stays inside the full-screen dialog
    for _ in range(25):
        page.keyboard.press("Tab")
        assert page.evaluate("document.getElementById('pm-chat-panel').contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(launcher).to_be_visible()


def test_text_contrast_is_wcag_aa(site):
    page = site
    open_widget(page)
    wait_for_bot_count(page, 1)
    send(page, "sources")
    send(page, "markdown")
    page.locator("#contact-form button[type=submit]").click()  # shows error texts
    selectors = [
        "body",
        ".site-nav a",
        ".breadcrumb",
        ".hero h1",
        ".hero__lead",
        ".btn--primary",
        ".btn--secondary",
        ".demo-notice",
        ".section h2",
        ".facts li",
        ".ref",
        ".badge-confirm",
        ".note",
        ".field__hint",
        ".field__error",
        ".form-result--error",
        ".sources a",
        ".site-footer",
        ".pm-chat__launcher",
        ".pm-chat__title",
        ".pm-chat__reset",
        ".pm-chat__privacy",
        ".pm-chat__privacy a",
        ".pm-msg--user",
        ".pm-msg--bot",
        ".pm-msg--bot a",
        ".pm-msg--bot strong",
        ".pm-choice",
        ".pm-sources__title",
        ".pm-sources a",
        ".pm-chat__send",
        ".pm-choice:disabled",
    ]
    results = page.evaluate(CONTRAST_JS, selectors)
    missing = [r["sel"] for r in results if r.get("missing")]
    assert not missing, missing
    low = [r for r in results if r["ratio"] < 4.5]
    assert not low, low


def test_contact_form_validation_and_confirmation(site):
    page = site
    form = page.locator("#contact-form")
    form.locator("button[type=submit]").click()
    expect(page.locator("#contact-result")).to_have_text("Certains champs sont à corriger.")
    assert page.locator("#contact-nom").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "contact-nom"
    expect(page.locator("#contact-email-erreur")).to_have_text("Indiquez votre adresse e-mail.")

    page.fill("#contact-nom", "Dre Claire Martin")
    page.fill("#contact-email", "pas-une-adresse")
    page.select_option("#contact-profession", "Masseur-kinésithérapeute")
    page.select_option("#contact-arrondissement", "19e")
    page.fill("#contact-message", "Nous sommes trois kinés et cherchons un local dans le 19e.")
    form.locator("button[type=submit]").click()
    expect(page.locator("#contact-email-erreur")).to_contain_text("n'est pas valide")
    assert len(page.app.state.contact_calls) == 0 or all(
        c["nom"] != "Dre Claire Martin" for c in page.app.state.contact_calls
    )

    page.fill("#contact-email", "claire.martin@exemple.fr")
    form.locator("button[type=submit]").click()
    result = page.locator("#contact-result")
    expect(result).to_contain_text("Merci, votre demande a bien été transmise")
    expect(result).to_contain_text("Référence de votre demande : 42")
    assert page.app.state.contact_calls[-1] == {
        "nom": "Dre Claire Martin",
        "email": "claire.martin@exemple.fr",
        "profession": "Masseur-kinésithérapeute",
        "arrondissement": "19e",
        "message": "Nous sommes trois kinés et cherchons un local dans le 19e.",
    }
    assert page.locator("#contact-nom").input_value() == ""
    assert page.locator("#contact-nom").get_attribute("aria-invalid") is None


def fill_contact(page, nom: str) -> None:
    page.fill("#contact-nom", nom)
    page.fill("#contact-email", "a@b.fr")
    page.select_option("#contact-profession", "Sage-femme")
    page.fill("#contact-message", "Un message assez long pour passer.")  # arrondissement left "Pas encore défini"


def test_contact_form_server_failure_in_french(site):
    page = site
    fill_contact(page, "Panne")
    page.locator("#contact-form button[type=submit]").click()
    expect(page.locator("#contact-result")).to_contain_text("n'a pas pu être envoyée")
    assert page.locator("#contact-nom").input_value() == "Panne", "the form keeps what was typed"
    assert page.app.state.contact_calls[-1]["arrondissement"] == ""


def test_contact_form_shows_server_field_errors(site):
    page = site
    fill_contact(page, "Refus")
    page.locator("#contact-form button[type=submit]").click()
    expect(page.locator("#contact-email-erreur")).to_have_text("Domaine de messagerie refusé.")
    assert page.locator("#contact-email").get_attribute("aria-invalid") == "true"
    expect(page.locator("#contact-result")).to_have_text("Certains champs sont à corriger.")


def test_privacy_link_in_widget_closes_panel_and_shows_section(site):
    page = site
    open_widget(page)
    page.locator("#pm-chat-privacy a").click()
    expect(page.locator("#pm-chat-panel")).to_be_hidden()
    expect(page.locator("#donnees-personnelles")).to_be_in_viewport()


def test_desktop_screenshot_for_report(site):
    page = site
    open_widget(page)
    wait_for_bot_count(page, 1)
    send(page, "sources")
    assert page.js_errors == []
    save_screenshot(page, "web-desktop-widget")
