"""Hand-off: contact form, staff request (summary, transcript), failures, repeated misunderstandings."""

from __future__ import annotations

import asyncio
import re

import pytest

import request_store
from assistant.actions.common import FORM
from assistant.actions.handoff import (
    ActionClorOffre,
    ActionCompleterDemande,
    ActionIncompris,
    ActionNier,
    ActionProposerEquipe,
    ActionRelanceGuide,
    ActionTransmettreEquipe,
    ValidateFormulaireContact,
    contact_in,
    handoff_key,
    has_subject,
    misunderstood_twice,
    transmitted_key,
)
from tests.assistant.as_helpers import (
    action_event,
    bot_event,
    entity,
    make_tracker,
    responses,
    run_action,
    slot_event,
    slots_set,
    tracker_from_json,
    user_event,
)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("dr.martin@example.org", "dr.martin@example.org"),
        ("mon mail : cabinet.paris-19@sante.fr.", "cabinet.paris-19@sante.fr"),
        ("06 12 34 56 78", "0612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("non", None),
        ("75019", None),
    ],
)
def test_contact_detection(text, found):
    assert contact_in(text) == found


def _contact_turn(text, intent):
    return make_tracker(
        text,
        intent,
        slots={"contact": text, "requested_slot": "contact"},
        after=[action_event("formulaire_contact"), {"event": "slot", "name": "contact", "value": text}],
        active_loop="formulaire_contact",
    )


def test_contact_form_accepts_email(domain):
    messages, events = run_action(
        ValidateFormulaireContact(), _contact_turn("dr.martin@example.org", "informer"), domain
    )
    assert messages == []
    # the message says nothing of the subject but is not a bare request for a human: the form is complete
    assert slots_set(events) == {"contact": "dr.martin@example.org", "requested_slot": None}


@pytest.mark.parametrize(("text", "intent"), [("non", "nier"), ("/nier", "nier"), ("non merci", "nier")])
def test_contact_form_accepts_a_refusal(domain, text, intent):
    _, events = run_action(ValidateFormulaireContact(), _contact_turn(text, intent), domain)
    assert slots_set(events) == {"contact": "-"}


def _extract_contact(text, intent):
    """extract_contact on a message whose intent the domain does not map to the contact slot (goodbye, thanks)."""
    tracker = make_tracker(text, intent, slots={"requested_slot": "contact"}, active_loop="formulaire_contact")
    return asyncio.run(ValidateFormulaireContact().extract_contact(None, tracker, {}))


def test_contact_details_said_with_a_goodbye_are_the_answer():
    assert _extract_contact("cabinet@example.org, merci et bonne journée", "au_revoir") == {
        "contact": "cabinet@example.org"
    }
    assert _extract_contact("merci, au revoir", "au_revoir") == {}  # the rules end the hand-off, nothing sent
    assert _extract_contact("merci", "remercier") == {}  # the rules ask the question again


def test_contact_form_asks_again_on_garbage(domain):
    messages, events = run_action(ValidateFormulaireContact(), _contact_turn("demain matin", "informer"), domain)
    assert responses(messages) == ["contact_invalide"]
    assert slots_set(events) == {"contact": None, "requested_slot": "contact"}


def test_a_question_for_the_teams_number_is_answered_not_taken_for_a_wrong_number(domain):
    # « Je n'ai pas reconnu d'adresse e-mail ni de numéro » to « quel est votre numéro ? » (fourth outside test)
    turn = _contact_turn("quel est votre numéro de téléphone ?", "hors_sujet")
    messages, events = run_action(ValidateFormulaireContact(), turn, domain)
    assert responses(messages) == ["contact_de_l_equipe"] and "paris.fr" in messages[0]["text"]
    assert slots_set(events) == {"contact": None, "requested_slot": "contact"}


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([("je veux parler à quelqu'un", "parler_humain")], False),
        ([("Je veux parler à quelqu'un de l'équipe, pas à un robot", "parler_humain")], False),
        ([("bonjour", "saluer"), ("/parler_humain", "parler_humain"), ("oui", "affirmer")], False),
        ([("Faut-il une rampe pour mon cabinet ?", "question_reglementaire"), ("oui", "affirmer")], True),
        ([("je veux parler à quelqu'un de l'équipe pour notre dossier de subvention", "parler_humain")], True),
    ],
)
def test_a_hand_off_knows_whether_the_conversation_says_what_it_is_about(history, expected):
    *before, (text, intent) = history
    tracker = make_tracker(text, intent, history=[user_event(t, i) for t, i in before])
    assert has_subject(tracker) is expected


