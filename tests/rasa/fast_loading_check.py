"""Run with the Rasa environment: loads the trained model twice, with our fast loading and with Rasa's own
loading (a training step traced as a graph), and compares the networks' weights and their predictions.

Prints one JSON object; tests/rasa/test_components.py asserts on it."""

import asyncio
import json
import sys
import time

import numpy as np
from rasa.core.agent import Agent
from rasa.core.channels import UserMessage
from rasa.utils.tensorflow.models import RasaModel

from assistant.components import fast_loading

MESSAGES = [
    "bonjour",
    "Mon cabinet est-il un ERP ?",
    "je suis kiné dans le 19e, suis-je éligible ?",
    "qui contacter pour une CPTS",
    "azertyuiop",
    "merci au revoir",
]


async def snapshot() -> dict:
    started = time.perf_counter()
    agent = Agent.load(sys.argv[1])
    seconds = time.perf_counter() - started
    weights, predictions = {}, []
    for node in agent.processor.graph_runner._instantiated_nodes.values():
        component = node._component
        if isinstance(component, fast_loading.FastLoadingDIETClassifier):
            # Variable names depend on where a variable was first created (eagerly or inside a traced
            # conditional), so weights are compared by value, network by network.
            weights[type(component).__name__] = [(v.name, v.numpy()) for v in component.model.weights]
    for i, text in enumerate(MESSAGES):
        parsed = await agent.parse_message(text)
        await agent.processor.log_message(UserMessage(text, sender_id=f"s{i}"))
        next_action = await agent.processor.predict_next_for_sender_id(f"s{i}")
        predictions.append(
            {
                "intent": parsed["intent_ranking"],
                "entities": parsed["entities"],
                "policy": [s["score"] for s in next_action["scores"]],
            }
        )
    return {"seconds": seconds, "weights": weights, "predictions": predictions}


def main() -> None:
    fast = asyncio.run(snapshot())
    # Rasa's own loading, for the same class: our `load` is bypassed.
    fast_loading.FastLoadingDIET.load = classmethod(lambda cls, *a, **k: RasaModel.load.__func__(cls, *a, **k))
    standard = asyncio.run(snapshot())
    # Rasa's traced training step may also create variables prediction never uses; every variable of the
    # fast-loaded networks must hold a value found in the same network loaded by Rasa.
    differing = [
        f"{network}:{name}"
        for network, variables in fast["weights"].items()
        for name, value in variables
        if not any(np.array_equal(value, other) for _, other in standard["weights"][network])
    ]
    max_gap = 0.0
    for a, b in zip(fast["predictions"], standard["predictions"]):
        assert [i["name"] for i in a["intent"]] == [i["name"] for i in b["intent"]], (a, b)
        assert [(e["entity"], e["value"]) for e in a["entities"]] == [(e["entity"], e["value"]) for e in b["entities"]]
        gaps = [abs(x["confidence"] - y["confidence"]) for x, y in zip(a["intent"], b["intent"])]
        gaps += [abs(x - y) for x, y in zip(a["policy"], b["policy"])]
        max_gap = max(max_gap, *gaps)
    print(
        json.dumps(
            {
                "weights": sum(map(len, fast["weights"].values())),
                "weights_rasa_loading": sum(map(len, standard["weights"].values())),
                "differing_weights": differing,
                "max_prediction_gap": max_gap,
                "fast_load_s": round(fast["seconds"], 1),
                "rasa_load_s": round(standard["seconds"], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
