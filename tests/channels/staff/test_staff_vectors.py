"""The theme model's sentence vectors (multilingual-e5-small): computed once, cached, and really read."""

from __future__ import annotations

import numpy as np

from channels.staff import vectors
from channels.staff.classify import theme_model, theme_rules
from channels.staff.vectors import query_text, request_vectors

TEXTES = [
    "Bonjour, nous sommes trois kinés dans le 19e. Où trouver un local plus grand ?",
    "Je cherche quelqu'un pour partager mon cabinet de la rue de Belleville",
]


def test_vectors_are_a_passage_and_a_query_per_request_and_are_cached(tmp_path, monkeypatch):
    cache = tmp_path / "v.npz"
    first = request_vectors(TEXTES, cache)
    assert first.shape == (2, 768)
    assert np.allclose(np.linalg.norm(first[:, :384], axis=1), 1, atol=1e-3)
    assert not np.allclose(first[:, :384], first[:, 384:])  # the asking sentence, not the whole text

    def no_engine():
        raise AssertionError("read from the cache, not encoded again")

    monkeypatch.setattr(vectors, "_encoder", no_engine)
    assert np.array_equal(request_vectors(list(reversed(TEXTES)), cache), first[::-1])


def test_the_query_is_the_asking_sentences():
    assert query_text(TEXTES[0]) == "Où trouver un local plus grand ?"
    assert query_text(TEXTES[1]) == TEXTES[1]


def test_the_shipped_theme_model_reads_the_vectors():
    model = theme_model()
    assert model is not None and model.vector_weight > 0
    rules = theme_rules()
    features = model.features(TEXTES[1], rules)
    assert sum(name.startswith("e:") for name in features) == 768
    assert any(name.startswith("e:") for name in model.model.index)
    with_vectors = model.probabilities(TEXTES[1], rules)
    without = model.model.probabilities({k: v for k, v in features.items() if not k.startswith("e:")})
    assert max(abs(with_vectors[t] - without[t]) for t in with_vectors) > 0.01
