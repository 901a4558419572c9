"""Run in the Rasa environment by tests/rasa/test_components.py: the served model parses a message asking several
questions question by question too (assistant/components/questions.py). Prints one JSON line."""

import asyncio
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rasa.core.agent import Agent  # noqa: E402

MESSAGES = [
    "Je suis kiné dans le 19e, je peux avoir l'aide ? et faut-il une autorisation pour mettre une plaque ?",
    "Mon cabinet est-il un ERP ?",
    "Nous sommes 3 kinés. Faut-il un permis de construire pour ouvrir une porte ?",
    # follow-up questions opening with « Et », « Et sinon », « Aussi »
    "Mon cabinet est-il un ERP ? Et combien je peux toucher avec Paris Méd' ?",
    "Faut-il une autorisation pour changer la vitrine ? Et sinon, qui peut m'aider à trouver un local ?",
    "On est deux infirmières dans le 19e, on a droit à combien ? Aussi, faut-il prévenir le syndic des travaux ?",
    # a second question coordinated in the same sentence (one question mark)
    "Est-ce que Paris Méd' peut financer mes travaux, et est-ce que mon cabinet est un ERP ?",
    # an opening greeting before a request, and greetings alone
    "Bonjour, nous sommes 2 médecins généralistes secteur 1 et on veut ouvrir un cabinet de groupe dans le 19e avec "
    "des travaux",
    "Bonsoir madame, mon cabinet est-il un ERP ?",
    "Hello, on est trois kinés dans le 20e, quelle aide ?",
    "Bonjour à vous, qui peut m'aider à trouver un local ?",
    "Bonjour",
    "Bonsoir madame",
    "Bonjour à vous",
    "Hello !",
]


def main() -> None:
    agent = Agent.load(str(sorted((ROOT / "models").glob("*.tar.gz"))[-1]))

    async def parse() -> list:
        return [await agent.parse_message(text) for text in MESSAGES]

    parses = asyncio.run(parse())
    print(
        json.dumps(
            [{"text": p["text"], "intent": p["intent"]["name"], "questions": p.get("questions")} for p in parses]
        )
    )


if __name__ == "__main__":
    main()
