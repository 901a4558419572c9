"""Regulatory questions: answered from the guide through knowledge_base.answer(), with the previous turn as context.

A follow-up that is ambiguous alone (« et si je veux résilier plus tôt ? » after a question on a lease) is
answered on the topic of the previous turn: the previous question and the section it was answered from are kept
in two slots and passed to the knowledge base as ``Previous``.

A message that asks about the aid too (« Je suis kiné dans le 19e, je peux avoir l'aide ? Et faut-il une
autorisation pour mettre une plaque ? »: the NLU parses each question, assistant/components/questions.py) gets the
guide's answer to the rest of the message, then the estimate: the profile it tells is kept in the slots and the
slot ``estimation_demandee`` makes the rules start the eligibility form (rules/guide.yml). The other way round
(« Combien je peux toucher pour mon cabinet de kiné dans le 18e ? Et dois-je déclarer des travaux pour
repeindre ? »: a message about the aid, which the eligibility form reads), the form's validation answers the guide
question first (``answer_besides_the_aid``), then the form goes on: its next question or the estimate. Either way:
the guide's answer, then the estimate."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import knowledge_base
from frenchtext import asking_sentences, looks_english

from .common import (
    FORM,
    SLOT_AID_ASKED,
    SLOT_OFFER,
    call_blocking,
    last_action_before_latest_message,
    latest_intent,
    latest_user_text,
)
from .messages import say
from .profile import corrects_the_estimate, profile_from_entities, restates_a_criterion
from .vocabulary import declines_the_estimate

logger = logging.getLogger(__name__)

SLOT_PREVIOUS_QUESTION = "question_precedente"
SLOT_PREVIOUS_SECTION = "section_precedente"
AID_INTENTS = frozenset({"demande_eligibilite", "estimer_aide"})
FORM_INTENTS = AID_INTENTS | {"informer"}  # the messages the eligibility form reads (rules/eligibility.yml)
GUIDE_INTENT = "question_reglementaire"


def source_links(result: knowledge_base.Answer) -> list[dict[str, str]]:
    """Sources of an answer as the widget expects them: [{"title", "section", "url"}], with "document" naming a source
    without a public link (knowledge_base.Source.to_contract)."""
    return [source.to_contract() for source in result.sources if source.title or source.url]


def previous_turn(tracker: Tracker) -> knowledge_base.Previous | None:
    """The previous guide question and its cited section, if the conversation had one."""
    question = tracker.get_slot(SLOT_PREVIOUS_QUESTION)
    if not question:
        return None
    return knowledge_base.Previous(question=str(question), section_id=tracker.get_slot(SLOT_PREVIOUS_SECTION) or None)


def parsed_questions(tracker: Tracker) -> list[dict[str, Any]]:
    """Each question of the latest message when it asks several, with its intent (assistant/components/questions.py)."""
    return (tracker.latest_message or {}).get("questions") or []


def asks_about_the_aid_too(tracker: Tracker) -> bool:
    """Whether the latest message asks about the aid besides other questions."""
    intents = [question.get("intent") for question in parsed_questions(tracker)]
    return 0 < sum(intent in AID_INTENTS for intent in intents) < len(intents)


def without_the_aid_questions(tracker: Tracker, text: str) -> str:
    """The message without its questions about the aid, which the estimate answers: what it tells and its other
    questions, for the guide (given the whole message, the guide may answer the question about the aid alone)."""
    for question in parsed_questions(tracker):
        if question.get("intent") in AID_INTENTS:
            text = text.replace(str(question.get("text")), " ")
    return " ".join(text.split())


def guide_questions_besides_the_aid(tracker: Tracker) -> str:
    """What the guide should answer in a message about the aid that the eligibility form reads and that asks a guide
    question too (« … combien je peux toucher ? Et dois-je déclarer des travaux pour repeindre ? »); '' otherwise."""
    questions = parsed_questions(tracker)
    intent = latest_intent(tracker)
    # A message whose intent is a guide question is answered by action_repondre_guide, before the form.
    if intent not in FORM_INTENTS or not {intent, *(question.get("intent") for question in questions)} & AID_INTENTS:
        return ""
    if not any(question.get("intent") == GUIDE_INTENT for question in questions):
        return ""
    return without_the_aid_questions(tracker, latest_user_text(tracker))


async def answer_besides_the_aid(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The guide's answer to the guide questions of a message about the aid (see guide_questions_besides_the_aid),
    then a transition to the estimate; nothing when it asks none. Run by the eligibility form's validation, before
    the form asks its next question or the estimate is shown."""
    question = guide_questions_besides_the_aid(tracker)
    if not question:
        return []
    events = await ActionRepondreGuide().answer(dispatcher, tracker, question, about_aid=True)
    # The form reading this message goes on by itself: no rule to start it (slot estimation_demandee).
    return [event for event in events if event.get("name") != SLOT_AID_ASKED]


