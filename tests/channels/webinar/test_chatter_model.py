"""The learned chatter model (data/chatter_model.json): it sets aside chat lines the rules miss, keeps real
questions, and is refitted from the training lines by `python -m channels.webinar.chatter_training`."""

from __future__ import annotations

import json

import pytest

from channels.webinar import chatter, chatter_training
from channels.webinar.chatter import ChatterModel, chatter_kind, chatter_model, chatter_rules

# Wordings the rules were not written for (they keep them as questions); the model sets them aside.
RULES_MISS = {
    "vous enregistrez ?": "replay",
    "PDF de la présentation ?": "supports",
    "l'image est floue": "technique",
    "c'est jusqu'à quelle heure ?": "deroulement",
}


def test_the_model_is_data_and_never_learns_the_test_split():
    data = json.loads(chatter.MODEL_FILE.read_text(encoding="utf-8"))
    assert set(data["classes"]) == set(chatter_training.TYPES)
    assert 0.5 <= data["threshold"] < 1
    test_lines = {text for text, _ in chatter_training.read_lines(chatter_training.LABELLED_SET, "test")}
    assert not test_lines & {text for text, _ in chatter_training.training_lines()}


@pytest.mark.parametrize("line,kind", sorted(RULES_MISS.items()))
def test_lines_the_rules_miss_are_set_aside_by_the_model(line, kind):
    assert chatter_rules().kind(line) is None
    assert chatter_kind(line) == kind


def test_without_the_model_the_rules_decide_alone(monkeypatch):
    chatter_model.cache_clear()
    monkeypatch.setattr(chatter, "MODEL_FILE", chatter.MODEL_FILE.with_name("absent.json"))
    try:
        assert chatter_model() is None
        assert all(chatter_kind(line) is None for line in RULES_MISS)
    finally:
        chatter_model.cache_clear()


def test_short_real_questions_are_kept():
    for line in ("et pour les kinés ?", "délai ?", "Merci ! Et pour un cabinet au 1er étage sans ascenseur ?"):
        assert chatter_kind(line) is None


def test_refit_on_a_slice_reads_back_and_separates_its_lines():
    lines = chatter_training.read_lines(chatter_training.CHATTER_SET)[:120]
    model = ChatterModel.from_data(chatter_training.fit(lines, {"min_df": 1}))
    rules = chatter_rules()
    fitted = sum((model.kind(text, rules) is not None) == (gold != "question") for text, gold in lines)
    assert fitted >= 0.9 * len(lines)


def test_labelled_dev_split_loses_no_real_question():
    figures = chatter_training.score(chatter_training.read_lines(chatter_training.LABELLED_SET, "dev"), chatter_model())
    assert figures["vraies_questions_ecartees_a_tort"].startswith("0/")
    caught, total = figures["logistique_ecartee"].split("/")
    assert int(caught) == int(total)