def test_a_direct_hand_off_asks_what_it_is_about_first(domain):
    form = ValidateFormulaireContact()
    slots = ["demande", "contact"]
    bare = make_tracker("je veux parler à quelqu'un", "parler_humain")
    asked = make_tracker("Faut-il une rampe pour mon cabinet ?", "question_reglementaire")
    assert asyncio.run(form.required_slots(slots, None, bare, domain)) == ["demande", "contact"]
    assert asyncio.run(form.required_slots(slots, None, asked, domain)) == ["contact"]


def test_request_is_created_with_summary_and_transcript(fake_module, domain):
    calls = []

    def create_request(**kwargs):
        calls.append(kwargs)
        return request_store.CreatedRequest(id=17, created=True)

    fake_module("request_store", create_request=create_request)
    tracker = tracker_from_json("handoff_after_unanswered_question.json")
    messages, events = run_action(ActionTransmettreEquipe(), tracker, domain)
    assert len(calls) == 1
    call = calls[0]
    assert call["source"] == "chat"
    assert call["contact"] == "dr.martin@example.org"
    assert call["sender_id"] == "chat-42"
    assert call["idempotency_key"] == handoff_key(tracker)
    assert call["idempotency_key"].startswith("chat:chat-42:")
    assert call["transcript"][0] == {"from": "user", "text": "Nous sommes 3 kinés dans le 19e"}
    assert all(set(line) == {"from", "text"} for line in call["transcript"])
    assert all(not line["text"].startswith("/") for line in call["transcript"])  # button payloads left out
    assert "Quelle mutuelle choisir pour le cabinet ?" in call["texte"]
    assert "dr.martin@example.org" not in call["texte"]
    assert "arrondissement : 19" in call["texte"]
    assert responses(messages) == ["transmis"]
    assert "n° 17" in messages[0]["text"]
    assert slots_set(events) == {"offre_equipe": False, "contact": None, "demande": None}
    assert "vous répondra sous quelques jours ouvrés" in messages[0]["text"]


def test_request_without_contact(fake_module, domain):
    fake_module("request_store", create_request=lambda **kwargs: request_store.CreatedRequest(id=3, created=True))
    tracker = make_tracker("/nier", "nier", slots={"contact": "-"})
    messages, _ = run_action(ActionTransmettreEquipe(), tracker, domain)
    assert responses(messages) == ["transmis_sans_contact"]


def test_store_failure_gives_apology_and_fallback_contact(fake_module, domain):
    def broken(**kwargs):
        raise request_store.RequestStoreError("La base des demandes n'est pas configurée.")

    fake_module("request_store", create_request=broken)
    messages, events = run_action(
        ActionTransmettreEquipe(), tracker_from_json("handoff_after_unanswered_question.json"), domain
    )
    assert responses(messages) == ["transmission_echec", "contact_secours"]
    assert slots_set(events)["offre_equipe"] is False


def test_retried_hand_off_creates_one_request(tmp_path, fake_module, domain):
    """A retried or replayed action call (same tracker) creates nothing new and gives the same number."""
    store = request_store.Store(f"sqlite:///{tmp_path / 'requests.db'}")
    store.create_all()
    fake_module("request_store", create_request=store.create_request)
    tracker = tracker_from_json("handoff_after_unanswered_question.json")
    first, _ = run_action(ActionTransmettreEquipe(), tracker, domain)
    again, _ = run_action(ActionTransmettreEquipe(), tracker, domain)
    assert responses(first) == responses(again) == ["transmis"]
    number = re.search(r"n° ([1-9]\d*)", first[0]["text"]).group(1)
    assert f"n° {number}" in again[0]["text"]
    assert store.count_requests() == 1
    later = tracker_from_json("handoff_after_unanswered_question.json")
    later.events.append({"event": "user", "text": "encore une question", "timestamp": 1e10, "parse_data": {}})
    assert handoff_key(later) != handoff_key(tracker)  # a later hand-off in the same conversation is a new one


def test_first_misunderstanding_asks_to_rephrase(domain):
    tracker = make_tracker("azerty", "nlu_fallback", history=[user_event("bonjour", "saluer"), action_event("saluer")])
    messages, events = run_action(ActionIncompris(), tracker, domain)
    assert responses(messages) == ["reformuler"]
    assert events == []


