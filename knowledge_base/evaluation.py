"""Retrieval quality on the question sets in knowledge_base/eval/: recall@k, MRR per mode, answered/declined."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

EVAL_DIR = Path(__file__).with_name("eval")
MODES = ("bm25", "dense", "rrf", "hybrid")


def load_questions(split: str | None = None) -> tuple[list[dict], list[dict]]:
    """(in-scope, out-of-scope) questions of every file, optionally one split ('dev' or 'test')."""
    inside, outside = [], []
    for path in sorted(EVAL_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        inside += [q for q in data.get("in_scope", []) if split in (None, q.get("split", "dev"))]
        outside += [q for q in data.get("out_of_scope", []) if split in (None, q.get("split", "dev"))]
    return inside, outside


def retrieval_metrics(service, questions: list[dict], mode: str) -> dict:
    ids = [s.id for s in service.index.sections]
    ranks, misses = [], []
    for q in questions:
        order = service.rank(q["question"], mode=mode).order
        wanted = set(q["sections"])
        rank = next((i + 1 for i, doc in enumerate(order[:20]) if ids[int(doc)] in wanted), None)
        ranks.append(rank)
        if rank != 1:
            misses.append(
                {"question": q["question"], "attendu": sorted(wanted), "rang": rank, "trouve": ids[int(order[0])]}
            )

    def recall(k: int) -> float:
        return sum(1 for r in ranks if r is not None and r <= k) / max(len(ranks), 1)

    mrr = sum(1.0 / r for r in ranks if r) / max(len(ranks), 1)
    return {
        "n": len(ranks),
        "recall@1": recall(1),
        "recall@3": recall(3),
        "recall@5": recall(5),
        "mrr": mrr,
        "misses": misses,
    }


def confidences(service, questions: list[dict]) -> np.ndarray:
    from .retriever import confidence

    out = []
    for q in questions:
        r = service.rank(q["question"])
        out.append(confidence(r, int(r.order[0])))
    return np.asarray(out)


def decision_metrics(service, inside: list[dict], outside: list[dict], threshold: float) -> dict:
    cin, cout = confidences(service, inside), confidences(service, outside)
    return {
        "seuil": threshold,
        "repondues_dans_le_champ": float((cin >= threshold).mean()) if len(cin) else 0.0,
        "declinees_hors_champ": float((cout < threshold).mean()) if len(cout) else 0.0,
        "exactitude": float(((cin >= threshold).sum() + (cout < threshold).sum()) / max(len(cin) + len(cout), 1)),
    }


def calibrate(service, inside: list[dict], outside: list[dict]) -> float:
    """The threshold maximising balanced accuracy (answered in scope, declined out of scope) on these sets."""
    cin, cout = confidences(service, inside), confidences(service, outside)
    candidates = np.unique(np.concatenate([cin, cout]))
    best, best_score = 0.5, -1.0
    for t in candidates:
        score = (cin >= t).mean() + (cout < t).mean()
        if score > best_score:
            best, best_score = float(t), score
    # Midpoint to the next lower confidence: less sensitive to the exact dev questions.
    lower = candidates[candidates < best]
    return round((best + float(lower.max())) / 2, 4) if lower.size else best


def evaluate(service, split: str | None = None) -> dict:
    inside, outside = load_questions(split)
    report = {
        "split": split or "tout",
        "questions_dans_le_champ": len(inside),
        "questions_hors_champ": len(outside),
        "modes": {m: retrieval_metrics(service, inside, m) for m in MODES},
    }
    report["decision"] = decision_metrics(service, inside, outside, service.threshold)
    return report
