"""A learned pair similarity for the webinar grouping: the probability that two questions ask the same thing.

A logistic regression over, for each pair of questions,
- the scalar signals of `grouping.py` (embedding, retrieval-profile and character n-gram cosines, shared,
  conflicting and missing focus);
- the element-wise product ``u * v`` of the two questions' sentence embeddings (512 values): which directions of
  the embedding space matter for « same question », not only their unweighted sum (the cosine);
- the « anchor » signals (`Anchors`): each question is softly assigned to the gold groups of the labelled training
  questions (other writers), ``p(g | q) ∝ Σ_{x ∈ g} exp(cos(q, x) / t)``, once with the embeddings' cosines and
  once with the character n-grams' (`grouping.lexical_similarity`), and two questions score the probability that
  they land in the same group. Two paraphrases that share no word and no close embedding are often each close to
  a different wording of the same labelled question: what « same question » means is carried over from the
  writers of the training files. When fitting, each file's questions are assigned to the groups of the OTHER
  files only (their own group would give the answer away, `evaluation.fit_batches`); served, to every group.
- with the learned metric (`metric.py`), the same assignment in its space (`Anchors.metric_signal`, signal
  ``anchor_metric``: questions and anchors both projected by ``W``), and the metric's cosine itself (``metric``).

Served with numpy only, on every pair at once: the score is
``b + Σ c_s · S_s + U · diag(w) · Uᵀ`` (one matrix product for the interaction part, a few for the anchors), then
a sigmoid. The fitted parameters are data (`data/pair_model.npz`, plain arrays, no pickle; the anchors are the
training questions' wordings, their embeddings in float16 and their group numbers), refitted by
``python -m channels.webinar.evaluation --apprendre`` on labelled pairs (never the test split); a change of the
embedding model needs a refit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .metric import project

MODEL_FILE = Path(__file__).resolve().parent / "data" / "pair_model.npz"
SIGNALS = ("embedding", "profile", "lexical", "focus_shared", "focus_conflict", "focus_missing")  # grouping.py's
ANCHOR_SIGNALS = ("anchor", "anchor_lexical")  # from `Anchors.signals`: embeddings, character n-grams
METRIC_SIGNAL = "metric"  # cosine in the learned metric (`metric.metric_similarity` with `PairModel.projection`)
ANCHOR_METRIC_SIGNAL = "anchor_metric"  # `Anchors.metric_signal`: the anchors' assignment in the learned metric


def _same_group(cos: np.ndarray, members: np.ndarray, temperature: float) -> np.ndarray:
    """From the cosines of n questions to m anchors and the anchors' one-hot groups (m × G): the probability that
    two questions are assigned to the same group, each softly (softmax of its cosines, summed per group)."""
    weight = np.exp((cos - cos.max(axis=1, keepdims=True)) / temperature)
    assignment = weight @ members
    assignment /= assignment.sum(axis=1, keepdims=True)
    return np.asarray(assignment @ assignment.T, dtype=np.float32)


@dataclass(frozen=True)
class Anchors:
    """Labelled questions of the training files: their wordings, embeddings and gold group numbers."""

    texts: tuple[str, ...]
    vectors: np.ndarray  # m × d, L2-normalised, float16 precision (as stored)
    groups: np.ndarray  # m group numbers, 0 … n_groups − 1
    temperature: float

    @classmethod
    def from_labelled(
        cls, labelled: Sequence[tuple[Sequence[str], np.ndarray, Sequence[str]]], temperature: float
    ) -> Anchors:
        """From (wordings, embeddings, gold groups) of several files; a group name is only the same group inside
        its own file."""
        names = [f"{n}:{g}" for n, (_, _, gold) in enumerate(labelled) for g in gold]
        number = {name: k for k, name in enumerate(dict.fromkeys(names))}
        vectors = np.vstack([v for _, v, _ in labelled]).astype(np.float16).astype(np.float32)
        texts = tuple(t for texts, _, _ in labelled for t in texts)
        return cls(texts, vectors, np.array([number[name] for name in names], dtype=np.int32), temperature)

    def members(self) -> np.ndarray:
        """The anchors' groups one-hot (m × number of groups)."""
        members = np.zeros((len(self.groups), int(self.groups.max()) + 1), dtype=np.float32)
        members[np.arange(len(self.groups)), self.groups] = 1.0
        return members

    def signals(self, vectors: np.ndarray, lexical: np.ndarray) -> dict[str, np.ndarray]:
        """The ANCHOR_SIGNALS of every pair of questions, from their embeddings and the cosines of their character
        n-grams to the anchors' (n × m, `grouping.lexical_similarity(texts, self.texts)`)."""
        members = self.members()
        cos = np.asarray(vectors, dtype=np.float32) @ self.vectors.T
        return {
            "anchor": _same_group(cos, members, self.temperature),
            "anchor_lexical": _same_group(np.asarray(lexical, dtype=np.float32), members, self.temperature),
        }

    def metric_signal(self, vectors: np.ndarray, projection: np.ndarray) -> np.ndarray:
        """ANCHOR_METRIC_SIGNAL: the same soft assignment as the ``anchor`` signal, with the cosines of the
        questions and the anchors both projected by the learned metric's `projection` (`metric.project`)."""
        members = self.members()
        return _same_group(
            project(vectors, projection) @ project(self.vectors, projection).T, members, self.temperature
        )