def test_misunderstanding_in_a_form(domain):
    tracker = make_tracker("bof", "nlu_fallback", active_loop="formulaire_eligibilite")
    messages, _ = run_action(ActionIncompris(), tracker, domain)
    assert responses(messages) == ["reponse_non_comprise"]


def test_second_misunderstanding_in_a_row_offers_the_team(domain):
    history = [
        user_event("azerty", "nlu_fallback"),
        action_event("action_incompris"),
        bot_event("Je ne suis pas sûr d'avoir compris."),
        action_event("action_listen"),
    ]
    tracker = make_tracker("qsdf", "nlu_fallback", history=history)
    assert misunderstood_twice(tracker)
    messages, events = run_action(ActionIncompris(), tracker, domain)
    assert responses(messages) == ["proposer_equipe"]
    assert slots_set(events) == {"offre_equipe": True}


def test_misunderstandings_not_in_a_row(domain):
    history = [
        user_event("azerty", "nlu_fallback"),
        action_event("action_incompris"),
        user_event("bonjour", "saluer"),
        action_event("saluer"),
    ]
    assert not misunderstood_twice(make_tracker("qsdf", "nlu_fallback", history=history))


def test_declined_offer_is_forgotten(domain):
    _, events = run_action(ActionClorOffre(), make_tracker("non", "nier", slots={"offre_equipe": True}), domain)
    assert slots_set(events) == {"offre_equipe": False}


def test_frustration_gets_an_apology_and_the_hand_off_offer(domain):
    text = "Votre truc est nul, ça fait 3 fois que je pose la question et vous comprenez rien !!!"
    messages, events = run_action(ActionProposerEquipe(), make_tracker(text, "frustration"), domain)
    assert responses(messages) == ["excuses_equipe"]
    assert "désolé" in messages[0]["text"] and "équipe Paris Méd'" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/parler_humain", "/nier"]
    assert slots_set(events) == {"offre_equipe": True}  # a typed « oui » then accepts it (rule in handoff.yml)


def test_messages_about_something_else_never_change_the_profile(domain):
    """The slot mappings of the profile ignore the same intents as the form's own recovery (NON_PROFILE_INTENTS)."""
    from assistant.actions.common import NON_PROFILE_INTENTS

    for slot in ("professions", "arrondissement", "nombre_professionnels", "secteur", "structure", "projet"):
        for mapping in domain["slots"][slot]["mappings"]:
            assert set(mapping["not_intent"]) == NON_PROFILE_INTENTS, slot
    assert {"question_medicale", "frustration", "donner_contact"} <= NON_PROFILE_INTENTS


def test_no_after_a_guide_answer_offers_the_hand_off(domain):
    answered = [
        user_event("Mon cabinet est-il un ERP ?", "question_reglementaire"),
        action_event("action_repondre_guide"),
    ]
    answered += [bot_event("Oui : un cabinet qui reçoit des patients est un ERP."), action_event("action_listen")]
    messages, events = run_action(
        ActionNier(), make_tracker("non pas vraiment, c'est flou", "nier", history=answered), domain
    )
    assert responses(messages) == ["excuses_equipe"]
    assert slots_set(events) == {"offre_equipe": True}
    greeted = [user_event("bonjour", "saluer"), action_event("utter_saluer"), action_event("action_listen")]
    messages, events = run_action(ActionNier(), make_tracker("non", "nier", history=greeted), domain)
    assert [m.get("response") for m in messages] == ["utter_ok_nier"] and events == []


def _after_a_guide_answer(text: str, intent: str = "nlu_fallback", last: str = "action_repondre_guide", after=()):
    answered = [
        user_event("c'est quoi un bail professionnel", "question_reglementaire"),
        action_event(last),
        *after,
        bot_event("Le bail professionnel est conclu pour une durée d'au moins six ans."),
        action_event("action_listen"),
    ]
    slots = {"question_precedente": "c'est quoi un bail professionnel", "section_precedente": "bail-pro"}
    return make_tracker(text, intent, slots=slots, history=answered)


