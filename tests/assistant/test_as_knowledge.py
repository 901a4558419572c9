"""action_repondre_guide: answer + sources + buttons, honest decline, apology on failure, previous turn as context."""

from __future__ import annotations

import pytest

import knowledge_base
from assistant.actions.forms import ValidateFormulaireEligibilite
from assistant.actions.knowledge import ActionHorsSujet, ActionQuestionMedicale, ActionRepondreGuide
from knowledge_base import Answer, Previous, Source
from tests.assistant.as_helpers import action_event, entity, make_tracker, responses, run_action, slot_event, slots_set

QUESTION = "Mon cabinet est-il un ERP ?"
ERP = Source(title="ERP", section="Qualification", url="https://example.org/erp", file="x", section_id="erp-type")


def _fixed(result: Answer, seen: list | None = None):
    def answer(question, previous=None):
        if seen is not None:
            seen.append((question, previous))
        return result

    return answer


def test_answer_with_sources_and_buttons(fake_module, domain):
    seen: list = []
    result = Answer(
        answer="Oui : un cabinet qui reçoit des patients est un ERP.", answered=True, score=0.8, sources=[ERP]
    )
    fake_module("knowledge_base", answer=_fixed(result, seen))
    messages, events = run_action(ActionRepondreGuide(), make_tracker(QUESTION, "question_reglementaire"), domain)

    assert seen == [(QUESTION, None)]
    assert messages[0]["text"] == result.answer
    assert messages[1]["custom"] == {
        "sources": [{"title": "ERP", "section": "Qualification", "url": "https://example.org/erp"}]
    }
    assert responses(messages)[2] == "guide_suite"
    assert slots_set(events) == {
        "offre_equipe": False,
        "question_precedente": QUESTION,
        "section_precedente": "erp-type",
    }
    assert [b["payload"] for b in messages[2]["buttons"]] == ["/remercier", "/parler_humain"]


def test_follow_up_is_sent_with_the_previous_turn(fake_module, domain):
    seen: list = []
    result = Answer(answer="Le preneur peut donner congé…", answered=True, score=0.7, sources=[ERP])
    fake_module("knowledge_base", answer=_fixed(result, seen))
    tracker = make_tracker(
        "et si je veux résilier plus tôt ?",
        "question_reglementaire",
        slots={
            "question_precedente": "Quelle est la durée d'un bail professionnel ?",
            "section_precedente": "bail-pro",
        },
    )
    run_action(ActionRepondreGuide(), tracker, domain)
    assert seen == [
        (
            "et si je veux résilier plus tôt ?",
            Previous(question="Quelle est la durée d'un bail professionnel ?", section_id="bail-pro"),
        )
    ]


def test_unanswered_offers_the_hand_off_and_keeps_the_previous_topic(fake_module, domain):
    fake_module("knowledge_base", answer=_fixed(Answer(answer="", answered=False, sources=[], score=0.1)))
    messages, events = run_action(
        ActionRepondreGuide(), make_tracker("Quelle mutuelle choisir ?", "question_reglementaire"), domain
    )
    assert responses(messages) == ["guide_sans_reponse"]
    assert slots_set(events) == {"offre_equipe": True}


def test_gibberish_asks_to_rephrase_without_offering_the_hand_off(fake_module, domain):
    result = Answer(answer="", answered=False, sources=[], score=0.1, understood=False)
    fake_module("knowledge_base", answer=_fixed(result))
    messages, events = run_action(
        ActionRepondreGuide(), make_tracker("azertyuiop qsdfg", "question_reglementaire"), domain
    )
    assert responses(messages) == ["guide_non_compris"]
    assert "reformuler" in messages[0]["text"]
    assert slots_set(events) == {"offre_equipe": False}


def test_courtesy_read_as_a_question_gets_the_guides_reply_without_offering_the_hand_off(fake_module, domain):
    result = Answer(answer="Je vous en prie, et bonne continuation !", answered=False, score=0.0, courtesy=True)
    fake_module("knowledge_base", answer=_fixed(result))
    messages, events = run_action(
        ActionRepondreGuide(), make_tracker("merci beaucoup, au revoir", "question_reglementaire"), domain
    )
    assert [m["text"] for m in messages] == [result.answer]
    assert slots_set(events) == {"offre_equipe": False}