GUIDE_ANSWER_ACTIONS = frozenset({"action_repondre_guide", "action_question_medicale"})


def answered_from_the_guide(tracker: Tracker) -> bool:
    """Whether the assistant's last action before the latest user message was a guide answer (a follow-up the guide
    answered after the NLU did not understand it included: it remembers the turn, slot question_precedente)."""
    action, events = last_action_before_latest_message(tracker)
    remembered = any(e.get("event") == "slot" and e.get("name") == SLOT_PREVIOUS_QUESTION for e in events)
    return action in GUIDE_ANSWER_ACTIONS or (action == "action_incompris" and remembered)


def answers(result: knowledge_base.Answer) -> bool:
    """Whether the guide understood and answered (an answer with some text)."""
    return result.understood and result.answered and bool(result.answer.strip())


async def answer_follow_up(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """A message the NLU did not understand, sent right after a guide answer: when it opens like a continuation
    (« et combien de temps il dure ? »), the guide reads it with the previous turn. None when it does not, or when
    the guide does not answer it either: the caller says it did not understand. (Read with the previous turn, the
    guide would find an answer to almost anything, « sdfkj qsdf » included: hence the opening.)"""
    question = latest_user_text(tracker)
    previous = previous_turn(tracker)
    if previous is None or not knowledge_base.may_follow_up(question):
        return None
    return await answer_if_the_guide_can(dispatcher, question, previous)


async def answer_question_in_form(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """A question the NLU did not understand in the middle of the estimate (« et comment on dépose le dossier ? »):
    the guide's answer when it has a sure one, before the form asks its question again; None otherwise."""
    question = latest_user_text(tracker)
    if not asking_sentences(question):
        return None
    return await answer_if_the_guide_can(dispatcher, question, previous_turn(tracker))


async def answer_if_the_guide_can(
    dispatcher: CollectingDispatcher, question: str, previous: knowledge_base.Previous | None
) -> list[EventType] | None:
    try:
        result = await call_blocking(knowledge_base.answer, question, previous=previous)
    except knowledge_base.KnowledgeBaseError:
        logger.exception("knowledge_base.answer failed on a follow-up")
        return None
    return ActionRepondreGuide().answered(dispatcher, question, result, about_aid=False) if answers(result) else None


class ActionRepondreGuide(Action):
    """Answer with the guide, cite the sources, or offer the hand-off when the guide is silent. A question about the
    aid asked in the same message is not dropped: the estimate follows the answer."""

    follows_with_estimate = True

    def name(self) -> str:
        return "action_repondre_guide"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        question = latest_user_text(tracker)
        if not question:
            say(dispatcher, "guide_sans_reponse")
            return [SlotSet(SLOT_OFFER, True)]
        if self.follows_with_estimate and not tracker.active_loop_name and restates_a_criterion(tracker):
            return [FollowupAction(FORM)]  # « et si le local est dans un QPV ? » after an estimate: estimated again
        if self.follows_with_estimate and tracker.active_loop_name == FORM and declines_the_estimate(question):
            # « non je ne veux pas d'estimation, je voulais savoir… »: the answer, and the form ends (eighth outside
            # test: its question came again after the answer)
            say(dispatcher, "estimation_laissee")
            events = await self.answer(dispatcher, tracker, question, about_aid=False)
            return [*events, ActiveLoop(None), SlotSet("requested_slot", None)]
        about_aid = self.follows_with_estimate and tracker.active_loop_name != FORM and asks_about_the_aid_too(tracker)
        if about_aid:  # the guide reads the rest of the message: each question in the context it tells
            question = without_the_aid_questions(tracker, question)
        events = await self.answer(dispatcher, tracker, question, about_aid)
        if about_aid:
            return [*events, *(SlotSet(slot, value) for slot, value in profile_from_entities(tracker, domain).items())]
        if tracker.get_slot(SLOT_AID_ASKED):
            events.append(SlotSet(SLOT_AID_ASKED, None))
        return events

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, question: str, about_aid: bool
    ) -> list[EventType]:
        """The guide's answer to `question`; with `about_aid`, a transition to the estimate instead of the follow-up
        buttons or the hand-off offer (the estimate's card offers the team)."""
        try:
            result = await call_blocking(knowledge_base.answer, question, previous=previous_turn(tracker))
        except knowledge_base.KnowledgeBaseError:
            logger.exception("knowledge_base.answer failed")
            say(dispatcher, "guide_erreur")
            return [SlotSet(SLOT_OFFER, True)]

        if about_aid and not answers(result):
            say(dispatcher, "guide_sans_reponse_estimation")
            return [SlotSet(SLOT_OFFER, False), SlotSet(SLOT_AID_ASKED, True)]
        if not result.understood:  # keyboard mashing: nothing worth forwarding to the staff
            say(dispatcher, "guide_non_compris")
            return [SlotSet(SLOT_OFFER, False)]
        if result.courtesy:  # « merci, au revoir » the NLU did not take for a goodbye: the guide's reply, no hand-off
            dispatcher.utter_message(text=result.answer)
            return [SlotSet(SLOT_OFFER, False)]
        if not answers(result) and looks_english(question):  # « Hello, I'm a nurse… » read as a medical question
            say(dispatcher, "service_en_francais")
            return [SlotSet(SLOT_OFFER, True)]
        if not answers(result) and result.patient:  # a patient looking for a practitioner: the ameli directory
            return say_practitioner_search(dispatcher)
        if not answers(result) and result.off_topic:  # the weather, a cake recipe: what the assistant does, no team
            dispatcher.utter_message(response="utter_hors_sujet")
            return [SlotSet(SLOT_OFFER, False)]
        if not answers(result) and result.medical:  # symptoms or treatment: no hand-off, the staff give no care advice
            return say_medical_advice(dispatcher)
        if not answers(result):
            return self.declined(dispatcher, tracker, question)
        return self.answered(dispatcher, question, result, about_aid)

    def answered(
        self, dispatcher: CollectingDispatcher, question: str, result: knowledge_base.Answer, about_aid: bool
    ) -> list[EventType]:
        """Send the guide's answer, its sources and what follows; remember the turn for a follow-up."""
        dispatcher.utter_message(text=result.answer.strip())
        links = source_links(result)
        if links:
            dispatcher.utter_message(json_message={"sources": links})
        if about_aid:
            say(dispatcher, "estimation_ensuite")
        else:
            say(dispatcher, "guide_suite")
        section = next((source.section_id for source in result.sources if source.section_id), None)
        events: list[EventType] = [
            SlotSet(SLOT_OFFER, False),
            SlotSet(SLOT_PREVIOUS_QUESTION, question),
            SlotSet(SLOT_PREVIOUS_SECTION, section),
        ]
        return [*events, SlotSet(SLOT_AID_ASKED, True)] if about_aid else events

    def declined(self, dispatcher: CollectingDispatcher, tracker: Tracker, question: str) -> list[EventType]:
        """The guide does not answer: say so and offer the hand-off. A message that asks nothing (« nous sommes deux
        infirmiers et on veut ouvrir notre cabinet dans le 19e ») describes a project: what the assistant can do for
        it, not « the guide does not cover this question » (fifth outside test)."""
        if not asking_sentences(question):
            say(dispatcher, "projet_decrit")
            return [SlotSet(SLOT_OFFER, False)]
        say(dispatcher, "guide_sans_reponse")
        return [SlotSet(SLOT_OFFER, True)]


# From this NLU confidence on, question_medicale is taken at its word even without words of care in the message.
SURE_MEDICAL = 0.9


class ActionQuestionMedicale(ActionRepondreGuide):
    """A message the NLU reads as a medical question (symptoms, treatment): no medical advice, see a doctor or
    pharmacist, 15 or 112 in an emergency — unless the guide answers it. The intent also catches a few regulatory
    questions worded like care (« je peux mettre une enseigne lumineuse ? »); the guide's answer/decline decision
    tells them apart (session 20: it declined 49 of the intent's 50 training examples and answered the 5 regulatory
    questions the NLU took for medical ones)."""

    follows_with_estimate = False

    def name(self) -> str:
        return "action_question_medicale"

    def declined(self, dispatcher: CollectingDispatcher, tracker: Tracker, question: str) -> list[EventType]:
        """The medical advice when the message speaks of care or the NLU is sure; otherwise the guide's plain decline
        and the offer of the team (fifth outside test: « nous sommes un couple d'infirmiers et on veut ouvrir notre
        cabinet… » and « la ville propose des aides pour les internes ? », question_medicale at 0.78 and 0.74, got the
        15 and the 112)."""
        confidence = float(((tracker.latest_message or {}).get("intent") or {}).get("confidence") or 0.0)
        if knowledge_base.asks_for_care(question) or confidence >= SURE_MEDICAL:
            return say_medical_advice(dispatcher)
        return super().declined(dispatcher, tracker, question)


def say_medical_advice(dispatcher: CollectingDispatcher) -> list[EventType]:
    """Clinical questions: no medical advice, whoever asks (patient or professional); no hand-off to the team, who
    give no care advice. The one text, which the CLI and the HTTP API say too."""
    dispatcher.utter_message(text=knowledge_base.MEDICAL_ADVICE)
    return [SlotSet(SLOT_OFFER, False)]


def say_practitioner_search(dispatcher: CollectingDispatcher) -> list[EventType]:
    """A patient looking for a practitioner or an appointment: the Assurance Maladie's directory; no hand-off to the
    team, who help professionals set up (the text the CLI and the HTTP API say too)."""
    dispatcher.utter_message(text=knowledge_base.PRACTITIONER_SEARCH)
    return [SlotSet(SLOT_OFFER, False)]


UNSURE_OFF_TOPIC = 0.6  # below this NLU confidence, an off-topic reading of a question is checked with the guide


class ActionHorsSujet(Action):
    """Out of scope: what the assistant does instead — or, for a patient looking for a practitioner (« je cherche un
    médecin traitant pour ma mère », which the NLU reads as off-topic), where to find one."""

    def name(self) -> str:
        return "action_hors_sujet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = latest_user_text(tracker)
        if knowledge_base.seeks_a_practitioner(text):
            return say_practitioner_search(dispatcher)
        if not tracker.active_loop_name and corrects_the_estimate(tracker, domain):
            # « bon et dans le 17e plutôt, près des Batignolles ? » after an estimate (eighth outside test)
            return [FollowupAction(FORM)]
        confidence = float(((tracker.latest_message or {}).get("intent") or {}).get("confidence") or 0.0)
        if confidence < UNSURE_OFF_TOPIC and asking_sentences(text):
            # « comment je dépose la demande ? » (hors_sujet, 0.45) got « je ne peux pas vous aider » (sixth outside
            # test): an unsure reading of a question is the guide's when the guide is sure of its answer
            previous = previous_turn(tracker) if answered_from_the_guide(tracker) else None
            answered = await answer_if_the_guide_can(dispatcher, text, previous)
            if answered is not None:
                return answered
        dispatcher.utter_message(response="utter_hors_sujet")
        return []


def after_medical_advice(tracker: Tracker) -> bool:
    """Whether the assistant's last message was the medical advice: what follows (« il ne répond plus ») is the
    emergency going on, not a complaint about the assistant (fourth outside test: it got the offer of the team)."""
    _, events = last_action_before_latest_message(tracker)
    return any(e.get("event") == "bot" and e.get("text") == knowledge_base.MEDICAL_ADVICE for e in events)