def test_a_follow_up_the_nlu_did_not_understand_after_a_guide_answer_is_answered_by_the_guide(fake_module, domain):
    from knowledge_base import Answer, Previous, Source

    seen: list = []
    source = Source(title="Baux", section="Bail professionnel", url="https://example.org/bail", section_id="bail-pro")

    def answer(question, previous=None):
        seen.append((question, previous))
        return Answer(
            answer="Le locataire peut donner congé à tout moment, avec six mois de préavis.",
            answered=True,
            score=0.7,
            sources=[source],
        )

    fake_module("knowledge_base", answer=answer)
    messages, events = run_action(ActionIncompris(), _after_a_guide_answer("et si je veux partir avant ?"), domain)
    assert seen == [
        ("et si je veux partir avant ?", Previous(question="c'est quoi un bail professionnel", section_id="bail-pro"))
    ]
    assert messages[0]["text"].startswith("Le locataire peut donner congé")
    assert responses(messages)[-1] == "guide_suite"
    assert slots_set(events)["question_precedente"] == "et si je veux partir avant ?"
    # the next follow-up, after that answer, is read the same way
    remembered = [slot_event("question_precedente", "et si je veux partir avant ?")]
    tracker = _after_a_guide_answer("et combien de temps il dure ?", last="action_incompris", after=remembered)
    messages, _ = run_action(ActionIncompris(), tracker, domain)
    assert messages[0]["text"].startswith("Le locataire peut donner congé")
    # a follow-up answered is no misunderstanding: gibberish after it is asked to be rephrased, no hand-off yet
    tracker = _after_a_guide_answer("sdfkj qsdf", last="action_incompris", after=remembered)
    assert not misunderstood_twice(tracker)
    assert responses(run_action(ActionIncompris(), tracker, domain)[0]) == ["reformuler"]


def test_gibberish_after_a_guide_answer_is_still_not_understood(fake_module, domain):
    from knowledge_base import Answer

    fake_module(
        "knowledge_base",
        answer=lambda question, previous=None: Answer(
            answer="", answered=False, score=0.1, sources=[], understood=False
        ),
    )
    messages, events = run_action(ActionIncompris(), _after_a_guide_answer("et qsdf ?"), domain)
    assert responses(messages) == ["reformuler"] and events == []
    # after something else than a guide answer, a question is asked to the guide alone, as `ask` reads it (read with
    # the previous turn, the guide would answer almost anything); a message that neither opens like a continuation
    # nor asks a question is not asked at all
    asked: list = []

    def declines(question, previous=None):
        asked.append(previous)
        return Answer(answer="", answered=False, score=0.1, sources=[])

    fake_module("knowledge_base", answer=declines)
    messages, _ = run_action(ActionIncompris(), _after_a_guide_answer("et pour ça ?", last="utter_saluer"), domain)
    assert responses(messages) == ["reformuler"] and asked == [None]
    fake_module("knowledge_base", answer=lambda question, previous=None: pytest.fail("the guide was asked"))
    messages, _ = run_action(ActionIncompris(), _after_a_guide_answer("sdfkj qsdf"), domain)
    assert responses(messages) == ["reformuler"]


def _unsure(tracker, confidence: float):
    tracker.latest_message["intent"]["confidence"] = confidence
    return tracker


def _guide_answers(fake_module, seen: list, answered: bool = True) -> None:
    from knowledge_base import Answer, Source

    source = Source(title="ERP", section="Petits ERP", url="https://example.org/erp", section_id="erp-petits")

    def answer(question, previous=None):
        seen.append((question, previous))
        text = "Un cabinet qui reçoit moins de 20 personnes reste un ERP de 5e catégorie." if answered else ""
        return Answer(answer=text, answered=answered, score=0.9 if answered else 0.1, sources=[source] * answered)

    fake_module("knowledge_base", answer=answer)


