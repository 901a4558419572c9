"""Run with the Rasa environment: Rasa's own validation of action replies and ours give the same verdicts.

Prints one JSON object; tests/rasa/test_components.py asserts on it."""

import json

from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

rasa_validation = RemoteAction._validate_action_result  # before our components are imported
from assistant.components.action_replies import validate_action_result  # noqa: E402

REPLIES = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "offre_equipe", "value": False, "timestamp": None}],
        "responses": [{"text": "Oui."}, {"custom": {"sources": []}}],
    },
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "action_listen"}]},
    {"events": [{"event": "slot"}]},  # a slot event without a name
    {"events": [{"event": "inconnu"}]},
    {"events": "pas une liste"},
    {"responses": [42]},
]


def verdict(validate, reply):
    try:
        return ["valid", validate(RemoteAction("action_test", None), reply)]
    except ValidationError as error:
        return ["invalid", error.message]


print(json.dumps([[verdict(rasa_validation, r), verdict(validate_action_result, r)] for r in REPLIES]))
