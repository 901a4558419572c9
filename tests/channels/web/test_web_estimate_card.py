"""Browser tests of the estimate card (custom payload `estimate_card`, docs/contracts.md « carte d'estimation »):
one compact card on desktop and phone widths, the calculation inside a « Voir le détail du calcul » disclosure."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.channels.web.webchat import XSS, open_widget, save_screenshot, send, wait_for_bot_count

pytestmark = pytest.mark.browser

CARD = "#pm-chat-log .pm-card"


def _card_checks(page, width: int) -> None:
    send(page, "carte")
    card = page.locator(CARD)
    expect(card).to_have_count(1)
    expect(card).to_have_attribute("aria-label", "Estimation de l'aide Paris Méd'")
    text = card.inner_text()
    assert "Votre projet semble éligible" in text
    assert "24\u202f000\u00a0€" in text  # the floor amount, formatted by the assistant (frenchtext.format_eur)
    # the 2–3 reasons that matter, not a fourth
    expect(card.locator(".pm-card__reasons li")).to_have_count(3)
    assert "Quatrième motif" not in text
    # partners: a safe link, and a javascript: URL left as plain text
    link = card.locator(".pm-card__partners a")
    expect(link).to_have_count(1)
    assert link.get_attribute("href") == "https://www.ameli.fr/" and link.get_attribute("rel") == "noopener noreferrer"
    assert "Lien piégé" in card.locator(".pm-card__partners").inner_text()
    # the calculation is hidden until the disclosure is opened
    details = card.locator("details.pm-card__detail")
    summary = details.locator("summary")
    expect(summary).to_have_text("Voir le détail du calcul")
    expect(details.locator("table")).to_be_hidden()
    assert details.get_attribute("open") is None
    summary.click()
    expect(details.locator("table")).to_be_visible()
    expect(details.locator("tbody tr")).to_have_count(2)
    detail_text = details.inner_text()
    for expected in ("Hypothèses", "temps plein", "À préciser", "Sources", "Grille de calcul : version 2026-01"):
        assert expected in detail_text, expected
    # keyboard: the disclosure closes with Enter on its summary
    summary.focus()
    page.keyboard.press("Enter")
    expect(details.locator("table")).to_be_hidden()
    # one card, not a wall of bubbles: the reply is the short text + the card
    bubbles = page.locator("#pm-chat-log .pm-msg--bot").all_inner_texts()
    assert sum("Aide plancher estimée" in b for b in bubbles) == 1
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "horizontal scrolling"


def test_estimate_card_on_desktop(fake_server, page):
    base_url, _ = fake_server
    page.goto(base_url + "/")
    open_widget(page)
    wait_for_bot_count(page, 1)
    _card_checks(page, 1280)
    save_screenshot(page, "web-estimate-card-desktop")
    assert page.js_errors == [] and page.dialogs == []


def test_estimate_card_on_phone(fake_server, phone_page):
    base_url, _ = fake_server
    page = phone_page
    page.goto(base_url + "/")
    page.locator("#pm-chat-launcher").tap()
    wait_for_bot_count(page, 1)
    _card_checks(page, 390)
    card_box = page.locator(CARD).bounding_box()
    assert card_box is not None and card_box["height"] < 844, "the closed card fits on one phone screen"
    save_screenshot(page, "web-estimate-card-phone")
    assert page.js_errors == []


def test_not_eligible_card_has_no_amount(fake_server, page):
    base_url, _ = fake_server
    page.goto(base_url + "/")
    open_widget(page)
    wait_for_bot_count(page, 1)
    send(page, "carte non eligible")
    card = page.locator(CARD)
    expect(card).to_have_class("pm-card pm-card--not-eligible")
    assert "ne semble pas éligible" in card.inner_text()
    expect(card.locator(".pm-card__amount")).to_have_count(0)


def test_card_survives_reload(fake_server, page):
    base_url, _ = fake_server
    page.goto(base_url + "/")
    open_widget(page)
    wait_for_bot_count(page, 1)
    send(page, "carte")
    page.reload()
    open_widget(page)
    expect(page.locator(CARD)).to_have_count(1)
    expect(page.locator(CARD + " details summary")).to_have_text("Voir le détail du calcul")


def test_card_texts_are_inert(fake_server, page):
    """Card fields are inserted as text: markup in them is shown, never run."""
    base_url, app = fake_server
    page.goto(base_url + "/")
    open_widget(page)
    wait_for_bot_count(page, 1)
    page.evaluate(
        """xss => {
            const log = document.querySelector('#pm-chat-log');
            return import('/static/web/chat/card.js').then(m => log.appendChild(m.renderEstimateCard(
                {type: 'estimate_card', eligible: true, montant: xss, titre: xss, motifs: [xss],
                 partenaires: [{nom: xss, raison: xss, url: 'https://example.org/'}], hypotheses: [xss]})));
        }""",
        XSS,
    )
    assert page.locator("#pm-chat-log img").count() == 0
    assert XSS in page.locator(CARD).last.inner_text()
    assert page.dialogs == []


def test_the_real_card_names_documents_and_never_an_internal_reference(fake_server, page):
    """The card of a real estimate (three dentists in the 19th), details open: what the tester saw, fixed."""
    base_url, _ = fake_server
    page.goto(base_url + "/")
    open_widget(page)
    wait_for_bot_count(page, 1)
    send(page, "carte réelle")
    card = page.locator(CARD)
    expect(card).to_have_count(1)
    card.locator("details summary").click()
    expect(card.locator("details table")).to_be_visible()
    text = card.inner_text()
    assert not re.search(r"\b(?:seed|src)-\d+|shared/|seeds/|\.txt\b|docs/", text), text
    assert "La lutte contre les inégalités de santé et l'accès aux soins pour tous" in text  # named plainly
    assert "https://www.whatsupdoc-lemag.fr/article/paris-med-suite-0" in text  # a public page, with its link
    assert "Équipe sans médecin\u00a0: admise" in text and "paramédic" not in text  # dentists are not paramedical
    assert re.search(r"Grille de calcul : version [\w.-]+ \(hypothèse de travail\)", text)