def test_failure_gives_a_french_apology(fake_module, domain):
    def broken(question, previous=None):
        raise knowledge_base.KnowledgeBaseError("index absent")

    fake_module("knowledge_base", answer=broken)
    messages, events = run_action(ActionRepondreGuide(), make_tracker(QUESTION, "question_reglementaire"), domain)
    assert responses(messages) == ["guide_erreur"]
    assert slots_set(events) == {"offre_equipe": True}
    assert messages[0]["text"].startswith("Désolé")


def test_button_payload_is_not_sent_to_the_guide(fake_module, domain):
    fake_module("knowledge_base", answer=lambda q, previous=None: pytest.fail("must not be called"))
    messages, _ = run_action(
        ActionRepondreGuide(), make_tracker("/question_reglementaire", "question_reglementaire"), domain
    )
    assert responses(messages) == ["guide_sans_reponse"]


def test_real_knowledge_base_answers_a_core_question(domain):
    messages, events = run_action(ActionRepondreGuide(), make_tracker(QUESTION, "question_reglementaire"), domain)
    assert slots_set(events)["offre_equipe"] is False, messages
    assert slots_set(events)["section_precedente"]
    assert "ERP" in messages[0]["text"]
    sources = messages[1]["custom"]["sources"]
    assert sources and all(set(s) == {"title", "section", "url"} for s in sources)


@pytest.mark.parametrize(
    ("message", "medical"),
    [
        ("J'ai de la fièvre et mal à la gorge depuis 3 jours, je dois prendre des antibiotiques ?", True),
        ("mon patient diabétique a une glycémie à 3 g/l, que faire ?", True),
        # regulatory questions the NLU may read as medical ones: the guide answers them
        ("je peux mettre une enseigne lumineuse sur la façade ?", False),
        ("le reglement de copro interdit les activites pro, je fais comment", False),
    ],
)
def test_a_medical_question_gets_no_advice_unless_the_guide_answers_it(domain, message, medical):
    messages, events = run_action(ActionQuestionMedicale(), make_tracker(message, "question_medicale"), domain)
    assert slots_set(events)["offre_equipe"] is False  # never the hand-off to the staff for care
    if medical:
        assert [m.get("text") for m in messages] == [knowledge_base.MEDICAL_ADVICE]
    else:
        assert messages[0]["text"] and slots_set(events)["section_precedente"]


@pytest.mark.parametrize(
    "message",
    [
        "Bonjour, nous sommes un couple d'infirmiers et on veut ouvrir notre cabinet dans une ancienne boutique rue de "
        "Flandre (19e), c'est un quartier prioritaire",
        "je suis étudiante en médecine en 6e année, la ville propose des aides pour les internes ?",
    ],
)
def test_an_unsure_medical_reading_without_words_of_care_gets_no_medical_advice(domain, message):
    tracker = make_tracker(message, "question_medicale")
    tracker.latest_message["intent"]["confidence"] = 0.78  # as the NLU read them (fifth outside test)
    messages, _ = run_action(ActionQuestionMedicale(), tracker, domain)
    assert knowledge_base.MEDICAL_ADVICE not in [m.get("text") for m in messages]  # it said « appelez le 15 »
    emergency = make_tracker("mon patient ne respire plus", "question_medicale")
    emergency.latest_message["intent"]["confidence"] = 0.78  # words of care: the advice at any confidence
    messages, _ = run_action(ActionQuestionMedicale(), emergency, domain)
    assert [m.get("text") for m in messages] == [knowledge_base.MEDICAL_ADVICE]


