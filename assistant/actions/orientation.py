"""Orientation towards partners via rules_bridge.orient()."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .common import SLOT_OFFER, call_blocking, latest_user_text, load_api
from .lexicon import fold, parse_location, profession_label
from .messages import say

logger = logging.getLogger(__name__)


def orientation_query(tracker: Tracker) -> Text:
    """The user's words, completed with what the profile already says (arrondissement, professions)."""
    text = latest_user_text(tracker)
    extra: List[Text] = []
    location = parse_location(tracker.get_slot("arrondissement"))
    if location is not None and location.in_paris and parse_location(text) is None:
        extra.append(f"dans le {location.arrondissement}e")
    professions = tracker.get_slot("professions") or []
    folded = fold(text)
    for profession in professions:
        label = profession_label(str(profession))
        if fold(label) not in folded:
            extra.append(label)
    return " ".join([text, *extra]).strip()


def format_partners(partners: List[Dict[Text, Any]]) -> Text:
    """One Markdown bullet per partner: name, why, link."""
    lines = []
    for partner in partners:
        name = str(partner.get("nom") or "").strip()
        reason = str(partner.get("raison") or "").strip()
        url = str(partner.get("url") or "").strip()
        line = f"- **{name}**" + (f" : {reason}" if reason else "")
        if url:
            line += f" ({url})"
        lines.append(line)
    return "\n".join(lines)


class ActionOrienter(Action):
    """List the partners relevant to the user's need, with the reason and the link."""

    def name(self) -> Text:
        return "action_orienter"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        query = orientation_query(tracker)
        try:
            orient = load_api("rules_bridge", "orient")
            partners = (await call_blocking(orient, query)).to_contract().get("partenaires") or []
        except Exception:
            logger.exception("rules_bridge.orient failed")
            say(dispatcher, "orientation_erreur")
            return [SlotSet(SLOT_OFFER, True)]
        if not partners:
            say(dispatcher, "orientation_vide")
            return [SlotSet(SLOT_OFFER, False)]
        say(dispatcher, "orientation_intro")
        dispatcher.utter_message(text=format_partners(partners))
        return [SlotSet(SLOT_OFFER, False)]
