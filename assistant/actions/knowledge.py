"""Regulatory questions: answered from the guide through knowledge_base.answer()."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .common import SLOT_OFFER, call_blocking, latest_user_text, load_api
from .messages import say

logger = logging.getLogger(__name__)


def source_links(contract: Dict[Text, Any]) -> List[Dict[Text, Text]]:
    """Sources of an answer as the widget expects them: [{"title", "section", "url"}]."""
    links = []
    for source in contract.get("sources") or []:
        link = {key: str(source.get(key) or "") for key in ("title", "section", "url")}
        if link["title"] or link["url"]:
            links.append(link)
    return links


class ActionRepondreGuide(Action):
    """Answer with the guide, cite the sources, or offer the hand-off when the guide is silent."""

    def name(self) -> Text:
        return "action_repondre_guide"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        question = latest_user_text(tracker)
        if not question:
            say(dispatcher, "guide_sans_reponse")
            return [SlotSet(SLOT_OFFER, True)]
        try:
            answer = load_api("knowledge_base", "answer")
            result = await call_blocking(answer, question)
            contract = result.to_contract()
        except Exception:  # any failure of the knowledge base becomes a French apology
            logger.exception("knowledge_base.answer failed")
            say(dispatcher, "guide_erreur")
            return [SlotSet(SLOT_OFFER, True)]

        text = (contract.get("answer") or "").strip()
        if not getattr(result, "understood", True):  # keyboard mashing: nothing worth forwarding to the staff
            say(dispatcher, "guide_non_compris")
            return [SlotSet(SLOT_OFFER, False)]
        if not contract.get("answered") or not text:
            say(dispatcher, "guide_sans_reponse")
            return [SlotSet(SLOT_OFFER, True)]

        dispatcher.utter_message(text=text)
        links = source_links(contract)
        if links:
            dispatcher.utter_message(json_message={"sources": links})
        say(dispatcher, "guide_suite")
        return [SlotSet(SLOT_OFFER, False)]
