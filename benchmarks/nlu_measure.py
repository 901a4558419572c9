"""Measures one trained Rasa model's NLU, run with the Rasa environment (Python 3.10):

    .venv-rasa/bin/python benchmarks/nlu_measure.py MODEL.tar.gz TRAINING_NLU_DIR TEST.yml [TEST.yml …]

Prints one JSON object: load time and RSS after loading, whether TensorFlow was imported, CPU per parse
(process time, so every thread counts), and for each test file intent macro-F1 / accuracy and entity F1.

Entities are scored as (entity type, value) pairs per message, micro-averaged: what fills a slot is the value
after synonym mapping, so the gold values go through the training data's synonyms too (« 19e » -> « 19 »).
Called by benchmarks/nlu_compare.py; it imports nothing of the project (another Python, another env)."""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import sys
import time
import unicodedata
from pathlib import Path


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text).lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def _pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def main(model: str, training_dir: str, tests: list[str]) -> dict:
    started = time.perf_counter()
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data
    from sklearn.metrics import accuracy_score, f1_score

    imported = time.perf_counter()
    agent = Agent.load(model)
    loaded = time.perf_counter()
    result: dict = {
        "import_rasa_s": round(imported - started, 2),
        "chargement_modele_s": round(loaded - imported, 2),
        "rss_apres_chargement_mo": rss_mb(),
        "tensorflow_importe": "tensorflow" in sys.modules,
    }

    synonyms = {_fold(k): str(v) for k, v in load_data(training_dir).entity_synonyms.items()}

    def gold_value(entity: dict) -> str:
        value = str(entity.get("value"))
        return _fold(synonyms.get(_fold(value), value))

    loop = asyncio.new_event_loop()
    parse = lambda text: loop.run_until_complete(agent.parse_message(text))  # noqa: E731
    for text in ("bonjour", "Mon cabinet est-il un ERP ?", "nous sommes deux kinés dans le 19e"):
        parse(text)  # warm-up: first calls build graphs and caches

    cpu_ms: list[float] = []
    wall_ms: list[float] = []
    result["jeux"] = {}
    for test in tests:
        data = load_data(test)
        gold_intents, predicted_intents = [], []
        tp = fp = fn = 0
        ranked: list[list] = []  # [gold, best intent other than nlu_fallback, its confidence]: threshold sweeps
        misses: list[dict] = []
        for example in data.intent_examples:
            text = example.get("text")
            c0, w0 = time.process_time(), time.perf_counter()
            parsed = parse(text)
            cpu_ms.append((time.process_time() - c0) * 1000)
            wall_ms.append((time.perf_counter() - w0) * 1000)
            gold_intents.append(example.get("intent"))
            predicted_intents.append((parsed.get("intent") or {}).get("name"))
            best = next((r for r in parsed.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"), {})
            ranked.append([gold_intents[-1], best.get("name"), round(float(best.get("confidence") or 0), 4)])
            gold = {(e["entity"], gold_value(e)) for e in example.get("entities") or []}
            predicted = {(e["entity"], _fold(str(e.get("value")))) for e in parsed.get("entities") or []}
            tp += len(gold & predicted)
            fp += len(predicted - gold)
            fn += len(gold - predicted)
            if gold != predicted or gold_intents[-1] != predicted_intents[-1]:
                misses.append(
                    {
                        "texte": text,
                        "intention": gold_intents[-1],
                        "predite": predicted_intents[-1],
                        "manquees": sorted(gold - predicted),
                        "en_trop": sorted(predicted - gold),
                    }
                )
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        labels = sorted(set(gold_intents))
        result["jeux"][Path(test).name] = {
            "exemples": len(gold_intents),
            "intention_macro_f1": round(
                f1_score(gold_intents, predicted_intents, labels=labels, average="macro", zero_division=0), 3
            ),
            "intention_exactitude": round(accuracy_score(gold_intents, predicted_intents), 3),
            "entites_f1": round(2 * precision * recall / (precision + recall), 3) if precision + recall else 0.0,
            "entites_precision": round(precision, 3),
            "entites_rappel": round(recall, 3),
            "erreurs": misses,
            "meilleures_intentions": ranked,
        }
    result["cpu_par_analyse_ms"] = {
        "p50": round(statistics.median(cpu_ms), 2),
        "p95": round(_pct(cpu_ms, 0.95), 2),
        "moyenne": round(statistics.fmean(cpu_ms), 2),
    }
    result["duree_par_analyse_ms"] = {"p50": round(statistics.median(wall_ms), 2), "p95": round(_pct(wall_ms, 0.95), 2)}
    result["rss_pic_mo"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], sys.argv[3:]), ensure_ascii=False))
