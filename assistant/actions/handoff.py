"""Hand-off to the Paris Méd' team: contact form, request creation (exactly once), repeated misunderstandings."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

import request_store
from frenchtext import key, normalise_email, words

from .common import (
    NO_CONTACT,
    SLOT_CONTACT,
    SLOT_OFFER,
    SLOT_SUBJECT,
    call_blocking,
    is_payload,
    last_action_before_latest_message,
    latest_intent,
    latest_user_text,
    transcript,
)
from .forms import AskMixin
from .knowledge import SLOT_PREVIOUS_QUESTION, answer_follow_up
from .messages import say
from .profile import describe_profile

logger = logging.getLogger(__name__)

# French phone numbers (no phone library in the project; one pattern, tested): 0X XX XX XX XX or +33 X XX XX XX XX.
PHONE = re.compile(r"(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}")
REFUSALS = {"non", "non merci", "pas de contact", "aucun", "rien", "je prefere ne pas en laisser", "nan", "sans"}
RECENT_USER_MESSAGES = 6
_WORD_EDGES = "\"'()<>[]«»,;:.!?"


def contact_in(text: str) -> str | None:
    """The e-mail address (checked by email-validator) or French phone number found in a message, if any."""
    for word in (text or "").split():
        if "@" in word:
            email = normalise_email(word.strip(_WORD_EDGES))
            if email:
                return email
    phone = PHONE.search(text or "")
    if phone:
        return re.sub(r"[\s.-]", "", phone.group(0))
    return None


# Intents of messages that do not say what a hand-off is about (« je veux parler à quelqu'un », « bonjour », « oui »).
NO_SUBJECT_INTENTS = frozenset(
    {
        "parler_humain",
        "saluer",
        "remercier",
        "affirmer",
        "nier",
        "au_revoir",
        "frustration",
        "bot_challenge",
        "capacites",
        "donner_contact",
        "arreter",
        "nlu_fallback",
    }
)
# Words by which such a message still says its subject (« je veux parler à quelqu'un pour notre dossier de
# subvention », « … au sujet du bail »), unlike « je veux parler à quelqu'un, pas à un robot ».
SUBJECT_MARKERS = frozenset({"pour", "concernant", "sujet", "propos"})


def has_subject(tracker: Tracker) -> bool:
    """Whether a typed user message already says what the conversation is about: a question, a project, a need."""
    for event in tracker.events:
        text = event.get("text") or ""
        if event.get("event") != "user" or not text.strip() or is_payload(text):
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent not in NO_SUBJECT_INTENTS or SUBJECT_MARKERS & set(words(text)):
            return True
    return False


class ActionAskContact(AskMixin, Action):
    slot = SLOT_CONTACT


class ActionAskDemande(AskMixin, Action):
    slot = SLOT_SUBJECT


class ValidateFormulaireContact(FormValidationAction):
    """Ask what the request is about when nothing says it yet; accept an e-mail or a phone number, or the user's
    choice not to leave any."""

    def name(self) -> str:
        return "validate_formulaire_contact"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot(SLOT_SUBJECT) or not has_subject(tracker):
            return list(domain_slots)
        return [slot for slot in domain_slots if slot != SLOT_SUBJECT]

    async def extract_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Contact details said with a goodbye or thanks (« cabinet@exemple.fr, merci et bonne journée ») are the
        answer: those intents are not mapped to the slot (domain.yml), which a bare goodbye or thanks is not."""
        if tracker.get_slot("requested_slot") != SLOT_CONTACT or tracker.get_slot(SLOT_CONTACT):
            return {}
        found = contact_in(latest_user_text(tracker))
        return {SLOT_CONTACT: found} if found else {}

    def validate_demande(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        return {SLOT_SUBJECT: text or None}

    def validate_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        if text == NO_CONTACT:
            return {SLOT_CONTACT: NO_CONTACT}
        found = contact_in(text)
        if found:
            return {SLOT_CONTACT: found}
        if latest_intent(tracker) == "nier" or key(text) in REFUSALS or text.strip() == "/nier":
            return {SLOT_CONTACT: NO_CONTACT}
        say(dispatcher, "contact_invalide")
        return {SLOT_CONTACT: None}


def request_summary(tracker: Tracker, contact: str | None) -> str:
    """What the team reads first: the user's own recent words, then the known profile."""
    lines = [line["text"] for line in transcript(tracker) if line["from"] == "user"]
    if contact:
        lines = [line for line in lines if contact_in(line) != contact]
    recent = lines[-RECENT_USER_MESSAGES:]
    summary = "\n".join(f"- {line}" for line in recent) if recent else "- (aucun message saisi)"
    profile = describe_profile(tracker)
    text = "Messages de l'utilisateur (assistant Paris Méd') :\n" + summary
    if profile:
        text += "\nProfil indiqué : " + profile
    return text


def handoff_key(tracker: Tracker) -> str:
    """One key per conversation and hand-off: the sender and the time of the user message that confirmed it.
    A retried or replayed action call carries the same tracker, hence the same key: nothing new is created."""
    stamp = next((e.get("timestamp") for e in reversed(tracker.events) if e.get("event") == "user"), None)
    return f"chat:{tracker.sender_id}:{stamp}"


class ActionTransmettreEquipe(Action):
    """Create a staff request (once) with the transcript, then tell the user what happens next."""

    def name(self) -> str:
        return "action_transmettre_equipe"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        contact = tracker.get_slot(SLOT_CONTACT)
        contact = None if contact in (None, "", NO_CONTACT) else str(contact)
        try:
            created = await call_blocking(
                request_store.create_request,
                source="chat",
                texte=request_summary(tracker, contact),
                contact=contact,
                transcript=transcript(tracker),
                sender_id=tracker.sender_id,
                idempotency_key=handoff_key(tracker),
            )
        except (request_store.RequestStoreError, SQLAlchemyError):
            logger.exception("request_store.create_request failed")
            say(dispatcher, "transmission_echec")
            say(dispatcher, "contact_secours")
            return [SlotSet(SLOT_OFFER, False), SlotSet(SLOT_CONTACT, None), SlotSet(SLOT_SUBJECT, None)]
        response = "transmis" if contact else "transmis_sans_contact"
        say(dispatcher, response, numero=created.id)
        return [SlotSet(SLOT_OFFER, False), SlotSet(SLOT_CONTACT, None), SlotSet(SLOT_SUBJECT, None)]


def misunderstood_twice(tracker: Tracker) -> bool:
    """True when the previous user message was already misunderstood (action_incompris ran after it, and did not
    answer it from the guide as a follow-up)."""
    user_turns_seen = 0
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            user_turns_seen += 1
            if user_turns_seen == 2:
                return False
        elif kind == "action" and user_turns_seen == 1 and event.get("name") == "action_incompris":
            return not answered_from_the_guide(tracker)
    return False


class ActionIncompris(Action):
    """First misunderstanding: ask to rephrase. Second in a row: offer the hand-off. Right after a guide answer, the
    message is first read by the guide as a follow-up (« et combien de temps il dure ? »), which the NLU, without the
    previous turn, cannot classify."""

    def name(self) -> str:
        return "action_incompris"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if not tracker.active_loop_name and answered_from_the_guide(tracker):
            answered = await answer_follow_up(dispatcher, tracker)
            if answered is not None:
                return answered
        if misunderstood_twice(tracker):
            say(dispatcher, "proposer_equipe")
            return [SlotSet(SLOT_OFFER, True)]
        if tracker.active_loop_name:
            say(dispatcher, "reponse_non_comprise")
        else:
            say(dispatcher, "reformuler")
        return []


class ActionProposerEquipe(Action):
    """Frustration or insult: apologise and offer to pass the question to the team (same offer as after an
    unanswered question: buttons, and a typed « oui » accepts it)."""

    def name(self) -> str:
        return "action_proposer_equipe"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return apologise_and_offer(dispatcher)


def apologise_and_offer(dispatcher: CollectingDispatcher) -> list[EventType]:
    """« Sorry I did not help »: the offer to pass the question to the team, pending (a typed « oui » accepts it)."""
    say(dispatcher, "excuses_equipe")
    return [SlotSet(SLOT_OFFER, True)]


GUIDE_ANSWER_ACTIONS = frozenset({"action_repondre_guide", "action_question_medicale"})


def answered_from_the_guide(tracker: Tracker) -> bool:
    """Whether the assistant's last action before the latest user message was a guide answer (a follow-up the guide
    answered after the NLU did not understand it included: it remembers the turn, slot question_precedente)."""
    action, events = last_action_before_latest_message(tracker)
    remembered = any(e.get("event") == "slot" and e.get("name") == SLOT_PREVIOUS_QUESTION for e in events)
    return action in GUIDE_ANSWER_ACTIONS or (action == "action_incompris" and remembered)


class ActionNier(Action):
    """« Non » with no offer pending. Right after a guide answer (« Cette réponse vous aide-t-elle ? » — « non, c'est
    flou ») it says the answer did not help: apologise and offer the hand-off. Otherwise a plain « D'accord »."""

    def name(self) -> str:
        return "action_nier"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if answered_from_the_guide(tracker):
            return apologise_and_offer(dispatcher)
        dispatcher.utter_message(response="utter_ok_nier")
        return []


class ActionNonCompris(Action):
    """Core fallback (no policy is confident): apologise and forget the message, so the
    conversation (and an active form) continues as if it had not been sent."""

    def name(self) -> str:
        return "action_non_compris"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        say(dispatcher, "default")
        return [UserUtteranceReverted()]


class ActionClorOffre(Action):
    """The user declined the hand-off offer: forget it."""

    def name(self) -> str:
        return "action_clore_offre"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return [SlotSet(SLOT_OFFER, False)]
