"""Quality of the webinar batch on the labelled webinar set (eval/webinaire_etiquete.csv, written from the
participants' side and frozen before tuning): pairwise precision, recall and F1 of the grouping, chatter kept
apart, malformed rows rejected — per split. The grouping parameters are calibrated on the dev split only:

    python -m channels.webinar.evaluation             figures on dev and test
    python -m channels.webinar.evaluation --calibrer  grid search on dev, writes data/grouping.yaml
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from frenchtext import words

from .batch import split_chatter
from .grouping import (
    PARAMS_FILE,
    GroupingParams,
    Retrieval,
    calibrated_params,
    embed_questions,
    group_indices,
    retrieve,
)
from .models import Question
from .reader import make_question

LABELLED_SET = Path(__file__).resolve().parent / "eval" / "webinaire_etiquete.csv"
CHATTER_TYPES = {"chatter": None, "replay": "replay", "slides": "supports"}  # gold type -> expected kind


@dataclass
class Row:
    id: str
    question: Question
    groupe: str
    type: str
    split: str


def load_rows(split: str | None = None, path: Path = LABELLED_SET) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = [
            Row(
                r["id"],
                make_question(int(r["id"]), r["question"], r["auteur"], r["email"]),
                r["groupe"],
                r["type"],
                r["split"],
            )
            for r in csv.DictReader(f)
        ]
    return [r for r in rows if split is None or r.split == split]


def pairwise(gold: list[str], predicted: list[int]) -> dict[str, float]:
    """Pairwise precision/recall/F1: a pair is positive when both items are in the same group."""
    tp = fp = fn = 0
    for a, b in itertools.combinations(range(len(gold)), 2):
        same_gold, same_pred = gold[a] == gold[b], predicted[a] == predicted[b]
        tp += same_gold and same_pred
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "rappel": round(r, 3), "f1": round(f1, 3), "paires_vraies": tp + fn}


@dataclass
class Prepared:
    rows: list[Row]  # the gold questions kept by the chatter filter, in order
    vectors: np.ndarray
    retrievals: list[Retrieval]


def prepare(rows: list[Row]) -> Prepared:
    """Embeddings and retrievals of the gold questions (once, for calibration)."""
    questions = [r for r in rows if r.type == "question"]
    queries = [r.question.query for r in questions]
    vectors = embed_questions(queries)
    return Prepared(questions, vectors, retrieve(queries))


def grouping_scores(prepared: Prepared, params: GroupingParams) -> dict[str, float]:
    queries = [r.question.query for r in prepared.rows]
    groups = group_indices(queries, prepared.vectors, prepared.retrievals, params)
    label = np.empty(len(queries), dtype=np.int64)
    for g, members in enumerate(groups):
        label[members] = g
    scores = pairwise([r.groupe for r in prepared.rows], label.tolist())
    scores["groupes_predits"] = len(groups)
    scores["groupes_attendus"] = len({r.groupe for r in prepared.rows})
    return scores


def chatter_scores(rows: list[Row]) -> dict[str, Any]:
    """Chatter lines set aside (and the right kind for replay/slides), real questions kept, malformed rejected."""
    kept = [r for r in rows if r.type != "malformed"]
    real, chatter = split_chatter([r.question for r in kept])
    kind_of = {id(c.question): c.kind for c in chatter}
    gold_chatter = [r for r in kept if r.type in CHATTER_TYPES]
    questions = [r for r in kept if r.type == "question"]
    caught = [r for r in gold_chatter if id(r.question) in kind_of]
    right_kind = [
        r for r in gold_chatter if CHATTER_TYPES[r.type] and kind_of.get(id(r.question)) == CHATTER_TYPES[r.type]
    ]
    lost = [r for r in questions if id(r.question) in kind_of]
    malformed = [r for r in rows if r.type == "malformed"]
    rejected = [r for r in malformed if not words(r.question.texte) and not r.question.texte.strip(" ,.?!")]
    return {
        "logistique_ecartee": f"{len(caught)}/{len(gold_chatter)}",
        "replay_supports_bien_comptes": f"{len(right_kind)}/{sum(1 for r in gold_chatter if CHATTER_TYPES[r.type])}",
        "vraies_questions_ecartees_a_tort": f"{len(lost)}/{len(questions)}",
        "lignes_mal_formees_rejetees": f"{len(rejected)}/{len(malformed)}",
        "_manquees": [r.question.texte for r in gold_chatter if id(r.question) not in kind_of],
        "_ecartees_a_tort": [r.question.texte for r in lost],
    }


def evaluate_grouping(split: str = "test", params: GroupingParams | None = None) -> dict[str, Any]:
    """Figures of one split: pairwise grouping quality (gold questions) and chatter handling."""
    rows = load_rows(split)
    out = {"jeu": LABELLED_SET.name, "split": split, "lignes": len(rows)}
    out.update(grouping_scores(prepare(rows), params or calibrated_params()))
    out.update({k: v for k, v in chatter_scores(rows).items() if not k.startswith("_")})
    return out


def calibrate(prepared: Prepared) -> tuple[GroupingParams, dict[str, float]]:
    """Grid search on the dev split: the parameters of best pairwise F1."""
    best: tuple[float, GroupingParams, dict[str, float]] | None = None
    for linkage in ("average", "complete"):
        for weight in (0.5, 0.6, 0.7, 0.8, 1.0):
            for top, temperature in ((5, 0.1), (10, 0.1), (20, 0.1), (10, 0.05), (10, 0.2)):
                for threshold in np.arange(0.30, 0.91, 0.02):
                    params = GroupingParams(round(float(threshold), 2), weight, top, temperature, linkage)
                    scores = grouping_scores(prepared, params)
                    if best is None or scores["f1"] > best[0]:
                        best = (scores["f1"], params, scores)
    assert best is not None
    return best[1], best[2]


def main() -> None:
    parser = argparse.ArgumentParser(description="Qualité du regroupement des questions de webinaire.")
    parser.add_argument("--calibrer", action="store_true", help="calibre les paramètres sur le split dev")
    args = parser.parse_args()
    if args.calibrer:
        params, scores = calibrate(prepare(load_rows("dev")))
        data = {"parametres": asdict(params), "dev": scores}
        header = PARAMS_FILE.read_text(encoding="utf-8").split("parametres:")[0]
        PARAMS_FILE.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        calibrated_params.cache_clear()
        print(json.dumps(data, ensure_ascii=False, indent=2))
    for split in ("dev", "test"):
        print(json.dumps(evaluate_grouping(split), ensure_ascii=False))
    dev = chatter_scores(load_rows("dev"))
    print(json.dumps({k: dev[k] for k in ("_manquees", "_ecartees_a_tort")}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