def test_an_unsure_intent_right_after_a_guide_answer_is_first_read_as_a_follow_up(fake_module, domain):
    # « et si on reçoit moins de 20 personnes ? » after a question on ERPs opened the estimate (third outside test)
    seen: list = []
    _guide_answers(fake_module, seen)
    tracker = _unsure(_after_a_guide_answer("et si on reçoit moins de 20 personnes ?", "informer"), 0.63)
    messages, events = run_action(ActionRelanceGuide(), tracker, domain)
    assert messages[0]["text"].startswith("Un cabinet qui reçoit moins de 20 personnes")
    assert seen[0][1].question == "c'est quoi un bail professionnel"  # read with the previous turn
    assert slots_set(events)["question_precedente"] == "et si on reçoit moins de 20 personnes ?"
    assert not any(e.get("event") == "followup" for e in events)


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "last"),
    [
        ("Et sinon, on a droit à combien avec Paris Méd' ?", "estimer_aide", 0.9, "action_repondre_guide"),  # sure
        ("Et sinon, on a droit à combien avec Paris Méd' ?", "estimer_aide", 0.57, "action_repondre_guide"),  # aid
        ("et pour une sage-femme c'est pareil ?", "demande_eligibilite", 0.7, "action_repondre_guide"),  # surer
        ("nous sommes deux kinés dans le 18e", "informer", 0.6, "action_repondre_guide"),  # no question
        ("et si on est 3 ?", "informer", 0.6, "utter_saluer"),  # not after a guide answer
    ],
)
def test_otherwise_the_form_runs_as_its_rule_would_have(fake_module, domain, text, intent, confidence, last):
    seen: list = []
    _guide_answers(fake_module, seen)
    tracker = _unsure(_after_a_guide_answer(text, intent, last=last), confidence)
    messages, events = run_action(ActionRelanceGuide(), tracker, domain)
    assert (messages, events, seen) == ([], [{"event": "followup", "timestamp": None, "name": FORM}], [])


def test_an_unsure_question_about_the_aid_that_does_not_mention_it_is_read_as_a_follow_up(fake_module, domain):
    # « et pour une sage-femme c'est pareil ? » after a question on leases opened the estimate (third outside test)
    seen: list = []
    _guide_answers(fake_module, seen)
    tracker = _unsure(_after_a_guide_answer("et pour une sage-femme c'est pareil ?", "demande_eligibilite"), 0.5)
    messages, events = run_action(ActionRelanceGuide(), tracker, domain)
    assert messages[0]["text"].startswith("Un cabinet") and seen[0][1] is not None
    assert not any(e.get("event") == "followup" for e in events)


def test_a_follow_up_the_guide_does_not_answer_runs_the_form_and_frustration_gets_the_offer(fake_module, domain):
    seen: list = []
    _guide_answers(fake_module, seen, answered=False)
    tracker = _unsure(_after_a_guide_answer("c'est long ?", "informer"), 0.4)
    assert run_action(ActionRelanceGuide(), tracker, domain)[1] == [
        {"event": "followup", "timestamp": None, "name": FORM}
    ]
    tracker = _unsure(_after_a_guide_answer("et si c impossible", "frustration"), 0.59)
    messages, events = run_action(ActionRelanceGuide(), tracker, domain)
    assert responses(messages) == ["excuses_equipe"] and slots_set(events) == {"offre_equipe": True}
    assert len(seen) == 2  # both were asked to the guide first


def test_a_question_the_nlu_does_not_understand_in_the_middle_of_the_form_gets_the_guides_answer(fake_module, domain):
    seen: list = []
    _guide_answers(fake_module, seen)
    tracker = make_tracker("et comment on dépose le dossier ?", "nlu_fallback", active_loop=FORM)
    messages, _ = run_action(ActionIncompris(), tracker, domain)
    assert messages[0]["text"].startswith("Un cabinet") and seen[0][1] is None
    # not a question: still « réponse non comprise », the guide is not asked
    messages, _ = run_action(ActionIncompris(), make_tracker("bleu", "nlu_fallback", active_loop=FORM), domain)
    assert responses(messages) == ["reponse_non_comprise"] and len(seen) == 1


def test_a_message_in_english_is_told_the_service_answers_in_french(domain):
    tracker = make_tracker(
        "Hello, do you speak English? I'm a nurse wanting to open a practice in Paris", "nlu_fallback"
    )
    messages, events = run_action(ActionIncompris(), tracker, domain)
    assert responses(messages) == ["service_en_francais"] and slots_set(events) == {"offre_equipe": True}
    messages, _ = run_action(ActionIncompris(), make_tracker("sdfkj qsdf", "nlu_fallback"), domain)
    assert responses(messages) == ["reformuler"]


def test_a_question_the_nlu_missed_outside_any_context_gets_the_guides_sure_answer(fake_module, domain):
    # « c'est versé quand l'aide ? » after an estimate: « Je ne suis pas sûr d'avoir compris » (fourth outside test)
    seen: list = []
    _guide_answers(fake_module, seen)
    messages, _ = run_action(ActionIncompris(), make_tracker("c'est versé quand l'aide ?", "nlu_fallback"), domain)
    assert messages[0]["text"].startswith("Un cabinet") and seen == [("c'est versé quand l'aide ?", None)]


