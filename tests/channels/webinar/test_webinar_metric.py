"""The learned metric of the webinar grouping (channels/webinar/metric.py): a projection of the embeddings learned
on labelled files, whose cosine is a signal of the pair model."""

from __future__ import annotations

import numpy as np

import channels.webinar.grouping as grouping
from channels.webinar.grouping import Retrieval
from channels.webinar.metric import MetricSettings, learn_projection, metric_similarity, principal_axes
from channels.webinar.pair_model import METRIC_SIGNAL, SIGNALS, PairModel, load_model

SMALL = MetricSettings(rank=4, steps=80, learning_rate=0.05)


def _file(seed: int, groups: int = 8, per_group: int = 3, dim: int = 12):
    """Synthetic file: a group is a direction in the last 4 (low-variance) axes; the first 8 axes carry large
    noise shared by nothing, so the plain cosine (and the principal axes) mostly see the noise."""
    rng = np.random.default_rng(seed)
    centres = np.zeros((groups, dim))
    centres[:, 8:] = rng.normal(size=(groups, 4))
    x = np.repeat(centres, per_group, axis=0) + 0.05 * rng.normal(size=(groups * per_group, dim))
    x[:, :8] += 2.0 * rng.normal(size=(groups * per_group, 8))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32), [f"g{g}" for g in range(groups) for _ in range(per_group)]


def _separation(sim: np.ndarray, gold: list[str]) -> float:
    g = np.asarray(gold)
    i, j = np.triu_indices(len(g), 1)
    same = g[i] == g[j]
    return float(sim[i, j][same].mean() - sim[i, j][~same].mean())


def test_learned_projection_separates_the_groups_of_a_file_it_never_saw():
    w = learn_projection([_file(1), _file(2), _file(3)], SMALL)
    assert w.shape == (12, 4)
    x, gold = _file(4)
    start = principal_axes(np.vstack([_file(n)[0] for n in (1, 2, 3)]), 4)
    learned, before = _separation(metric_similarity(x, w), gold), _separation(metric_similarity(x, start), gold)
    assert learned > 0.5 and learned > before + 0.3
    np.testing.assert_array_equal(w, learn_projection([_file(1), _file(2), _file(3)], SMALL))  # deterministic


def test_the_served_similarity_reads_the_projection(tmp_path):
    """A model with a projection weighs METRIC_SIGNAL, saves and reads the projection back, and its probabilities
    change when the projection is zeroed (the component is not ignored)."""
    x, _ = _file(5)
    w = learn_projection([_file(1), _file(2)], SMALL)
    names = (*SIGNALS, METRIC_SIGNAL)
    model = PairModel(names, np.array([0.0] * len(SIGNALS) + [6.0]), np.zeros(12), -3.0, 10, 0.2, None, w)
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = load_model(path)
    assert loaded.signals == names and loaded.projection is not None
    np.testing.assert_array_equal(loaded.projection, w)
    texts = [f"question {n}" for n in range(len(x))]
    retrievals = [Retrieval(("s",), (1.0,))] * len(x)
    signals = grouping.model_signals(texts, x, retrievals, loaded)
    served = grouping.learned_similarity(loaded, x, signals)
    zeroed = PairModel(names, loaded.weights, loaded.interaction, -3.0, 10, 0.2, None, np.zeros_like(w))
    assert np.abs(served - grouping.learned_similarity(zeroed, x, signals)).max() > 0.3