@dataclass(frozen=True)
class PairModel:
    signals: tuple[str, ...]  # names of the scalar pair signals, in the order of `weights`
    weights: np.ndarray  # one weight per scalar signal
    interaction: np.ndarray  # diagonal weights of the bilinear form on the embeddings (u · diag(w) · v)
    intercept: float
    profile_top: int
    profile_temperature: float
    anchors: Anchors | None = None  # when set, the signals end with ANCHOR_SIGNALS (`Anchors.signals`)
    projection: np.ndarray | None = None  # d × k; when set, the last signal is METRIC_SIGNAL

    def probabilities(self, signals: dict[str, np.ndarray], vectors: np.ndarray) -> np.ndarray:
        """Pairwise probabilities of « same question » from the signal matrices (`self.signals`) and the
        embeddings."""
        score = (vectors * self.interaction) @ vectors.T + self.intercept
        for name, weight in zip(self.signals, self.weights, strict=True):
            score = score + weight * signals[name]
        return np.asarray(1.0 / (1.0 + np.exp(-score)), dtype=np.float32)

    def save(self, path: Path = MODEL_FILE) -> None:
        arrays: dict[str, Any] = {
            "signals": np.array(self.signals),
            "weights": self.weights.astype(np.float64),
            "interaction": self.interaction.astype(np.float64),
            "intercept": np.float64(self.intercept),
            "profile": np.array([self.profile_top, self.profile_temperature], dtype=np.float64),
        }
        if self.anchors is not None:
            arrays["anchor_texts"] = np.array(self.anchors.texts, dtype=str)
            arrays["anchor_vectors"] = self.anchors.vectors.astype(np.float16)
            arrays["anchor_groups"] = self.anchors.groups.astype(np.int32)
            arrays["anchor_temperature"] = np.float64(self.anchors.temperature)
        if self.projection is not None:
            arrays["projection"] = self.projection.astype(np.float32)
        np.savez(path, **arrays)


def load_model(path: Path = MODEL_FILE) -> PairModel:
    with np.load(path, allow_pickle=False) as data:
        anchors = None
        if "anchor_vectors" in data:
            anchors = Anchors(
                tuple(str(t) for t in data["anchor_texts"]),
                np.asarray(data["anchor_vectors"], dtype=np.float32),
                np.asarray(data["anchor_groups"], dtype=np.int32),
                float(data["anchor_temperature"]),
            )
        return PairModel(
            tuple(str(s) for s in data["signals"]),
            np.asarray(data["weights"], dtype=np.float32),
            np.asarray(data["interaction"], dtype=np.float32),
            float(data["intercept"]),
            int(data["profile"][0]),
            float(data["profile"][1]),
            anchors,
            np.asarray(data["projection"], dtype=np.float32) if "projection" in data else None,
        )


@lru_cache(maxsize=1)
def stored_model() -> PairModel:
    """The fitted model of data/pair_model.npz."""
    return load_model()


def pair_features(signals: dict[str, np.ndarray], vectors: np.ndarray, names: Sequence[str] = SIGNALS) -> np.ndarray:
    """One row per pair i < j: the scalar signals `names` then ``u_i * u_j`` (the training view of
    `PairModel`)."""
    i, j = np.triu_indices(len(vectors), 1)
    scalars = np.stack([signals[n][i, j] for n in names], axis=1)
    return np.hstack([scalars, vectors[i] * vectors[j]]).astype(np.float64)


def fit_model(
    batches: Sequence[tuple[dict[str, np.ndarray], np.ndarray, Sequence[str]]],
    c: float,
    profile_top: int,
    profile_temperature: float,
    anchors: Anchors | None = None,
    projection: np.ndarray | None = None,
    anchor_metric: bool = False,
) -> PairModel:
    """Logistic regression (L2, strength ``1/c`` on standardised features) on the pairs inside each batch
    (signal matrices, embeddings, gold groups); pairs never cross batches. The standardisation is folded into
    the weights so that serving needs no scaler. With `anchors` (kept by the model for serving), every batch's
    signals must hold the ANCHOR_SIGNALS too — computed by the caller from anchors that leave that batch out; with
    `projection` (`metric.learn_projection`, kept for serving), METRIC_SIGNAL too — from a projection learned
    without that batch; with `anchor_metric` too (both set), ANCHOR_METRIC_SIGNAL, from those same anchors and
    projection."""
    from sklearn.linear_model import LogisticRegression

    names = (*SIGNALS, *ANCHOR_SIGNALS) if anchors is not None else SIGNALS
    if anchor_metric and anchors is not None and projection is not None:
        names = (*names, ANCHOR_METRIC_SIGNAL)
    if projection is not None:
        names = (*names, METRIC_SIGNAL)
    sizes = [len(vectors) * (len(vectors) - 1) // 2 for _, vectors, _ in batches]
    x = np.empty((sum(sizes), len(names) + batches[0][1].shape[1]), dtype=np.float64)  # filled in place: the
    y = np.empty(sum(sizes), dtype=np.int64)  # pairs of ten files take gigabytes
    start = 0
    for (signals, vectors, gold), size in zip(batches, sizes, strict=True):
        x[start : start + size] = pair_features(signals, vectors, names)
        g = np.asarray(gold)
        i, j = np.triu_indices(len(g), 1)
        y[start : start + size] = g[i] == g[j]
        start += size
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    x -= mean
    x /= scale
    model = LogisticRegression(C=c, max_iter=5000).fit(x, y)
    coef = model.coef_[0] / scale
    k = len(names)
    intercept = float(model.intercept_[0] - (coef * mean).sum())
    return PairModel(names, coef[:k], coef[k:], intercept, profile_top, profile_temperature, anchors, projection)
