"""Linear text classifiers kept as data (frenchtext.linear): features, fitting, and applying without scikit-learn."""

from __future__ import annotations

import math

import pytest

from frenchtext import words
from frenchtext.linear import LinearModel, char_ngrams, fit_linear_model


def test_char_ngrams_are_unit_length_and_weighted():
    feats = char_ngrams([(["bail"], 1.0)], (3, 3))
    assert set(feats) == {"c: ba", "c:bai", "c:ail", "c:il "}
    assert math.isclose(sum(v * v for v in feats.values()), 1.0)
    weighted = char_ngrams([(["bail"], 1.0), (["local"], 3.0)], (3, 3))
    assert weighted["c:loc"] > weighted["c:bai"]  # the heavier group of words counts more


def _rows(texts):
    return [char_ngrams([(words(t), 1.0)], (3, 5)) for t in texts]


@pytest.mark.parametrize("labels", [["a", "b"], ["a", "b", "c"]])
def test_fitted_coefficients_give_back_the_classifier(labels):
    texts = {
        "a": ["merci beaucoup", "merci à tous", "bonjour à tous", "bonjour merci"],
        "b": ["quel bail choisir", "le bail commercial", "résilier le bail", "bail professionnel"],
        "c": ["rampe d'accès", "accès handicapé", "rampe amovible", "accès fauteuil"],
    }
    train = [(t, label) for label in labels for t in texts[label]]
    data = fit_linear_model(_rows([t for t, _ in train]), [lab for _, lab in train], c=10.0, min_df=1)
    model = LinearModel.from_data(data)
    assert model.classes == labels and model.coef.shape == (len(model.index), len(labels))
    assert [model.best(r) for r in _rows([t for t, _ in train])] == [lab for _, lab in train]
    probs = model.probabilities(_rows(["merci pour le bail"])[0])
    assert math.isclose(sum(probs.values()), 1.0)


def test_an_unknown_feature_is_ignored():
    model = LinearModel.from_data({"classes": ["x", "y"], "intercept": [0.0, 1.0], "weights": {"c:abc": [2.0, 0.0]}})
    assert model.best({"c:zzz": 1.0}) == "y"
    assert model.best({"c:abc": 1.0}) == "x"


def test_the_model_applies_its_stored_coefficients():
    data = {"classes": ["x", "y", "z"], "intercept": [0.1, 0.0, -0.2], "weights": {"c:a": [1.0, -1.0, 0.5]}}
    probs = LinearModel.from_data(data).probabilities({"c:a": 2.0, "c:b": 5.0})
    logits = [0.1 + 2.0, 0.0 - 2.0, -0.2 + 1.0]
    total = sum(math.exp(z) for z in logits)
    assert all(math.isclose(probs[c], math.exp(z) / total, rel_tol=1e-6) for c, z in zip("xyz", logits, strict=True))


def test_word_ngrams_pad_each_word_and_keep_repeats():
    from frenchtext.linear import word_ngrams

    assert word_ngrams(["bail", "bail"], (4, 4)) == [" bai", "bail", "ail ", " bai", "bail", "ail "]
    assert word_ngrams(["a"], (3, 5)) == [" a "]  # a gram longer than the padded word is not made