@pytest.mark.parametrize(
    ("message", "patient"),
    [
        ("Je cherche un médecin traitant pour ma mère", True),
        ("je cherche un dentiste pour mon fils", True),
        ("Quelle est la meilleure pizzeria du 11e ?", False),
    ],
)
def test_out_of_scope_points_a_patient_to_the_directory(domain, message, patient):
    messages, _ = run_action(ActionHorsSujet(), make_tracker(message, "hors_sujet"), domain)
    if patient:  # the NLU reads it as off-topic; « je ne peux pas vous aider » left the patient with nothing
        assert [m.get("text") for m in messages] == [knowledge_base.PRACTITIONER_SEARCH]
    else:
        assert [m.get("response") for m in messages] == ["utter_hors_sujet"]


TWO_QUESTIONS = "Je suis kiné dans le 19e, je peux avoir l'aide ? et faut-il une autorisation pour mettre une plaque ?"
AID_PART, GUIDE_PART = (
    "Je suis kiné dans le 19e, je peux avoir l'aide ?",
    "et faut-il une autorisation pour mettre une plaque ?",
)


def _two_questions(aid_intent="demande_eligibilite", slots=None, active_loop=None):
    """The message as the NLU parses it: one intent for the whole, and one per question (assistant/components)."""
    tracker = make_tracker(
        TWO_QUESTIONS,
        "question_reglementaire",
        [
            entity(TWO_QUESTIONS, "kiné", "profession", "masseur_kinesitherapeute"),
            entity(TWO_QUESTIONS, "19e", "arrondissement"),
        ],
        slots=slots,
        active_loop=active_loop,
    )
    tracker.latest_message["questions"] = [
        {"text": AID_PART, "intent": aid_intent, "confidence": 0.8},
        {"text": GUIDE_PART, "intent": "question_reglementaire", "confidence": 1.0},
    ]
    return tracker


def test_a_question_about_the_aid_asked_with_a_guide_question_is_kept_for_the_estimate(fake_module, domain):
    seen: list = []
    result = Answer(
        answer="Une plaque professionnelle se pose sans autorisation…", answered=True, score=0.8, sources=[ERP]
    )
    fake_module("knowledge_base", answer=_fixed(result, seen))
    messages, events = run_action(ActionRepondreGuide(), _two_questions(), domain)
    assert seen == [(GUIDE_PART, None)]  # the guide reads the message without the question about the aid
    assert messages[0]["text"] == result.answer and responses(messages)[-1] == "estimation_ensuite"
    slots = slots_set(events)
    assert slots["estimation_demandee"] is True  # the rules start the eligibility form next
    assert slots["professions"] == ["masseur_kinesitherapeute"] and slots["arrondissement"] == "19e"
    assert slots["offre_equipe"] is False


def test_the_estimate_follows_even_when_the_guide_declines_the_other_question(fake_module, domain):
    fake_module("knowledge_base", answer=_fixed(Answer(answer="", answered=False, sources=[], score=0.1)))
    messages, events = run_action(ActionRepondreGuide(), _two_questions("estimer_aide"), domain)
    assert responses(messages) == ["guide_sans_reponse_estimation"]
    assert slots_set(events)["estimation_demandee"] is True and slots_set(events)["offre_equipe"] is False


def test_in_the_eligibility_form_the_guide_answers_and_the_form_resumes_as_before(fake_module, domain):
    result = Answer(answer="Une plaque…", answered=True, score=0.8, sources=[ERP])
    fake_module("knowledge_base", answer=_fixed(result))
    slots = {"estimation_demandee": True}
    tracker = _two_questions(slots=slots, active_loop="formulaire_eligibilite")
    messages, events = run_action(ActionRepondreGuide(), tracker, domain)
    assert responses(messages)[-1] == "guide_suite"
    assert slots_set(events)["estimation_demandee"] is None and "professions" not in slots_set(events)