def test_what_follows_the_medical_advice_gets_it_again_not_the_offer_of_the_team(domain):
    import knowledge_base

    history = [
        user_event("mon patient fait un malaise dans la salle d'attente il respire mal", "question_medicale"),
        action_event("action_question_medicale"),
        bot_event(knowledge_base.MEDICAL_ADVICE),
        action_event("action_listen"),
    ]
    for action, intent in ((ActionProposerEquipe(), "frustration"), (ActionIncompris(), "nlu_fallback")):
        messages, events = run_action(action, make_tracker("il ne répond plus", intent, history=history), domain)
        assert [m.get("text") for m in messages] == [knowledge_base.MEDICAL_ADVICE]
        assert slots_set(events) == {"offre_equipe": False}


@pytest.mark.parametrize(
    ("text", "intent", "response"),
    [
        ("le local est en QPV", "informer", "critere_note"),
        ("c'est en quartier prioritaire", "nlu_fallback", "critere_note"),
        ("est-ce que j'ai droit à une aide ?", "demande_eligibilite", "estimation_en_cours"),
    ],
)
def test_what_the_form_cannot_read_is_acknowledged_then_the_form_asks_again(domain, text, intent, response):
    # « Désolé, je n'ai pas compris » to both, and the QPV forgotten (fifth outside test)
    from assistant.actions.handoff import ActionNonCompris

    messages, events = run_action(ActionNonCompris(), make_tracker(text, intent, active_loop=FORM), domain)
    assert responses(messages) == [response]
    assert events == [{"event": "followup", "timestamp": None, "name": FORM}]  # not forgotten: read at the estimate
    messages, events = run_action(ActionNonCompris(), make_tracker("sdfkj", "nlu_fallback", active_loop=FORM), domain)
    assert responses(messages) == ["default"] and events[0]["event"] == "rewind"


def _subject_turn(text: str, intent: str):
    """The contact form's tracker after `text` answered « à quel sujet ? »."""
    return make_tracker(
        text,
        intent,
        slots={"demande": text, "requested_slot": "demande"},
        after=[action_event("formulaire_contact"), {"event": "slot", "name": "demande", "value": text}],
        active_loop="formulaire_contact",
    )


def test_a_question_for_the_teams_contact_is_no_subject_for_the_team(domain):
    # « vous avez un numéro de téléphone ou un mail ? » became the request's subject (fifth outside test)
    tracker = _subject_turn("vous avez un numéro de téléphone ou un mail ?", "hors_sujet")
    messages, events = run_action(ValidateFormulaireContact(), tracker, domain)
    assert responses(messages) == ["contact_de_l_equipe"] and slots_set(events)["demande"] is None


def test_contact_details_given_with_the_subject_answer_both_questions(domain):
    # the contact was asked for again, and the goodbye that followed cancelled the request (fifth outside test)
    text = "mon mail c'est dr.martin.test@example.org, c'est pour un projet de MSP dans le 18e"
    messages, events = run_action(ValidateFormulaireContact(), _subject_turn(text, "question_reglementaire"), domain)
    assert messages == []
    assert slots_set(events)["demande"] == text and slots_set(events)["contact"] == "dr.martin.test@example.org"


def test_a_no_with_profile_details_after_an_estimate_corrects_it(domain):
    text = "non pardon, on est trois kinés pas deux"
    shown = {"estimation": {"eligible": True}, "professions": ["masseur_kinesitherapeute"]}
    tracker = make_tracker(text, "nier", [entity(text, "trois", "nombre_professionnels")], slots=shown)
    _, events = run_action(ActionNier(), tracker, domain)
    assert events == [{"event": "followup", "name": "formulaire_eligibilite", "timestamp": None}]  # was « D'accord »
    text = "et si l'un de nous passe en secteur 1 ?"
    tracker = make_tracker(text, "nlu_fallback", [entity(text, "1", "secteur")], slots=shown)
    _, events = run_action(ActionIncompris(), tracker, domain)
    assert events == [{"event": "followup", "name": "formulaire_eligibilite", "timestamp": None}]
    _, events = run_action(ActionNier(), make_tracker("non", "nier", slots=shown), domain)
    assert events == []  # a plain « non » after an estimate is no correction


