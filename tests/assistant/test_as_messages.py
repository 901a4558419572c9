"""Messages data (messages.yml), form questions and the core fallback action."""

from __future__ import annotations

import re

from assistant.actions.forms import (
    ActionAskArrondissement,
    ActionAskNombreProfessionnels,
    ActionAskProfessions,
    ActionAskSecteur,
)
from assistant.actions.handoff import ActionAskContact, ActionAskDemande, ActionNonCompris
from assistant.actions.messages import load_messages, render
from parismed.config import PROJECT_ROOT
from tests.assistant.as_helpers import make_tracker, responses, run_action

ACTIONS_DIR = PROJECT_ROOT / "assistant" / "actions"


def test_every_message_used_exists_and_every_message_is_used():
    code = "\n".join(path.read_text(encoding="utf-8") for path in ACTIONS_DIR.glob("*.py"))
    used = set(re.findall(r'say\(dispatcher, "(\w+)"', code))
    used |= set(re.findall(r'"((?:montant_|transmis)\w*)"', code))
    used |= set(re.findall(r'render\("(\w+)"', code))
    used |= {
        f"ask_{slot}"
        for slot in ("professions", "arrondissement", "nombre_professionnels", "secteur", "demande", "contact")
    }
    assert used - set(load_messages()) == set()
    assert set(load_messages()) - used == set()


def test_placeholders_are_filled():
    assert render("transmis", numero=12)["text"].startswith("C'est transmis (demande n° 12)")
    assert "{numero}" in render("transmis")["text"]  # a missing value stays visible instead of crashing


def test_form_questions_match_the_forms(domain):
    asks = [
        ActionAskProfessions(),
        ActionAskArrondissement(),
        ActionAskNombreProfessionnels(),
        ActionAskSecteur(),
        ActionAskContact(),
        ActionAskDemande(),
    ]
    required = [slot for form in domain["forms"].values() for slot in form["required_slots"]]
    assert sorted(action.name() for action in asks) == sorted(f"action_ask_{slot}" for slot in required)
    for action in asks:
        assert action.name() in domain["actions"]
        messages, events = run_action(action, make_tracker(""), domain)
        assert responses(messages) == [action.name().replace("action_", "", 1)]
        assert events == []


def test_core_fallback_forgets_the_message(domain):
    messages, events = run_action(
        ActionNonCompris(), make_tracker("zzz", "informer", active_loop="formulaire_eligibilite"), domain
    )
    assert responses(messages) == ["default"]
    assert [event["event"] for event in events] == ["rewind"]
