"""Hand-off to the Paris Méd' team: contact form, request creation, repeated misunderstandings."""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .common import (
    NO_CONTACT,
    SLOT_CONTACT,
    SLOT_OFFER,
    call_blocking,
    latest_intent,
    load_api,
    transcript,
)
from .eligibility import AskMixin, describe_profile
from .lexicon import fold
from .messages import say

logger = logging.getLogger(__name__)

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}")
REFUSALS = {"non", "non merci", "pas de contact", "aucun", "rien", "je prefere ne pas en laisser", "nan", "sans"}
RECENT_USER_MESSAGES = 6


def contact_in(text: Text) -> Optional[Text]:
    """The e-mail address or French phone number found in a message, if any."""
    email = EMAIL.search(text or "")
    if email:
        return email.group(0).rstrip(".")
    phone = PHONE.search(text or "")
    if phone:
        return re.sub(r"[\s.-]", "", phone.group(0))
    return None


class ActionAskContact(AskMixin, Action):
    slot = SLOT_CONTACT


class ValidateFormulaireContact(FormValidationAction):
    """Accept an e-mail or a phone number, or the user's choice not to leave any."""

    def name(self) -> Text:
        return "validate_formulaire_contact"

    def validate_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value or "")
        if text == NO_CONTACT:
            return {SLOT_CONTACT: NO_CONTACT}
        found = contact_in(text)
        if found:
            return {SLOT_CONTACT: found}
        if latest_intent(tracker) == "nier" or fold(text) in REFUSALS or text.strip() == "/nier":
            return {SLOT_CONTACT: NO_CONTACT}
        say(dispatcher, "contact_invalide")
        return {SLOT_CONTACT: None}


def request_summary(tracker: Tracker, contact: Optional[Text]) -> Text:
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


class ActionTransmettreEquipe(Action):
    """Create a staff request with the transcript, then tell the user what happens next."""

    def name(self) -> Text:
        return "action_transmettre_equipe"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        contact = tracker.get_slot(SLOT_CONTACT)
        contact = None if contact in (None, "", NO_CONTACT) else str(contact)
        try:
            create_request = load_api("channels.staff", "create_request")
            number = await call_blocking(
                create_request,
                source="chat",
                texte=request_summary(tracker, contact),
                contact=contact,
                transcript=transcript(tracker),
                sender_id=tracker.sender_id,
            )
        except Exception:
            logger.exception("channels.staff.create_request failed")
            say(dispatcher, "transmission_echec")
            say(dispatcher, "contact_secours")
            return [SlotSet(SLOT_OFFER, False), SlotSet(SLOT_CONTACT, None)]
        response = "transmis" if contact else "transmis_sans_contact"
        say(dispatcher, response, numero=number)
        return [SlotSet(SLOT_OFFER, False), SlotSet(SLOT_CONTACT, None)]


def misunderstood_twice(tracker: Tracker) -> bool:
    """True when the previous user message was already misunderstood (action_incompris ran after it)."""
    user_turns_seen = 0
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            user_turns_seen += 1
            if user_turns_seen == 2:
                return False
        elif kind == "action" and user_turns_seen == 1 and event.get("name") == "action_incompris":
            return True
    return False


class ActionIncompris(Action):
    """First misunderstanding: ask to rephrase. Second in a row: offer the hand-off."""

    def name(self) -> Text:
        return "action_incompris"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if misunderstood_twice(tracker):
            say(dispatcher, "proposer_equipe")
            return [SlotSet(SLOT_OFFER, True)]
        if tracker.active_loop_name:
            say(dispatcher, "reponse_non_comprise")
        else:
            say(dispatcher, "reformuler")
        return []


class ActionNonCompris(Action):
    """Core fallback (no policy is confident): apologise and forget the message, so the
    conversation (and an active form) continues as if it had not been sent."""

    def name(self) -> Text:
        return "action_non_compris"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        say(dispatcher, "default")
        return [UserUtteranceReverted()]


class ActionClorOffre(Action):
    """The user declined the hand-off offer: forget it."""

    def name(self) -> Text:
        return "action_clore_offre"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        return [SlotSet(SLOT_OFFER, False)]
