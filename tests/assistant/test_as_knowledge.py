"""action_repondre_guide: answer + sources + buttons, honest decline, apology on failure."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from assistant.actions.knowledge import ActionRepondreGuide
from tests.assistant.as_helpers import has_module, make_tracker, responses, run_action, slots_set

QUESTION = "Mon cabinet est-il un ERP ?"


def _answer(contract):
    return lambda question: SimpleNamespace(to_contract=lambda: {**contract, "question_seen": question})


def test_answer_with_sources_and_buttons(fake_module, domain):
    seen = []
    contract = {
        "answer": "Oui : un cabinet qui reçoit des patients est un ERP, en général de type U, 5e catégorie.",
        "answered": True,
        "score": 0.8,
        "sources": [{"title": "ERP", "section": "Qualification", "url": "https://example.org/erp", "file": "x"}],
    }

    def answer(question):
        seen.append(question)
        return SimpleNamespace(to_contract=lambda: contract)

    fake_module("knowledge_base", answer=answer)
    messages, events = run_action(ActionRepondreGuide(), make_tracker(QUESTION, "question_reglementaire"), domain)

    assert seen == [QUESTION]
    assert messages[0]["text"] == contract["answer"]
    assert messages[1]["custom"] == {
        "sources": [{"title": "ERP", "section": "Qualification", "url": "https://example.org/erp"}]
    }
    assert responses(messages)[2] == "guide_suite"
    assert slots_set(events) == {"offre_equipe": False}
    buttons = messages[2]["buttons"]
    assert [b["payload"] for b in buttons] == ["/remercier", "/parler_humain"]


def test_unanswered_offers_the_hand_off(fake_module, domain):
    fake_module("knowledge_base", answer=_answer({"answer": "", "answered": False, "sources": [], "score": 0.1}))
    messages, events = run_action(
        ActionRepondreGuide(), make_tracker("Quelle mutuelle choisir ?", "question_reglementaire"), domain
    )
    assert responses(messages) == ["guide_sans_reponse"]
    assert slots_set(events) == {"offre_equipe": True}


def test_gibberish_asks_to_rephrase_without_offering_the_hand_off(fake_module, domain):
    contract = {"answer": "", "answered": False, "sources": [], "score": 0.1}
    fake_module("knowledge_base", answer=lambda q: SimpleNamespace(to_contract=lambda: contract, understood=False))
    messages, events = run_action(
        ActionRepondreGuide(), make_tracker("azertyuiop qsdfg", "question_reglementaire"), domain
    )
    assert responses(messages) == ["guide_non_compris"]
    assert "reformuler" in messages[0]["text"]
    assert slots_set(events) == {"offre_equipe": False}


def test_failure_gives_a_french_apology(fake_module, domain):
    def broken(question):
        raise RuntimeError("index missing")

    fake_module("knowledge_base", answer=broken)
    messages, events = run_action(ActionRepondreGuide(), make_tracker(QUESTION, "question_reglementaire"), domain)
    assert responses(messages) == ["guide_erreur"]
    assert slots_set(events) == {"offre_equipe": True}
    assert messages[0]["text"].startswith("Désolé")


def test_button_payload_is_not_sent_to_the_guide(fake_module, domain):
    fake_module("knowledge_base", answer=lambda q: pytest.fail("must not be called"))
    messages, _ = run_action(
        ActionRepondreGuide(), make_tracker("/question_reglementaire", "question_reglementaire"), domain
    )
    assert responses(messages) == ["guide_sans_reponse"]


@pytest.mark.skipif(not has_module("knowledge_base"), reason="knowledge_base not available")
def test_real_knowledge_base_answers_a_core_question(domain):
    messages, events = run_action(ActionRepondreGuide(), make_tracker(QUESTION, "question_reglementaire"), domain)
    assert slots_set(events) == {"offre_equipe": False}, messages
    assert "ERP" in messages[0]["text"]
    sources = messages[1]["custom"]["sources"]
    assert sources and all(set(s) == {"title", "section", "url"} for s in sources)
