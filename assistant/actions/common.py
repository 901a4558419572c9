"""Helpers shared by the actions: reading the tracker, running blocking domain calls off the event loop."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker

logger = logging.getLogger(__name__)

# Slot names and values shared by several modules.
SLOT_OFFER = "offre_equipe"
SLOT_CONTACT = "contact"
SLOT_SUBJECT = "demande"  # what a hand-off is about, asked only when the conversation does not say it
NO_CONTACT = "-"  # the user chose not to leave any contact details
FORM = "formulaire_eligibilite"  # the eligibility form
SLOT_AID_ASKED = "estimation_demandee"  # a guide question came with a question about the aid: the estimate follows

# Intents whose entities must not change the profile (same list as the slot mappings in domain.yml).
NON_PROFILE_INTENTS = frozenset(
    {
        "question_reglementaire",
        "hors_sujet",
        "bot_challenge",
        "capacites",
        "parler_humain",
        "question_medicale",
        "frustration",
        "donner_contact",
    }
)


def is_payload(text: Optional[Text]) -> bool:
    """Button payloads such as '/parler_humain' are not words typed by the user."""
    return bool(text) and text.lstrip().startswith("/")


def latest_user_text(tracker: Tracker) -> Text:
    """The latest message typed by the user ('' for a button payload)."""
    text = (tracker.latest_message or {}).get("text") or ""
    return "" if is_payload(text) else text.strip()


def latest_intent(tracker: Tracker) -> Optional[Text]:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def latest_entities(tracker: Tracker, entity: Text) -> List[Dict[Text, Any]]:
    """Entities of one type in the latest user message, in reading order."""
    entities = [e for e in (tracker.latest_message or {}).get("entities") or [] if e.get("entity") == entity]
    return sorted(entities, key=lambda e: e.get("start") or 0)


def last_action_before_latest_message(tracker: Tracker) -> Tuple[Optional[Text], List[Dict[Text, Any]]]:
    """The assistant's last action (action_listen aside) before the latest user message and the events that followed
    it (its slots, its messages); (None, []) if there is none."""
    seen_user = False
    after: List[Dict[Text, Any]] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None, []
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name"), after[::-1]
        elif seen_user:
            after.append(event)
    return None, []


def transcript(tracker: Tracker) -> List[Dict[Text, Text]]:
    """The conversation as a list of {"from": "user"|"bot", "text"} (button payloads left out)."""
    lines: List[Dict[Text, Text]] = []
    for event in tracker.events:
        kind = event.get("event")
        text = event.get("text")
        if not text:
            continue
        if kind == "user" and not is_payload(text):
            lines.append({"from": "user", "text": text})
        elif kind == "bot":
            lines.append({"from": "bot", "text": text})
    return lines


def user_messages(tracker: Tracker) -> List[Text]:
    return [line["text"] for line in transcript(tracker) if line["from"] == "user"]


def slot_before_latest_message(tracker: Tracker, slot: Text) -> Any:
    """Value a slot had before the latest user message (used to undo a wrong extraction)."""
    value: Any = None
    pending: Any = None
    for event in tracker.events:
        kind = event.get("event")
        if kind == "user":
            value = pending
        elif kind == "slot" and event.get("name") == slot:
            pending = event.get("value")
    return value if any(e.get("event") == "user" for e in tracker.events) else pending


async def call_blocking(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a synchronous API call off the event loop (the action server shares it with the web app)."""
    return await asyncio.to_thread(function, *args, **kwargs)
