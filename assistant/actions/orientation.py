"""Orientation towards partners via rules_bridge.orient()."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import rules_bridge
from frenchtext import key

from .common import SLOT_OFFER, call_blocking, latest_user_text
from .messages import say
from .vocabulary import parse_location, profession_label

logger = logging.getLogger(__name__)


def orientation_query(tracker: Tracker) -> str:
    """The user's words, completed with what the profile already says (arrondissement, professions)."""
    text = latest_user_text(tracker)
    extra: list[str] = []
    location = parse_location(tracker.get_slot("arrondissement"))
    if location is not None and location.in_paris and parse_location(text, standalone=False) is None:
        extra.append(f"dans le {location.arrondissement}e")
    folded = key(text)
    for profession in tracker.get_slot("professions") or []:
        label = profession_label(str(profession))
        if key(label) not in folded:
            extra.append(label)
    return " ".join([text, *extra]).strip()


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
        return "action_orienter"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        query = orientation_query(tracker)
        # A « Trouver un partenaire » button (no typed words) asks for partners in general: the general list, completed
        # with the profile. Typed words are read as the API reads them: no partner when they name no need of the list.
        general = not latest_user_text(tracker)
        try:
            partners = (await call_blocking(rules_bridge.orient, query, general=general)).partenaires
        except rules_bridge.RulesBridgeError:
            logger.exception("rules_bridge.orient failed")
            say(dispatcher, "orientation_erreur")
            return [SlotSet(SLOT_OFFER, True)]
        if not partners:
            say(dispatcher, "orientation_vide")
            return [SlotSet(SLOT_OFFER, False)]
        say(dispatcher, "orientation_intro")
        dispatcher.utter_message(text=format_partners(partners))
        return [SlotSet(SLOT_OFFER, False)]
