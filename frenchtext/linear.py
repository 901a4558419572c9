"""Small linear text classifiers kept as data: character n-gram features and a multinomial logistic regression
whose coefficients are plain JSON, applied without scikit-learn (which is needed only to fit them).

Used by the staff triage (theme of a request) and the webinar batch (chat lines that are not questions)."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

Features = dict[str, float]


def word_ngrams(tokens: Iterable[str], ngrams: tuple[int, int]) -> list[str]:
    """The character n-grams (lengths ``ngrams[0]`` to ``ngrams[1]``) of each word padded with a space on both
    sides, in order, repeated as often as they occur."""
    lo, hi = ngrams
    out: list[str] = []
    for token in tokens:
        word = f" {token} "
        for n in range(lo, hi + 1):
            out += [word[i : i + n] for i in range(len(word) - n + 1)]
    return out


def char_ngrams(weighted_tokens: Iterable[tuple[Sequence[str], float]], ngrams: tuple[int, int]) -> Features:
    """The character n-grams (``c:<gram>``, `word_ngrams`) of folded words, a group of words counting with its
    weight; counts log-scaled (1 + log) and the vector scaled to unit length."""
    grams: dict[str, float] = {}
    for tokens, weight in weighted_tokens:
        for gram in word_ngrams(tokens, ngrams):
            grams[gram] = grams.get(gram, 0.0) + weight
    scaled = {g: 1.0 + math.log(c) for g, c in grams.items()}
    norm = math.sqrt(sum(v * v for v in scaled.values())) or 1.0
    return {f"c:{g}": v / norm for g, v in scaled.items()}


@dataclass(frozen=True)
class LinearModel:
    """Multinomial logistic regression over named features: ``coef[index[name]]`` holds a feature's coefficient
    for each class. Kept as numpy arrays rather than Python lists, which took four times the memory of a
    long-running server for the triage model's 12 000 n-grams."""

    classes: list[str]
    intercept: np.ndarray  # (classes,)
    index: dict[str, int]  # feature name -> row of `coef`
    coef: np.ndarray  # (features, classes), float32

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> LinearModel:
        weights: Mapping[str, Sequence[float]] = data["weights"]
        classes = [str(c) for c in data["classes"]]
        coef = np.array(list(weights.values()), dtype=np.float32).reshape(len(weights), len(classes))
        return cls(
            classes=classes,
            intercept=np.asarray(data["intercept"], dtype=np.float64),
            index={str(name): i for i, name in enumerate(weights)},
            coef=coef,
        )

    def probabilities(self, features: Features) -> dict[str, float]:
        known = [(self.index[name], value) for name, value in features.items() if name in self.index]
        logits = self.intercept.copy()
        if known:
            rows, values = zip(*known, strict=True)
            logits += np.asarray(values, dtype=np.float64) @ self.coef[list(rows)].astype(np.float64)
        exps = np.exp(logits - logits.max())
        probs = exps / exps.sum()
        return {c: float(p) for c, p in zip(self.classes, probs, strict=True)}

    def best(self, features: Features) -> str:
        probs = self.probabilities(features)
        return max(self.classes, key=lambda c: probs[c])


def fit_linear_model(rows: Sequence[Features], labels: Sequence[str], c: float, min_df: int) -> dict[str, Any]:
    """Fits a `LinearModel` and returns it as plain data (``classes``, ``intercept``, ``weights``). A character
    n-gram seen in fewer than ``min_df`` rows is dropped (other features are kept)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    df = Counter(name for row in rows for name in row)
    keep = {name for name, n in df.items() if n >= min_df or not name.startswith("c:")}
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([{k: v for k, v in row.items() if k in keep} for row in rows])
    clf = LogisticRegression(C=c, max_iter=5000)
    clf.fit(x, list(labels))
    names = vectorizer.get_feature_names_out()
    coef, intercept = clf.coef_, clf.intercept_
    if len(clf.classes_) == 2:  # scikit-learn keeps one row, the second class's logit; the first class's is 0
        coef = [[0.0] * coef.shape[1], list(coef[0])]
        intercept = [0.0, intercept[0]]
    return {
        "classes": [str(cl) for cl in clf.classes_],
        "intercept": [round(float(v), 5) for v in intercept],
        "weights": {str(n): [round(float(row[j]), 5) for row in coef] for j, n in enumerate(names)},
    }


def write_model_data(path: Path, data: Mapping[str, Any]) -> None:
    """Writes a fitted model's data as compact UTF-8 JSON (the file the model is later read from)."""
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
