"""Fixtures of the web channel tests.

- `web_app`: a throwaway FastAPI app = channels.web.router + a scripted fake of
  POST /api/v1/chat and of the staff contact endpoint. Used ONLY by the layout/rendering tests;
  the real conversation tests use the lead's `live_stack` fixture (tests/conftest.py).
- `fake_server`: that app served by uvicorn in a thread (for the browser).
- `browser` / `page`: Chromium driven by Playwright; a screenshot of the page is saved to
  test-artifacts/ when a browser test fails.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from channels.web import CONTACT_ENDPOINT, mount_static, router
from tests.channels.web.webchat import ARTIFACTS
from tests.support import served


# --------------------------------------------------------------------------- fake app
def fake_bot_reply(message: str) -> list[dict[str, Any]]:
    """Scripted replies exercising every kind of Rasa REST message the widget renders."""
    if message == "/saluer":
        return [
            {
                "text": "Bonjour ! Je suis l'assistant **Paris Méd'**. Que souhaitez-vous faire ?",
                "buttons": [
                    {"title": "Estimer mon aide", "payload": "/estimer_aide"},
                    {"title": "Question réglementaire", "payload": "/question_reglementaire"},
                ],
            },
        ]
    if message == "/estimer_aide":
        return [{"text": "Combien de professionnels de santé compte votre équipe ?"}]
    if message == "markdown":
        return [
            {
                "text": "Voici **trois points** :\n- premier\n- second avec [un lien](https://www.paris.fr/)\n"
                "- troisième avec [un piège](javascript:alert(1))\n\nSuite ligne 1\nligne 2 https://example.org/page."
            }
        ]
    if message == "sources":
        return [
            {"text": "Un cabinet qui reçoit des patients est un ERP."},
            {
                "custom": {
                    "sources": [
                        {
                            "title": "Qualification ERP",
                            "section": "Définition",
                            "url": "https://www.service-public.fr/x",
                        },
                        {"title": "Lien piégé", "section": "S", "url": "javascript:alert(1)"},
                        {"title": "Paris Méd'", "section": "Montants", "url": "", "document": "Rapport d'activité"},
                    ]
                }
            },
        ]
    if message == "estimation":  # shaped like Rasa's REST output: one Markdown text split on blank lines
        return [
            {"text": "Aide plancher estimée : 24\u202f000\u00a0€"},
            {"text": "## Estimation indicative"},
            {"text": "**Votre projet semble éligible.**"},
            {"text": "### Détail du calcul"},
            {
                "text": "| Ligne | Montant | Fondement |\n|---|---:|---|\n| Base : 3 × 4 000 € | 12 000 € | hypothèse |\n"
                "| **Aide plancher estimée** | **24 000 €** | |"
            },
            {"text": "### Hypothèses retenues"},
            {
                "text": "\n".join(
                    f"- hypothèse numéro {n}, assez longue pour remplir la zone de conversation" for n in range(12)
                )
            },
            {"text": "> **Avertissement** : simulation indicative.\n> Le montant est fixé par la Ville."},
            {
                "text": "Souhaitez-vous autre chose ?",
                "buttons": [{"title": "Parler à l'équipe", "payload": "/parler_humain"}],
            },
        ]
    if message == "carte réelle":  # the card the assistant builds from a real estimate (see real_estimate_card)
        return [{"text": "Aide plancher estimée (estimation indicative)."}, {"custom": real_estimate_card()}]
    if message in ("carte", "carte non eligible"):  # the assistant's estimate: one short text + one card
        return [
            {
                "text": "Aide plancher estimée : au moins 24\u202f000\u00a0€ (estimation indicative).",
                "buttons": [{"title": "Parler à l'équipe", "payload": "/parler_humain"}],
            },
            {"custom": ESTIMATE_CARD if message == "carte" else NOT_ELIGIBLE_CARD},
        ]
    if message == "quick":
        return [{"text": "Choisissez :", "quick_replies": [{"title": "Oui", "payload": "/affirmer"}]}]
    if "<" in message or ">" in message:
        return [
            {"text": f"Vous avez écrit : {message}", "buttons": [{"title": message, "payload": message}]},
            {"custom": {"sources": [{"title": message, "section": message, "url": "https://example.org/"}]}},
        ]
    return [{"text": f"Réponse à : {message}"}]


ESTIMATE_CARD: dict[str, Any] = {
    "type": "estimate_card",
    "eligible": True,
    "aide_plancher_eur": 24000,
    "montant": "24\u202f000\u00a0€",
    "titre": "Votre projet semble éligible",
    "motifs": [
        "Équipe de 3 professionnels de santé, dont un médecin généraliste",
        "Installation dans le 19e arrondissement, zone d'intervention prioritaire",
        "Secteur 1 : honoraires sans dépassement",
        "Quatrième motif, qui ne doit pas s'afficher",
    ],
    "partenaires": [
        {"nom": "CPAM de Paris", "raison": "Aides conventionnelles à l'installation", "url": "https://www.ameli.fr/"},
        {"nom": "Lien piégé", "raison": "Ne doit pas devenir un lien", "url": "javascript:alert(1)"},
    ],
    "detail": [
        {
            "ligne": "Base : 3 × 4 000 €",
            "montant_eur": 12000,
            "montant": "12\u202f000\u00a0€",
            "fondement": "Grille 2026",
        },
        {"ligne": "Majoration zone", "montant_eur": 12000, "montant": "12\u202f000\u00a0€", "fondement": "Zonage ARS"},
    ],
    "hypotheses": ["Les trois professionnels exercent à temps plein."],
    "a_preciser": ["La surface du local."],
    "sources": ["Délibération du Conseil de Paris — Ville de Paris — 2026 — https://www.paris.fr/pages/paris-med"],
    "avertissement": "Simulation indicative : le montant est fixé par la Ville après instruction du dossier.",
    "version_grille": "2026-01",
    "repartition_supposee": None,
}
NOT_ELIGIBLE_CARD: dict[str, Any] = {
    **ESTIMATE_CARD,
    "eligible": False,
    "aide_plancher_eur": 0,
    "montant": "0\u00a0€",
    "titre": "Votre projet ne semble pas éligible",
    "motifs": ["Le dispositif vise les équipes d'au moins deux professionnels de santé"],
}


REAL_CARD_PROFILE = {"professionnels": [{"profession": "chirurgien_dentiste", "nombre": 3}], "code_postal": "75019"}


def real_estimate_card() -> dict[str, Any]:
    """The estimate card of the tester's case (three dentists in the 19th), built as `action_estimer_aide` builds it:
    rules_bridge's estimate and explanation, then the assistant's card."""
    import rules_bridge
    from assistant.actions.estimate import estimate_card

    result = rules_bridge.estimate(REAL_CARD_PROFILE)
    return estimate_card(result, rules_bridge.explain_markdown(result), None).model_dump()


def build_fake_app() -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    mount_static(app)
    app.state.chat_calls = []
    app.state.contact_calls = []

    @app.post("/api/v1/chat")
    async def chat(request: Request):
        body = await request.json()
        message = str(body.get("message", ""))
        app.state.chat_calls.append(body)
        if message == "boom":
            return JSONResponse({"detail": "erreur"}, status_code=500)
        if message == "lent":
            await asyncio.sleep(1.0)
        if message == "degrade":
            return {"messages": [{"text": "L'assistant est momentanément indisponible."}], "degraded": True}
        return {"messages": fake_bot_reply(message), "degraded": False}

    @app.post(CONTACT_ENDPOINT)  # shaped like channels.staff's public contact endpoint
    async def contact(request: Request):
        body = await request.json()
        app.state.contact_calls.append(body)
        if body.get("nom") == "Panne":
            return JSONResponse({"detail": "erreur"}, status_code=503)
        if body.get("nom") == "Refus":
            return JSONResponse(
                {"detail": [{"champ": "email", "message": "Domaine de messagerie refusé."}]}, status_code=422
            )
        return JSONResponse({"id": 42, "message": "Merci."}, status_code=201)

    return app


@pytest.fixture()
def web_app() -> FastAPI:
    return build_fake_app()


@pytest.fixture(scope="session")
def fake_server():
    """The fake app served on a free port; yields (base_url, app)."""
    app = build_fake_app()
    with served(app) as base_url:
        yield base_url, app


# --------------------------------------------------------------------------- browser
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _new_page(browser, request, **context_args):
    context = browser.new_context(locale="fr-FR", **context_args)
    page = context.new_page()
    page.set_default_timeout(15_000)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.dialogs = dialogs  # type: ignore[attr-defined]
    page.js_errors = errors  # type: ignore[attr-defined]
    return context, page


def _save_failure_screenshot(request, page) -> None:
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = request.node.nodeid.replace("/", "_").replace("::", "__").replace("[", "_").replace("]", "")
        try:
            page.screenshot(path=str(ARTIFACTS / f"FAILED_{name}.png"), full_page=False)
        except Exception:  # the page may be gone; the test report already says why
            pass


@pytest.fixture()
def page(browser, request):
    context, page = _new_page(browser, request, viewport={"width": 1280, "height": 900})
    yield page
    _save_failure_screenshot(request, page)
    context.close()


@pytest.fixture()
def phone_page(browser, request):
    context, page = _new_page(
        browser,
        request,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    yield page
    _save_failure_screenshot(request, page)
    context.close()


# --------------------------------------------------------------------------- real stack
@pytest.fixture(scope="session")
def live_app_url(request) -> str:
    """URL of the real application (lead's `live_stack` fixture: real Rasa + app)."""
    try:
        stack = request.getfixturevalue("live_stack")
    except pytest.FixtureLookupError:
        pytest.skip("fixture live_stack absente (tests/conftest.py) : pile réelle non disponible")
    return str(stack.app_url).rstrip("/")