def test_a_guide_question_that_turns_the_estimate_down_ends_the_form(fake_module, domain):
    # « non je ne veux pas d'estimation, je voulais savoir… » got the answer, then the form's question again (eighth
    # outside test)
    question = "non je ne veux pas d'estimation, je voulais savoir s'il faut une autorisation pour un appartement"
    result = Answer(answer="Oui, un changement d'usage…", answered=True, score=0.9, sources=[ERP])
    fake_module("knowledge_base", answer=_fixed(result))
    tracker = make_tracker(question, "question_reglementaire", active_loop="formulaire_eligibilite")
    messages, events = run_action(ActionRepondreGuide(), tracker, domain)
    assert responses(messages)[0] == "estimation_laissee" and messages[1]["text"] == result.answer
    assert any(e.get("event") == "active_loop" and e.get("name") is None for e in events)
    assert slots_set(events)["requested_slot"] is None

    tracker = make_tracker("et pour un appartement ?", "question_reglementaire", active_loop="formulaire_eligibilite")
    _, events = run_action(ActionRepondreGuide(), tracker, domain)  # an ordinary question: the form goes on
    assert not any(e.get("event") == "active_loop" for e in events)


AID_FIRST = (
    "Combien je peux toucher avec Paris Méd' pour mon cabinet de kiné dans le 18e ? "
    "Et est-ce que je dois faire une déclaration de travaux pour repeindre ?"
)
AID_QUESTION, REPAINT_QUESTION = (
    "Combien je peux toucher avec Paris Méd' pour mon cabinet de kiné dans le 18e ?",
    "Et est-ce que je dois faire une déclaration de travaux pour repeindre ?",
)


def _aid_first(intent="estimer_aide"):
    """The eligibility form's validation on the message that starts it: a message about the aid (`intent`) that asks
    a guide question too, as the NLU parses it; its profile is in the slots (the form's candidates)."""
    profile = {"professions": ["masseur_kinesitherapeute"], "arrondissement": "18e"}
    tracker = make_tracker(
        AID_FIRST,
        intent,
        [
            entity(AID_FIRST, "kiné", "profession", "masseur_kinesitherapeute"),
            entity(AID_FIRST, "18e", "arrondissement"),
        ],
        slots=profile,
        after=[action_event("formulaire_eligibilite"), *(slot_event(name, value) for name, value in profile.items())],
        active_loop="formulaire_eligibilite",
    )
    tracker.latest_message["questions"] = [
        {"text": AID_QUESTION, "intent": "estimer_aide", "confidence": 0.9},
        {"text": REPAINT_QUESTION, "intent": "question_reglementaire", "confidence": 0.95},
    ]
    return tracker


@pytest.mark.parametrize("intent", ["estimer_aide", "demande_eligibilite"])
def test_a_guide_question_asked_with_a_question_about_the_aid_is_answered_before_the_estimate(
    fake_module, domain, intent
):
    seen: list = []
    result = Answer(
        answer="Repeindre l'intérieur ne demande aucune déclaration…", answered=True, score=0.8, sources=[ERP]
    )
    fake_module("knowledge_base", answer=_fixed(result, seen))
    messages, events = run_action(ValidateFormulaireEligibilite(), _aid_first(intent), domain)
    assert [question for question, _ in seen] == [REPAINT_QUESTION]  # the question about the aid is the estimate's
    assert messages[0]["text"] == result.answer and messages[1]["custom"]["sources"][0]["url"] == ERP.url
    assert responses(messages)[2:] == ["estimation_ensuite"]
    slots = slots_set(events)
    assert slots["question_precedente"] == REPAINT_QUESTION and slots["section_precedente"] == "erp-type"
    assert "estimation_demandee" not in slots  # the form reading the message goes on by itself
    assert slots["requested_slot"] == "nombre_professionnels"  # then the form asks what is missing


def test_the_form_goes_on_when_the_guide_declines_the_other_question(fake_module, domain):
    fake_module("knowledge_base", answer=_fixed(Answer(answer="", answered=False, sources=[], score=0.1)))
    messages, events = run_action(ValidateFormulaireEligibilite(), _aid_first(), domain)
    assert responses(messages) == ["guide_sans_reponse_estimation"]
    assert slots_set(events)["offre_equipe"] is False and slots_set(events)["requested_slot"] == "nombre_professionnels"


