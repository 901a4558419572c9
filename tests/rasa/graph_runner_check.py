"""Run in the Rasa environment by tests/rasa/test_components.py: the served model parses messages and predicts
the next actions identically when its graphs run in a fixed order (assistant/components/graph_runner) and
through Rasa's dask runner. Prints one JSON line."""

import asyncio
import json
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rasa.core.agent import Agent  # noqa: E402
from rasa.core.channels import UserMessage  # noqa: E402
from rasa.engine.runner.dask import DaskGraphRunner  # noqa: E402
from rasa.shared.core.events import ActionExecuted  # noqa: E402
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402

from assistant.components import graph_runner  # noqa: E402


def turns(agent: Agent, texts: list[str]) -> list[dict]:
    """For each message: its parse, the first predicted action, and the one predicted after it."""

    async def run() -> list[dict]:
        processor = agent.processor
        out = []
        for text in texts:
            sender = uuid.uuid4().hex
            tracker = await processor.log_message(UserMessage(text, sender_id=sender))
            first = processor.predict_next_with_tracker_if_should(tracker)
            tracker.update(ActionExecuted(first[0].name()))
            second = processor.predict_next_with_tracker_if_should(tracker)
            parse = tracker.latest_message.parse_data
            out.append(
                {
                    "intent": parse["intent"]["name"],
                    "ranking": [(r["name"], round(r["confidence"], 9)) for r in parse.get("intent_ranking", [])],
                    "entities": [(e["entity"], e["value"]) for e in parse.get("entities", [])],
                    "actions": [p[0].name() for p in (first, second)],
                    "policies": [p[1].policy_name for p in (first, second)],
                    "scores": [round(max(p[1].probabilities), 9) for p in (first, second)],
                }
            )
        return out

    return asyncio.run(run())


def main() -> None:
    model = sorted((ROOT / "models").glob("*.tar.gz"))[-1]
    texts = [m.get("text") for m in load_data(str(ROOT / "tests" / "rasa" / "nlu_test.yml")).intent_examples]
    agent = Agent.load(str(model))  # imports assistant.components: the fixed-order runner is installed
    installed = DaskGraphRunner.run is graph_runner.run_in_order
    ours = turns(agent, texts)
    graph_runner.uninstall()
    rasa = turns(agent, texts)
    identical = sum(int(a == b) for a, b in zip(ours, rasa))
    actions = sorted({a for t in ours for a in t["actions"]})
    print(json.dumps({"installed": installed, "messages": len(texts), "identical": identical, "actions": actions}))


if __name__ == "__main__":
    main()
