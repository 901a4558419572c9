"""The answer/decline decision: a logistic regression over retrieval features, fitted on the development splits.

`features(ranking)` describes the best section of a ranking (BM25 top score and margin, dense score and margin,
fused margin, lexical coverage plain and IDF-weighted, query length, section type, whether BM25 and the dense
model agree on the best section, the share of the question's words the guide never uses, the best USE similarity
to a « question fréquente », the section model's probability of the best section); `Decision.probability` turns them into the probability that the question is one the guide answers.
The coefficients live in `decision.json` beside this module, written by `fit_decision` (see
`python -m knowledge_base.calibrate`), so loading needs no scikit-learn.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from .retriever import Ranking

DECISION_FILE = Path(__file__).with_name("decision.json")
FEATURES = (
    "bm25_top",
    "bm25_margin",
    "dense_top",
    "dense_margin",
    "fused_margin",
    "coverage_top",
    "query_terms",
    "glossary",
    "top_agreement",
    "unknown_share",
    "idf_coverage_top",
    "dense_faq_top",
    "section_prob_top",
    "section_out",
)


def features(r: Ranking, glossary: bool) -> list[float]:
    """Features of the best section of a ranking (see FEATURES)."""
    best, second = int(r.order[0]), int(r.order[1]) if len(r.order) > 1 else int(r.order[0])
    dense_sorted = np.sort(r.dense)[::-1]
    bm25_sorted = np.sort(r.bm25)[::-1]
    bm25_top = float(bm25_sorted[0]) if bm25_sorted.size else 0.0
    return [
        math.log1p(bm25_top),
        (bm25_top - float(bm25_sorted[1])) / bm25_top if bm25_top > 0 and bm25_sorted.size > 1 else 0.0,
        float(r.dense[best]),
        float(dense_sorted[0] - dense_sorted[1]) if dense_sorted.size > 1 else 0.0,
        float(r.fused[best] - r.fused[second]),
        float(r.coverage[best]),
        math.log1p(len(set(r.terms))),
        1.0 if glossary else 0.0,
        1.0 if r.bm25.size and int(np.argmax(r.bm25)) == int(np.argmax(r.dense)) else 0.0,
        r.unknown,
        float(r.coverage_idf[best]) if r.coverage_idf is not None else float(r.coverage[best]),
        max(float(r.dense_faq.max()), 0.0) if r.dense_faq is not None and r.dense_faq.size else 0.0,
        float(r.section_prob[best]) if r.section_prob is not None else 0.0,
        r.section_out,
    ]


class Decision(BaseModel):
    """Standardised logistic regression: p = sigmoid(coef · (x - mean) / scale + intercept)."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    threshold: float = 0.5
    fitted_on: str = ""
    regularisation_c: float = 1.0

    def probability(self, x: list[float]) -> float:
        z = self.intercept + sum(
            c * (v - m) / (s or 1.0) for c, v, m, s in zip(self.coef, x, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    @classmethod
    def load(cls, path: Path = DECISION_FILE) -> Decision | None:
        """The fitted decision, None without the file; a file fitted on other features than `FEATURES` (written
        by an older `calibrate`) is refused at load rather than failing at the first question."""
        if not path.exists():
            return None
        decision = cls.model_validate_json(path.read_text())
        if decision.features != list(FEATURES):
            raise ValueError(
                f"{path.name} was fitted on other features than decision.FEATURES: run python -m knowledge_base.calibrate"
            )
        return decision

    def save(self, path: Path = DECISION_FILE) -> None:
        path.write_text(json.dumps(self.model_dump(), indent=2) + "\n")


def fit_decision(
    x: np.ndarray,
    y: np.ndarray,
    fitted_on: str,
    min_declined: float = 0.9,
    *,
    sample_weight: np.ndarray | None = None,
    groups: np.ndarray | None = None,
    threshold_negatives: np.ndarray | None = None,
) -> tuple[Decision, dict[str, Any]]:
    """Chooses C by cross-validation (log-loss), fits on all rows, then picks the threshold on the cross-validated
    probabilities (see below).

    `groups`: the cross-validation folds (a row is predicted by a model fitted without its group; default: 5
    stratified folds). `sample_weight`: each row's weight in the fit and the log-loss. `threshold_negatives`: the
    negatives whose declined share must reach `min_declined` (default: every row with y = 0)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import StandardScaler

    weight = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if groups is None:
        splits = list(StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(x, y))
    else:
        splits = [(np.flatnonzero(groups != g), np.flatnonzero(groups == g)) for g in np.unique(groups)]
    scaler = StandardScaler().fit(x)
    xs = scaler.transform(x)

    def cross_validated(c: float) -> np.ndarray:
        oof = np.zeros(len(y))
        for train, test in splits:
            model = LogisticRegression(C=c, max_iter=2000).fit(xs[train], y[train], sample_weight=weight[train])
            oof[test] = model.predict_proba(xs[test])[:, 1]
        return oof

    best_c, best_loss, best_oof = 1.0, math.inf, None
    for c in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0):
        oof = cross_validated(c)
        losses = -(y * np.log(oof + 1e-9) + (1 - y) * np.log(1 - oof + 1e-9))
        loss = float(np.average(losses, weights=weight))
        if loss < best_loss:
            best_c, best_loss, best_oof = c, loss, oof
    assert best_oof is not None
    model = LogisticRegression(C=best_c, max_iter=2000).fit(xs, y, sample_weight=weight)
    # Threshold: the best balanced accuracy (answered in scope + declined negatives) of the cross-validated
    # probabilities, among those declining at least `min_declined` of the negatives when one reaches it.
    negatives = (y == 0) if threshold_negatives is None else np.asarray(threshold_negatives, dtype=bool)
    candidates = np.unique(best_oof)
    answered = np.array([(best_oof[y == 1] >= t).mean() for t in candidates])
    declined = np.array([(best_oof[negatives] < t).mean() for t in candidates])
    balanced = answered + declined
    allowed = declined >= min_declined
    pick = int(np.argmax(np.where(allowed, balanced, -1.0))) if allowed.any() else int(np.argmax(balanced))
    threshold = float(candidates[pick])
    decision = Decision(
        features=list(FEATURES),
        mean=[float(v) for v in scaler.mean_],
        scale=[float(v) for v in scaler.scale_],
        coef=[float(v) for v in model.coef_[0]],
        intercept=float(model.intercept_[0]),
        threshold=threshold,
        fitted_on=fitted_on,
        regularisation_c=best_c,
    )
    return decision, {"c": best_c, "log_loss_cv": best_loss, "oof": best_oof}


def reliability(probabilities: np.ndarray, y: np.ndarray, bins: int = 5) -> list[dict[str, float]]:
    """Reliability table: per probability bin, mean predicted probability and observed rate of in-scope."""
    rows = []
    edges = np.linspace(0.0, 1.0, bins + 1)
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mask = (probabilities >= lo) & ((probabilities < hi) | (hi == 1.0))
        if mask.any():
            rows.append(
                {
                    "de": float(lo),
                    "a": float(hi),
                    "n": int(mask.sum()),
                    "probabilite_moyenne": float(probabilities[mask].mean()),
                    "taux_observe": float(y[mask].mean()),
                }
            )
    return rows