def test_profile_details_the_form_did_not_ask_for_are_noted_not_misunderstood(domain):
    # « centre de santé, agrandissement, travaux » asked for the sector: « Désolé, je n'ai pas compris » (sixth outside
    # test); the structure and the project are slots of the profile
    from assistant.actions.handoff import ActionNonCompris

    text = "centre de santé, agrandissement, travaux"
    said = [entity(text, "centre de santé", "structure", "centre_sante"), entity(text, "agrandissement", "projet")]
    messages, events = run_action(ActionNonCompris(), make_tracker(text, "informer", said, active_loop=FORM), domain)
    assert responses(messages) == ["critere_note"]
    assert events == [{"event": "followup", "timestamp": None, "name": FORM}]


def test_a_question_not_understood_right_after_an_estimate_is_about_the_aid(domain):
    # « c'est versé quand ? » after an estimate got « Je ne suis pas sûr d'avoir compris » (seventh outside test)
    estimated = [
        user_event("2 dentistes dans le 10e, combien ?", "estimer_aide"),
        action_event("action_estimer_aide"),
        action_event("action_listen"),
    ]
    messages, _ = run_action(
        ActionIncompris(), make_tracker("c'est versé quand ?", "nlu_fallback", history=estimated), domain
    )
    assert responses(messages)[0] is None and "subvention" in messages[0]["text"]  # the guide's answer


def _after_hand_off(text, intent="informer"):
    """« c'est pour un projet de centre de santé » right after the request was passed to the team."""
    confirmed = {**user_event("dr.martin@example.org", "donner_contact"), "timestamp": 1700.5}
    history = [
        user_event("je veux parler à quelqu'un", "parler_humain"),
        confirmed,
        action_event("formulaire_contact"),
        action_event("action_transmettre_equipe"),
        slot_event("offre_equipe", False),
    ]
    return make_tracker(text, intent, history=history, sender_id="chat-42")


def test_transmitted_key_is_the_key_the_hand_off_used():
    assert transmitted_key(_after_hand_off("c'est pour un centre de santé")) == "chat:chat-42:1700.5"
    assert transmitted_key(make_tracker("c'est pour un centre de santé", "informer")) is None


@pytest.fixture
def real_store(tmp_path, fake_module):
    store = request_store.Store(f"sqlite:///{tmp_path / 'requests.db'}")
    store.create_all()
    fake_module("request_store", get_store=lambda: store)
    yield store
    store.dispose()


def test_details_after_a_hand_off_complete_the_request(real_store, domain):
    created = real_store.create_request("chat", "Demande", idempotency_key="chat:chat-42:1700.5")
    messages, events = run_action(
        ActionCompleterDemande(), _after_hand_off("c'est pour un projet de centre de santé"), domain
    )
    assert responses(messages) == ["precision_ajoutee"]
    assert f"n° {created.id}" in messages[0]["text"]
    assert events == []
    assert real_store.get_request(created.id).texte.endswith("- c'est pour un projet de centre de santé")


def test_details_the_nlu_reads_as_a_question_complete_the_request_too(real_store, domain):
    created = real_store.create_request("chat", "Demande", idempotency_key="chat:chat-42:1700.5")
    precision = "précision : les travaux sont estimés à 180 000 euros et on voudrait ouvrir en septembre"
    messages, _ = run_action(ActionCompleterDemande(), _after_hand_off(precision, "question_reglementaire"), domain)
    assert responses(messages) == ["precision_ajoutee"]
    assert real_store.get_request(created.id).texte.endswith(precision)


@pytest.mark.parametrize(
    ("tracker", "usual"),
    [
        (_after_hand_off("c'est pour un projet de centre de santé"), "formulaire_eligibilite"),  # no such request
        (_after_hand_off("on est combien pour avoir l'aide ?"), "formulaire_eligibilite"),  # a question
        (_after_hand_off("et pour le bail comment ça se passe", "question_reglementaire"), "action_repondre_guide"),
        (make_tracker("c'est pour un projet de centre de santé", "informer"), "formulaire_eligibilite"),  # no hand-off
    ],
)
def test_without_a_request_to_complete_the_message_runs_its_usual_action(real_store, domain, tracker, usual):
    if tracker.latest_message["text"].startswith("et pour le bail"):
        real_store.create_request("chat", "Demande", idempotency_key="chat:chat-42:1700.5")
    messages, events = run_action(ActionCompleterDemande(), tracker, domain)
    assert messages == []
    assert [e.get("name") for e in events] == [usual]
    assert all("Précision" not in r.texte for r in real_store.list_requests(request_store.QueueFilter(status="toutes")))
