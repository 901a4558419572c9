"""Fits the chatter model (data/chatter_model.json) on chat lines written by people other than the rules' authors.

    python -m channels.webinar.chatter_training            refit and write data/chatter_model.json
    python -m channels.webinar.chatter_training --valider  figures on lines the model did not learn from

Training lines: the DEV split of the labelled webinar set, `eval/bavardage_entrainement.csv` (chatter, replay and
slides requests, and real questions that look like them, by another author) and the questions of
`eval/paraphrases_entrainement.csv` (a third author). Never the labelled set's test split.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

from frenchtext.linear import fit_linear_model, write_model_data

from .chatter import MODEL_FILE, QUESTION, ChatterModel, chatter_features, chatter_model, chatter_rules
from .reader import read_labelled

EVAL_DIR = Path(__file__).resolve().parent / "eval"
LABELLED_SET = EVAL_DIR / "webinaire_etiquete.csv"
CHATTER_SET = EVAL_DIR / "bavardage_entrainement.csv"
PARAPHRASE_SET = EVAL_DIR / "paraphrases_entrainement.csv"
TYPES = (QUESTION, "chatter", "replay", "slides")  # gold types the model learns; « malformed » rows are not lines
# Chosen by cross-validation on the chatter set (see `validate`): a line the rules keep is set aside from 0.7,
# where few real questions are lost (real questions that look like chatter are in that set on purpose).
SETTINGS: dict[str, Any] = {"C": 10.0, "min_df": 2, "ngrams": [3, 5], "threshold": 0.7}

Line = tuple[str, str]  # (text, gold type)


def read_lines(path: Path, split: str | None = None) -> list[Line]:
    """The lines of a labelled webinar file (`reader.read_labelled`) whose type the model learns."""
    return [(r.question.texte, r.type) for r in read_labelled(path, split) if r.type in TYPES]


def training_lines() -> list[Line]:
    """The training lines, less any wording that also appears in the labelled test split (short lines such as
    « le son coupe » are sometimes written alike by two authors)."""
    held_out = {text for text, _ in read_lines(LABELLED_SET, "test")}
    lines = read_lines(LABELLED_SET, "dev") + read_lines(CHATTER_SET) + read_lines(PARAPHRASE_SET)
    return [line for line in lines if line[0] not in held_out]


def fit(lines: list[Line], settings: dict[str, Any] | None = None) -> dict[str, Any]:
    cfg = {**SETTINGS, **(settings or {})}
    ngrams = (int(cfg["ngrams"][0]), int(cfg["ngrams"][1]))
    rows = [chatter_features(text, ngrams) for text, _ in lines]
    fitted = fit_linear_model(rows, [t for _, t in lines], float(cfg["C"]), int(cfg["min_df"]))
    return {
        "about": "Chatter model of the webinar batch: python -m channels.webinar.chatter_training (chatter.py).",
        "settings": cfg,
        "trained_on": dict(Counter(t for _, t in lines)),
        "ngrams": list(ngrams),
        "threshold": float(cfg["threshold"]),
        **fitted,
    }


def score(lines: list[Line], model: ChatterModel | None) -> dict[str, str]:
    """Non-question lines set aside, replay/slides requests with their kind, real questions lost (rules first,
    then the model when given)."""
    rules = chatter_rules()
    caught = lost = right_kind = counted = 0
    for text, gold in lines:
        kind = rules.kind(text)
        if kind is None and model is not None:
            kind = model.kind(text, rules)
        if gold == QUESTION:
            lost += kind is not None
            continue
        caught += kind is not None
        if gold in ("replay", "slides"):
            counted += 1
            right_kind += kind == {"replay": "replay", "slides": "supports"}[gold]
    non_questions = sum(gold != QUESTION for _, gold in lines)
    return {
        "logistique_ecartee": f"{caught}/{non_questions}",
        "replay_supports_bien_comptes": f"{right_kind}/{counted}",
        "vraies_questions_ecartees_a_tort": f"{lost}/{len(lines) - non_questions}",
    }


def validate(folds: int = 5) -> dict[str, Any]:
    """Rules alone and rules + model on lines the model did not learn from: the chatter set by cross-validation
    (its other folds, the labelled dev split and the paraphrase set for training), and the labelled dev split for
    a model trained without it."""
    chatter = read_lines(CHATTER_SET)
    random.Random(0).shuffle(chatter)
    others = read_lines(LABELLED_SET, "dev") + read_lines(PARAPHRASE_SET)
    totals: Counter[str] = Counter()
    for k in range(folds):
        held = chatter[k::folds]
        train = [line for i, line in enumerate(chatter) if i % folds != k] + others
        for key, value in score(held, ChatterModel.from_data(fit(train))).items():
            got, n = value.split("/")
            totals[key + ":got"] += int(got)
            totals[key + ":n"] += int(n)
    cv = {k: f"{totals[k + ':got']}/{totals[k + ':n']}" for k in score([], None)}
    dev = read_lines(LABELLED_SET, "dev")
    without_dev = ChatterModel.from_data(fit(chatter + read_lines(PARAPHRASE_SET)))
    return {
        "bavardage_regles_seules": score(chatter, None),
        "bavardage_validation_croisee": cv,
        "dev_regles_seules": score(dev, None),
        "dev_modele_appris_sans_dev": score(dev, without_dev),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Modèle du bavardage du webinaire : apprentissage et validation.")
    parser.add_argument("--valider", action="store_true", help="chiffres sur des lignes non apprises")
    args = parser.parse_args(argv)
    if args.valider:
        print(json.dumps(validate(), ensure_ascii=False, indent=2))
        return
    lines = training_lines()
    data = fit(lines)
    write_model_data(MODEL_FILE, data)
    chatter_model.cache_clear()
    print(f"{MODEL_FILE.name}: {len(data['weights'])} features, {len(lines)} lines")


if __name__ == "__main__":
    main()
