"""Fits the answer/decline decision on the development splits and writes knowledge_base/decision.json.

    python -m knowledge_base.calibrate

Positives: in-scope development questions (the authors' sets and the covered questions of the independent set and
its supplement); negatives: out-of-scope development questions and the independent questions no section of the
guide answers.
Prints the cross-validated reliability table (reported in docs/mesures.md)."""

from __future__ import annotations

import json

import numpy as np

from .answering import GLOSSARY_THEME
from .decision import features, fit_decision, reliability
from .evaluation import ALL_INDEPENDENT, load_independent, load_questions
from .service import KnowledgeBase, get_service


def training_rows(kb: KnowledgeBase, split: str = "dev") -> tuple[np.ndarray, np.ndarray]:
    old_in, old_out = load_questions(split)
    new = load_independent(split, ALL_INDEPENDENT)
    rows = [(q["question"], 1) for q in old_in + new["covered"]]
    rows += [(q["question"], 0) for q in old_out + new["outside"] + new["uncovered"]]
    x, y = [], []
    for text, label in rows:
        r = kb.rank(text)
        best = kb.index.sections[int(r.order[0])]
        x.append(features(r, glossary=best.theme == GLOSSARY_THEME))
        y.append(label)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.int64)


def main() -> None:
    kb = get_service()
    x, y = training_rows(kb, "dev")
    decision, info = fit_decision(
        x, y, fitted_on=f"dev ({int(y.sum())} dans le champ, {int((1 - y).sum())} hors champ)"
    )
    decision.save()
    oof = info["oof"]
    print(
        json.dumps(
            {
                "C": info["c"],
                "log_loss_cv": round(info["log_loss_cv"], 4),
                "seuil": round(decision.threshold, 4),
                "coefficients": dict(zip(decision.features, [round(c, 3) for c in decision.coef], strict=True)),
                "cv_repondues_dans_le_champ": round(float((oof[y == 1] >= decision.threshold).mean()), 3),
                "cv_declinees_hors_champ": round(float((oof[y == 0] < decision.threshold).mean()), 3),
                "fiabilite_cv": reliability(oof, y),
                "seuils_cv": {
                    f"{t:.2f}": [round(float((oof[y == 1] >= t).mean()), 3), round(float((oof[y == 0] < t).mean()), 3)]
                    for t in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9)
                },
            },
            indent=1,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
