"""Orientation towards partners via rules_bridge.orient()."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import knowledge_base
import rules_bridge
from frenchtext import key

from .common import (
    SLOT_OFFER,
    call_blocking,
    last_action_before_latest_message,
    latest_intent,
    latest_user_text,
)
from .knowledge import say_practitioner_search
from .messages import say
from .vocabulary import parse_location, profession_label

logger = logging.getLogger(__name__)

ACTION = "action_orienter"


def orientation_query(tracker: Tracker) -> str:
    """The user's words, completed with what the profile already says (professions, arrondissement), each as a
    sentence of its own: « … dans le 16e masseur-kinésithérapeute » read « 16 » as a headcount, and the partners
    listed « CPTS de votre arrondissement : indiquez votre arrondissement » to a user who had given it."""
    text = latest_user_text(tracker)
    need = previous_user_text(tracker)
    if latest_intent(tracker) == "informer" and last_action_before_latest_message(tracker)[0] == ACTION and need:
        # « dans le 20e de préférence » right after the partners for « je cherche un local »: the need, refined
        text = f"{need} {text}" if need[-1:] in ".?!" else f"{need}. {text}"
    extra: list[str] = []
    folded = key(text)
    for profession in tracker.get_slot("professions") or []:
        label = profession_label(str(profession))
        if key(label) not in folded:
            extra.append(f"{label}.")
    location = parse_location(tracker.get_slot("arrondissement"))
    if location is not None and location.in_paris and parse_location(text, standalone=False) is None:
        extra.append(f"Dans le {location.arrondissement}e arrondissement.")
    if extra and text and text[-1] not in ".?!":
        text += "."
    return " ".join([text, *extra]).strip()


def previous_user_text(tracker: Tracker) -> str:
    """The user's message before the latest one ('' for a button or none)."""
    texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    previous = texts[-2].strip() if len(texts) > 1 else ""
    return "" if previous.startswith("/") else previous


def format_partners(partners: list[rules_bridge.Partner]) -> str:
    """One Markdown bullet per partner: name, why, link."""
    lines = []
    for partner in partners:
        line = f"- **{partner.nom.strip()}**" + (f" : {partner.raison.strip()}" if partner.raison.strip() else "")
        if partner.url:
            line += f" ({partner.url.strip()})"
        lines.append(line)
    return "\n".join(lines)


class ActionOrienter(Action):
    """List the partners relevant to the user's need, with the reason and the link."""

    def name(self) -> str:
        return ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        # A « Trouver un partenaire » button (no typed words) asks for partners in general: the general list, completed
        # with the profile. Typed words are read as the API reads them: no partner when they name no need of the list.
        general = not latest_user_text(tracker)
        if knowledge_base.seeks_a_practitioner(latest_user_text(tracker)):  # « trouver un pédiatre pour mon fils »
            return say_practitioner_search(dispatcher)
        try:
            partners = await partners_for(tracker, general)
        except rules_bridge.RulesBridgeError:
            logger.exception("rules_bridge.orient failed")
            say(dispatcher, "orientation_erreur")
            return [SlotSet(SLOT_OFFER, True)]
        if not partners:
            say(dispatcher, "orientation_vide")
            return [SlotSet(SLOT_OFFER, False)]
        return list_partners(dispatcher, partners)


async def partners_for(tracker: Tracker, general: bool = False) -> list[rules_bridge.Partner]:
    """rules_bridge.orient() on the user's words completed with the profile (off the event loop)."""
    return (await call_blocking(rules_bridge.orient, orientation_query(tracker), general=general)).partenaires


def list_partners(dispatcher: CollectingDispatcher, partners: list[rules_bridge.Partner]) -> list[EventType]:
    say(dispatcher, "orientation_intro")
    dispatcher.utter_message(text=format_partners(partners))
    return [SlotSet(SLOT_OFFER, False)]


async def orient_follow_up(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """Right after a list of partners, a message the NLU did not understand (« un financement pour du matériel »,
    after the « Trouver un partenaire » button: third outside test) read as a need: its partners, or None when it
    names no need of the list (or the directory fails: the caller asks to rephrase)."""
    try:
        partners = await partners_for(tracker)
    except rules_bridge.RulesBridgeError:
        logger.warning("rules_bridge.orient failed on a follow-up", exc_info=True)
        return None
    return list_partners(dispatcher, partners) if partners else None
