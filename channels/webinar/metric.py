"""A learned metric on the sentence embeddings: a low-rank projection ``W`` (d × k) such that the cosine of
``Wᵀu`` and ``Wᵀv`` is high for two wordings of the same question and low for different questions of the same
file (the writers' « sibling » questions on the same subject are the hard negatives).

The cosine of the raw embeddings weighs every direction of USE's space alike, and the pair model's diagonal
interaction ``u · diag(c) · v`` only reweights its axes; a projection also rotates and mixes them. ``W`` starts
from the top-k principal axes of the training embeddings (the plain cosine restricted to them) and is trained
with a supervised contrastive loss inside each labelled file (for each question, the softmax of its projected
cosines to the other questions of its file, at temperature `temperature`, should put its mass on the other
wordings of its group), a fixed number of full-batch Adam steps, and an L2 pull back to the starting axes.

Learned with torch (training only, imported lazily); served with numpy: one matrix product and a normalisation.
Its cosine is one more scalar signal of the pair model (`pair_model.METRIC_SIGNAL`); like the anchors, each
training file's value comes from a projection learned WITHOUT that file (`evaluation.Learning.signals`),
so the pair model weighs the signal as it behaves on a new writer, not on the pairs it memorised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MetricSettings:
    rank: int = 64  # k, the projected dimension
    temperature: float = 0.1  # of the contrastive softmax
    steps: int = 50  # full-batch Adam steps (150 at 0.01: 0.701 vs 0.697 on four unseen writers, 3 × slower)
    learning_rate: float = 0.03
    pull: float = 0.01  # L2 strength pulling W back to the principal axes it started from


def project(vectors: np.ndarray, projection: np.ndarray) -> np.ndarray:
    """The L2-normalised projections ``Wᵀu`` of the rows of `vectors` (n × d) by `projection` (d × k)."""
    z = np.asarray(vectors, dtype=np.float32) @ np.asarray(projection, dtype=np.float32)
    return z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)


def metric_similarity(vectors: np.ndarray, projection: np.ndarray) -> np.ndarray:
    """Cosine of every pair of questions in the learned metric (n × n)."""
    z = project(vectors, projection)
    return np.asarray(z @ z.T, dtype=np.float32)


def principal_axes(vectors: np.ndarray, rank: int) -> np.ndarray:
    """The top `rank` right singular vectors of the (uncentred) embeddings, d × rank."""
    _, _, vt = np.linalg.svd(np.asarray(vectors, dtype=np.float64), full_matrices=False)
    return np.asarray(vt[:rank].T, dtype=np.float32)


def learn_projection(
    labelled: Sequence[tuple[np.ndarray, Sequence[str]]], settings: MetricSettings = MetricSettings()
) -> np.ndarray:
    """The projection W (d × k) learned on labelled files (embeddings, gold groups); pairs and negatives never
    cross files (a group name is only the same group inside its own file). Deterministic: no random start."""
    import torch

    start = principal_axes(np.vstack([v for v, _ in labelled]), settings.rank)
    size, dim = max(len(v) for v, _ in labelled), start.shape[0]
    x = np.zeros((len(labelled), size, dim), dtype=np.float32)  # the files, padded to one size: one product
    same = np.zeros((len(labelled), size, size), dtype=bool)  # per step for all of them
    real = np.zeros((len(labelled), size), dtype=bool)
    for f, (vectors, gold) in enumerate(labelled):
        n = len(vectors)
        x[f, :n] = vectors
        g = np.asarray(gold)
        same[f, :n, :n] = np.equal.outer(g, g)
        real[f, :n] = True
    same[:, np.arange(size), np.arange(size)] = False
    keep = torch.from_numpy(same.any(axis=2))  # questions with another wording of their group in their file
    other = torch.from_numpy(real[:, None, :] & ~np.eye(size, dtype=bool)[None])  # a question is not its own
    xt, same_t = torch.from_numpy(x), torch.from_numpy(same)  # neighbour, nor a padding row
    w0 = torch.from_numpy(start)
    w = w0.clone().requires_grad_(True)
    optimiser = torch.optim.Adam([w], lr=settings.learning_rate)
    count = float(keep.sum())
    for _ in range(settings.steps):
        optimiser.zero_grad()
        z = torch.nn.functional.normalize(xt @ w, dim=2)
        logits = (z @ z.transpose(1, 2)) / settings.temperature
        log_all = torch.logsumexp(logits.masked_fill(~other, -1e9), dim=2)
        log_same = torch.logsumexp(logits.masked_fill(~same_t, -1e9), dim=2)
        loss = (log_all - log_same)[keep].sum() / count + settings.pull * ((w - w0) ** 2).sum()
        loss.backward()
        optimiser.step()
    return np.asarray(w.detach().numpy(), dtype=np.float32)
