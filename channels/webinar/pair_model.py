"""A learned pair similarity for the webinar grouping: the probability that two questions ask the same thing.

A logistic regression over, for each pair of questions,
- the scalar signals of `grouping.py` (embedding, retrieval-profile and character n-gram cosines, shared,
  conflicting and missing focus) and
- the element-wise product ``u * v`` of the two questions' sentence embeddings (512 values): which directions of
  the embedding space matter for « same question », not only their unweighted sum (the cosine).

Served with numpy only, on every pair at once: the score is
``b + Σ c_s · S_s + U · diag(w) · Uᵀ`` (one matrix product for the interaction part), then a sigmoid. The fitted
parameters are data (`data/pair_model.npz`, plain arrays, no pickle), refitted by
``python -m channels.webinar.evaluation --apprendre`` on labelled pairs (never the test split).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_FILE = Path(__file__).resolve().parent / "data" / "pair_model.npz"
SIGNALS = ("embedding", "profile", "lexical", "focus_shared", "focus_conflict", "focus_missing")


@dataclass(frozen=True)
class PairModel:
    signals: tuple[str, ...]  # names of the scalar pair signals, in the order of `weights`
    weights: np.ndarray  # one weight per scalar signal
    interaction: np.ndarray  # diagonal weights of the bilinear form on the embeddings (u · diag(w) · v)
    intercept: float
    profile_top: int
    profile_temperature: float

    def probabilities(self, signals: dict[str, np.ndarray], vectors: np.ndarray) -> np.ndarray:
        """Pairwise probabilities of « same question » from the signal matrices and the embeddings."""
        score = (vectors * self.interaction) @ vectors.T + self.intercept
        for name, weight in zip(self.signals, self.weights, strict=True):
            score = score + weight * signals[name]
        return np.asarray(1.0 / (1.0 + np.exp(-score)), dtype=np.float32)

    def save(self, path: Path = MODEL_FILE) -> None:
        np.savez(
            path,
            signals=np.array(self.signals),
            weights=self.weights.astype(np.float64),
            interaction=self.interaction.astype(np.float64),
            intercept=np.float64(self.intercept),
            profile=np.array([self.profile_top, self.profile_temperature], dtype=np.float64),
        )


def load_model(path: Path = MODEL_FILE) -> PairModel:
    with np.load(path, allow_pickle=False) as data:
        return PairModel(
            tuple(str(s) for s in data["signals"]),
            np.asarray(data["weights"], dtype=np.float32),
            np.asarray(data["interaction"], dtype=np.float32),
            float(data["intercept"]),
            int(data["profile"][0]),
            float(data["profile"][1]),
        )


@lru_cache(maxsize=1)
def stored_model() -> PairModel:
    """The fitted model of data/pair_model.npz."""
    return load_model()


def pair_features(signals: dict[str, np.ndarray], vectors: np.ndarray) -> np.ndarray:
    """One row per pair i < j: the scalar signals (`SIGNALS`) then ``u_i * u_j`` (the training view of
    `PairModel`)."""
    i, j = np.triu_indices(len(vectors), 1)
    scalars = np.stack([signals[n][i, j] for n in SIGNALS], axis=1)
    return np.hstack([scalars, vectors[i] * vectors[j]]).astype(np.float64)


def fit_model(
    batches: Sequence[tuple[dict[str, np.ndarray], np.ndarray, Sequence[str]]],
    c: float,
    profile_top: int,
    profile_temperature: float,
) -> PairModel:
    """Logistic regression (L2, strength ``1/c`` on standardised features) on the pairs inside each batch
    (signal matrices, embeddings, gold groups); pairs never cross batches. The standardisation is folded into
    the weights so that serving needs no scaler."""
    from sklearn.linear_model import LogisticRegression

    xs, ys = [], []
    for signals, vectors, gold in batches:
        xs.append(pair_features(signals, vectors))
        g = np.asarray(gold)
        i, j = np.triu_indices(len(g), 1)
        ys.append((g[i] == g[j]).astype(np.int64))
    x, y = np.vstack(xs), np.concatenate(ys)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, y)
    coef = model.coef_[0] / scale
    k = len(SIGNALS)
    intercept = float(model.intercept_[0] - (coef * mean).sum())
    return PairModel(SIGNALS, coef[:k], coef[k:], intercept, profile_top, profile_temperature)
