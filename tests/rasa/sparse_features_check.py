"""Run in the Rasa environment by tests/rasa/test_components.py: the cheaper feature joining and classifier matrix
(assistant/components) give the same matrices as Rasa's code, and the served model parses the same way with
and without them. Prints one JSON line."""

import asyncio
import json
import sys
from pathlib import Path

import numpy as np
import scipy.sparse

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rasa.core.agent import Agent  # noqa: E402
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier  # noqa: E402
from rasa.shared.nlu.training_data.features import Features  # noqa: E402
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402

from assistant.components import sparse_features  # noqa: E402
from assistant.components.intent_classifier import SparseLogisticRegressionClassifier  # noqa: E402


def synthetic_pairs(n: int = 40) -> int:
    """COO pairs of random shapes and dtypes: the fast join equals scipy's hstack."""
    rng = np.random.default_rng(7)
    same = 0
    for k in range(n):
        rows = int(rng.integers(1, 6))
        dtype = [np.float32, np.float64, np.int64][k % 3]
        a = scipy.sparse.random(rows, int(rng.integers(0, 30)), density=0.3, format="coo", random_state=k, dtype=dtype)
        b = scipy.sparse.random(rows, int(rng.integers(1, 30)), density=0.3, format="coo", random_state=k + 99)
        expected = scipy.sparse.hstack([a, b])
        left, right = Features(a, "sequence", "text", "x"), Features(b, "sequence", "text", "y")
        sparse_features.combine_sparse_features(left, right)
        got = left.features
        same += int(
            got.shape == expected.shape
            and got.dtype == expected.dtype
            and scipy.sparse.isspmatrix_coo(got)
            and np.array_equal(got.toarray(), expected.toarray())
        )
    return same


def parses(agent: Agent, texts: list[str]) -> list[dict]:
    async def run() -> list[dict]:
        out = []
        for text in texts:
            p = await agent.parse_message(text)
            out.append(
                {
                    "intent": p["intent"]["name"],
                    "confidence": p["intent"]["confidence"],
                    "ranking": [(r["name"], r["confidence"]) for r in p.get("intent_ranking", [])],
                    "entities": [(e["entity"], e["value"], e["start"], e["end"]) for e in p.get("entities", [])],
                }
            )
        return out

    return asyncio.run(run())


def main() -> None:
    model = sorted((ROOT / "models").glob("*.tar.gz"))[-1]
    texts = [m.get("text") for m in load_data(str(ROOT / "tests" / "rasa" / "nlu_test.yml")).intent_examples]
    agent = Agent.load(str(model))  # imports assistant.components: the fast paths are installed
    installed = Features._combine_sparse_features is sparse_features.combine_sparse_features
    fast = parses(agent, texts)
    sparse_features.uninstall()
    SparseLogisticRegressionClassifier._create_X = LogisticRegressionClassifier._create_X  # type: ignore[method-assign]
    rasa = parses(agent, texts)
    identical = 0
    for f, r in zip(fast, rasa):
        identical += int(
            f["intent"] == r["intent"]
            and f["entities"] == r["entities"]
            and [n for n, _ in f["ranking"]] == [n for n, _ in r["ranking"]]
            and np.allclose([c for _, c in f["ranking"]], [c for _, c in r["ranking"]], rtol=0, atol=1e-9)
        )
    print(
        json.dumps(
            {
                "installed": installed,
                "synthetic_same": synthetic_pairs(),
                "synthetic": 40,
                "messages": len(texts),
                "identical": identical,
            }
        )
    )


if __name__ == "__main__":
    main()
