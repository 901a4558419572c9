"""Messages of the custom actions and of the forms' questions, read from ``messages.yml`` (data).

Same shape as Rasa responses (a list of variants with ``text`` and optional ``buttons``); the
first variant is used so that replies are predictable. ``{placeholders}`` are filled from keyword
arguments.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List

import yaml
from rasa_sdk.executor import CollectingDispatcher

MESSAGES_PATH = Path(__file__).with_name("messages.yml")


class _KeepMissing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@lru_cache(maxsize=1)
def load_messages(path: Path = MESSAGES_PATH) -> Dict[str, List[Dict[str, Any]]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def render(key: str, **values: Any) -> Dict[str, Any]:
    """The message ``key`` as {"text", "buttons"} with its placeholders filled."""
    variant = load_messages()[key][0]
    message: Dict[str, Any] = {"text": str(variant["text"]).format_map(_KeepMissing(values))}
    if variant.get("buttons"):
        message["buttons"] = [dict(button) for button in variant["buttons"]]
    return message


def say(dispatcher: CollectingDispatcher, key: str, **values: Any) -> None:
    """Send the message ``key`` to the user."""
    message = render(key, **values)
    dispatcher.utter_message(text=message["text"], buttons=message.get("buttons") or [])
