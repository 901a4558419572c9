"""Helpers for the action tests: trackers built from dicts or JSON files, no running Rasa."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from parismed.config import PROJECT_ROOT

FIXTURES = Path(__file__).with_name("fixtures")


def load_domain() -> dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


def entity(text: str, fragment: str, name: str, value: str | None = None) -> dict[str, Any]:
    """An NLU entity for `fragment` inside `text` (value defaults to the fragment)."""
    start = text.index(fragment)
    return {
        "entity": name,
        "value": value if value is not None else fragment,
        "start": start,
        "end": start + len(fragment),
        "extractor": "DIETClassifier",
    }


def user_event(text: str, intent: str | None, entities: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.95} if intent else {}, "entities": list(entities)}
    return {"event": "user", "text": text, "parse_data": parse, "timestamp": 0}


def bot_event(text: str) -> dict[str, Any]:
    return {"event": "bot", "text": text, "timestamp": 0}


def slot_event(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value, "timestamp": 0}


def action_event(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name, "timestamp": 0}


def make_tracker(
    text: str = "",
    intent: str | None = None,
    entities: Iterable[dict[str, Any]] = (),
    slots: dict[str, Any] | None = None,
    history: Iterable[dict[str, Any]] = (),
    after: Iterable[dict[str, Any]] = (),
    active_loop: str | None = None,
    sender_id: str = "test-user",
) -> Tracker:
    """A tracker whose latest message is `text`; `history` comes before it, `after` (slot candidates) after."""
    entities = list(entities)
    events = [*history, user_event(text, intent, entities), *after]
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.95} if intent else {}, "entities": entities}
    all_slots = {"requested_slot": None, "offre_equipe": False}
    all_slots.update(slots or {})
    return Tracker(
        sender_id, all_slots, latest, events, False, None, {"name": active_loop} if active_loop else {}, None
    )


def tracker_from_json(name: str) -> Tracker:
    return Tracker.from_dict(json.loads((FIXTURES / name).read_text(encoding="utf-8")))


def run_action(
    action: Any, tracker: Tracker, domain: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    return dispatcher.messages, events


def responses(messages: list[dict[str, Any]]) -> list[str | None]:
    """The messages.yml key of each message sent (None for texts from elsewhere, e.g. a guide answer)."""
    from assistant.actions.messages import load_messages

    patterns = {
        key: re.compile("^" + re.sub(r"\\\{\w+\\\}", ".*", re.escape(variants[0]["text"])) + "$", re.S)
        for key, variants in load_messages().items()
    }
    keys = []
    for message in messages:
        text = message.get("text") or ""
        keys.append(next((key for key, pattern in patterns.items() if pattern.match(text)), None))
    return keys


def slots_set(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def has_module(name: str) -> bool:
    try:
        __import__(name)
    except Exception:
        return False
    return True