def test_a_guide_question_the_guide_action_answered_is_not_answered_again_by_the_form(fake_module, domain):
    seen: list = []
    fake_module("knowledge_base", answer=_fixed(Answer(answer="…", answered=True, score=0.8, sources=[ERP]), seen))
    for tracker in (
        _two_questions(active_loop="formulaire_eligibilite"),
        make_tracker("Combien je peux toucher ?", "estimer_aide"),
    ):
        messages, _ = run_action(ValidateFormulaireEligibilite(), tracker, domain)
        assert messages == [] and seen == []


@pytest.mark.parametrize(
    ("message", "response"),
    [
        ("je finis mes remplacements et je voudrais m'installer en secteur 1 dans le 18e", "projet_decrit"),
        ("quelle est la couleur réglementaire des plaques ?", "guide_sans_reponse"),
    ],
)
def test_a_declined_message_that_asks_nothing_describes_a_project(fake_module, domain, message, response):
    # « le guide ne traite pas cette question » answered a young GP's plans (fifth outside test)
    fake_module("knowledge_base", answer=_fixed(Answer(answer="", answered=False, score=0.1)))
    messages, events = run_action(ActionRepondreGuide(), make_tracker(message, "question_reglementaire"), domain)
    assert responses(messages) == [response]
    assert slots_set(events)["offre_equipe"] is (response == "guide_sans_reponse")


def test_a_criterion_stated_after_an_estimate_estimates_again(fake_module, domain):
    # « et si le local est dans un QPV ? » got the definition of a QPV, not the estimate with it (fifth outside test)
    text = "et si le local est dans un QPV ?"
    shown = {"estimation": {"eligible": True}}
    _, events = run_action(ActionRepondreGuide(), make_tracker(text, "question_reglementaire", slots=shown), domain)
    assert events == [{"event": "followup", "name": "formulaire_eligibilite", "timestamp": None}]
    fake_module(
        "knowledge_base", answer=_fixed(Answer(answer="QPV signifie…", answered=True, score=0.9, sources=[ERP]))
    )
    asked = make_tracker("c'est quoi un QPV ?", "question_reglementaire", slots=shown)  # asked about, not stated
    messages, _ = run_action(ActionRepondreGuide(), asked, domain)
    assert messages[0]["text"] == "QPV signifie…"


def test_an_unsure_off_topic_reading_of_a_question_the_guide_answers_gets_the_answer(domain):
    # « comment je dépose la demande ? » (hors_sujet, 0.45) got « je ne peux pas vous aider » (sixth outside test)
    tracker = make_tracker("comment déposer ma demande de subvention Paris Méd' ?", "hors_sujet")
    tracker.latest_message["intent"]["confidence"] = 0.45
    messages, events = run_action(ActionHorsSujet(), tracker, domain)
    assert messages[0]["text"] and slots_set(events)["section_precedente"]
    pizza = make_tracker("Quelle est la meilleure pizzeria du 11e ?", "hors_sujet")
    pizza.latest_message["intent"]["confidence"] = 0.45
    messages, _ = run_action(ActionHorsSujet(), pizza, domain)
    assert [m.get("response") for m in messages] == ["utter_hors_sujet"]


def test_an_off_topic_reading_of_a_correction_after_an_estimate_estimates_again(domain):
    # « bon et dans le 17e plutôt, près des Batignolles ? » (hors_sujet) got « je ne peux pas vous aider » (eighth
    # outside test)
    text = "bon et dans le 17e plutôt, près des Batignolles ?"
    shown = {"estimation": {"eligible": True}, "professions": ["orthophoniste"]}
    tracker = make_tracker(text, "hors_sujet", [entity(text, "17e", "arrondissement", "17")], slots=shown)
    _, events = run_action(ActionHorsSujet(), tracker, domain)
    assert events == [{"event": "followup", "name": "formulaire_eligibilite", "timestamp": None}]
    no_estimate = make_tracker(text, "hors_sujet", [entity(text, "17e", "arrondissement", "17")])
    messages, _ = run_action(ActionHorsSujet(), no_estimate, domain)
    assert [m.get("response") for m in messages] == ["utter_hors_sujet"]
