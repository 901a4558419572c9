"""Quality of the webinar batch on the labelled webinar set (eval/webinaire_etiquete.csv, written from the
participants' side and frozen before tuning): pairwise precision, recall and F1 of the grouping, chatter kept
apart, malformed rows rejected — per split. The grouping parameters are calibrated on the dev split only:

    python -m channels.webinar.evaluation             figures on dev and test
    python -m channels.webinar.evaluation --calibrer  grid search on dev, writes data/grouping.yaml
    python -m channels.webinar.evaluation --apprendre  fits the learned pair model (pair_model.py) on the dev split
                                                      and the training files, writes data/pair_model.npz and
                                                      data/grouping.yaml (learned: true)
    python -m channels.webinar.evaluation --apprendre --C 0.003 0.01   the same, trying these values of C only
    python -m channels.webinar.evaluation --reajuster  refits the pair model with the C and threshold of
                                                      data/grouping.yaml, keeping their validation (after the
                                                      knowledge base or the training files change; one fit)
    python -m channels.webinar.evaluation --courbe     learning curve: F1 on each file left out, by number of
                                                      files learned from (no file written)
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sklearn.cluster import AgglomerativeClustering

from frenchtext import words

from .batch import split_chatter
from .grouping import (
    PARAMS_FILE,
    GroupingParams,
    Retrieval,
    anchor_signals,
    calibrated_params,
    combine_similarities,
    embed_questions,
    focus_pairs,
    group_indices,
    learned_similarity,
    lexical_similarity,
    metric_signals,
    pair_signals,
    profiles,
    representatives,
    retrieve,
)
from .metric import MetricSettings, learn_projection
from .pair_model import MODEL_FILE, Anchors, PairModel, fit_model, stored_model
from .reader import LabelledRow, read_labelled

EVAL_DIR = Path(__file__).resolve().parent / "eval"
LABELLED_SET = EVAL_DIR / "webinaire_etiquete.csv"
TRAINING_SET = EVAL_DIR / "paraphrases_entrainement.csv"  # the first other writer's


def _file_number(path: Path) -> int:
    """1 for paraphrases_entrainement.csv, n for paraphrases_entrainement_n.csv."""
    suffix = path.stem.removeprefix(TRAINING_SET.stem).lstrip("_")
    return int(suffix) if suffix.isdigit() else 1


# Every paraphrase training file (other writers; each is its own batch when learning), in the order written:
# training only. A file a writer adds is learned from at the next `--apprendre`.
TRAINING_SETS = tuple(sorted(EVAL_DIR.glob(f"{TRAINING_SET.stem}*.csv"), key=_file_number))
CHATTER_TYPES = {"chatter": None, "replay": "replay", "slides": "supports"}  # gold type -> expected kind


def _pairs(counts: Counter[Any]) -> int:
    return sum(c * (c - 1) // 2 for c in counts.values())


def _counts(gold: list[str], labels: list[int]) -> np.ndarray:
    """True pairs found, pairs predicted, gold pairs."""
    tp = _pairs(Counter(zip(gold, labels, strict=True)))
    return np.array([tp, _pairs(Counter(labels)), _pairs(Counter(gold))], dtype=np.float64)


def _f1(counts: np.ndarray) -> dict[str, float]:
    tp, predicted, true = (float(x) for x in counts)
    p = tp / predicted if predicted else 1.0
    r = tp / true if true else 1.0
    return {"precision": round(p, 3), "rappel": round(r, 3), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 3)}


def pairwise(gold: list[str], predicted: list[int]) -> dict[str, float]:
    """Pairwise precision/recall/F1: a pair is positive when both items are in the same group."""
    counts = _counts(gold, predicted)
    return {**_f1(counts), "paires_vraies": int(counts[2])}


@dataclass
class Prepared:
    rows: list[LabelledRow]  # the gold questions kept by the chatter filter, in order
    vectors: np.ndarray
    retrievals: list[Retrieval]


def prepare(rows: list[LabelledRow]) -> Prepared:
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


def chatter_scores(rows: list[LabelledRow]) -> dict[str, Any]:
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
    rows = read_labelled(LABELLED_SET, split)
    out = {"jeu": LABELLED_SET.name, "split": split, "lignes": len(rows)}
    out.update(grouping_scores(prepare(rows), params or calibrated_params()))
    out.update({k: v for k, v in chatter_scores(rows).items() if not k.startswith("_")})
    return out


@dataclass(frozen=True)
class Grid:
    """The calibration grid."""

    linkage: tuple[str, ...] = ("average", "complete")
    embedding_weight: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8)
    profile: tuple[tuple[int, float], ...] = ((10, 0.2), (10, 0.1), (5, 0.1))  # (profile_top, profile_temperature)
    lexical_weight: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3)
    focus_conflict: tuple[float, ...] = (0.0, 0.1, 0.2)
    focus_missing: tuple[float, ...] = (0.0, 0.05, 0.1)
    focus_shared: tuple[float, ...] = (0.0, 0.05, 0.1)
    threshold: tuple[float, ...] = tuple(round(float(t), 2) for t in np.arange(0.20, 0.81, 0.02))


GRID = Grid()


def _cuts(sim: np.ndarray, linkage: str, thresholds: tuple[float, ...]) -> list[np.ndarray]:
    """Labels of `cluster_labels(sim, …)` at each threshold, from one full tree: the merges of distance below
    ``1 − threshold`` (merge distances grow along the tree for average and complete linkage)."""
    n = len(sim)
    distance = np.clip(1.0 - sim, 0.0, None).astype(np.float64)
    np.fill_diagonal(distance, 0.0)
    tree = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage=linkage, distance_threshold=0.0, compute_full_tree=True
    ).fit(distance)
    out = []
    for threshold in thresholds:
        node = list(range(n))  # node id of each leaf's current cluster
        cluster: dict[int, list[int]] = {i: [i] for i in range(n)}
        for step, ((a, b), d) in enumerate(zip(tree.children_, tree.distances_, strict=True)):
            if d >= max(1e-6, 1.0 - threshold):
                break
            merged = cluster.pop(int(a)) + cluster.pop(int(b))
            cluster[n + step] = merged
            for leaf in merged:
                node[leaf] = n + step
        out.append(np.asarray(node))
    return out


def calibrate(prepared: Prepared, grid: Grid = GRID) -> tuple[GroupingParams, dict[str, float]]:
    """Grid search (`Grid`) on the dev split: the parameters of best pairwise F1 (the first met on ties). The pair
    signals are computed once, and one clustering tree per similarity matrix and linkage gives every threshold;
    the best point is scored again through `group_indices`."""
    queries = [r.question.query for r in prepared.rows]
    gold = [r.groupe for r in prepared.rows]
    rep_of, reps = representatives(queries)
    position = {r: j for j, r in enumerate(reps)}
    texts, vectors = [queries[i] for i in reps], prepared.vectors[reps]
    retrievals = [prepared.retrievals[i] for i in reps]
    embedding, lexical, focus = vectors @ vectors.T, lexical_similarity(texts), focus_pairs(texts)
    best: tuple[float, GroupingParams] | None = None
    for top, temperature in grid.profile:
        p = profiles(retrievals, GroupingParams(profile_top=top, profile_temperature=temperature))
        profile = p @ p.T
        for w, a, conflict, missing, shared in itertools.product(
            grid.embedding_weight,
            grid.lexical_weight,
            grid.focus_conflict,
            grid.focus_missing,
            grid.focus_shared,
        ):
            weights = GroupingParams(0.0, w, top, temperature, "average", a, conflict, missing, shared)
            sim = combine_similarities(embedding, profile, lexical, focus, weights)
            for linkage in grid.linkage:
                for threshold, labels in zip(grid.threshold, _cuts(sim, linkage, grid.threshold), strict=True):
                    f1 = pairwise(gold, [int(labels[position[r]]) for r in rep_of])["f1"]
                    if best is None or f1 > best[0]:
                        best = (f1, replace(weights, threshold=threshold, linkage=linkage))
    assert best is not None
    return best[1], grouping_scores(prepared, best[1])


# --- the learned pair model ----------------------------------------------------------------------------------

LEARN_C = (1e-3, 3e-3, 1e-2)  # inverse L2 strengths tried (standardised features)
LEARN_PROFILE = (10, 0.2)  # profile_top, profile_temperature of the learned model's profile signal
LEARN_ANCHOR_TEMPERATURE = 0.05  # softmax temperature of the assignment to the labelled groups (pair_model.Anchors)
LEARN_THRESHOLDS = tuple(round(float(t), 3) for t in np.arange(0.05, 0.96, 0.025))
LEARN_SEEDS = (0, 1, 2, 3, 4)  # repeated two-fold splits by gold group
LEARN_METRIC: MetricSettings | None = MetricSettings()  # default of `Learning.metric`
LEARN_ANCHOR_METRIC = True  # default of `Learning.anchor_metric`
LEARN_METRIC_FOLDS = 3  # folds of batches for the metric signal of the batches a pair model learns from


@dataclass(eq=False)
class Batch:
    """One labelled file's questions (identical wordings once): pairs are formed inside a batch only. Its pair
    signals, and its anchor signals from each set of other batches, are computed once and kept: leaving one file
    out, the values of C and the final fit ask for the same matrices again and again. They depend on the batch
    and on module constants only (LEARN_PROFILE, LEARN_ANCHOR_TEMPERATURE), never on a `Learning`'s settings."""

    texts: list[str]
    gold: list[str]
    vectors: np.ndarray
    retrievals: list[Retrieval]
    _signals: dict[str, np.ndarray] | None = field(default=None, init=False, repr=False)
    # ids of the anchor batches -> (those batches, kept so that their ids stay theirs; the signals)
    _anchored: dict[tuple[int, ...], tuple[list[Batch], dict[str, np.ndarray]]] = field(
        default_factory=dict, init=False, repr=False
    )

    def subset(self, idx: np.ndarray) -> Batch:
        return Batch(
            [self.texts[i] for i in idx],
            [self.gold[i] for i in idx],
            self.vectors[idx],
            [self.retrievals[i] for i in idx],
        )

    def signals(self) -> dict[str, np.ndarray]:
        """The pair signals (`grouping.pair_signals`), computed once."""
        if self._signals is None:
            self._signals = pair_signals(self.texts, self.vectors, self.retrievals, *LEARN_PROFILE)
        return self._signals

    def anchored_signals(self, anchor_batches: list[Batch]) -> dict[str, np.ndarray]:
        """The pair signals and the anchor signals of this batch's questions assigned to the labelled groups of
        `anchor_batches` (`grouping.anchor_signals`), computed once per list of anchor batches; without anchor
        batches, the pair signals alone."""
        if not anchor_batches:
            return self.signals()
        ids = tuple(id(b) for b in anchor_batches)
        if ids not in self._anchored:
            anchored = anchor_signals(self.texts, self.vectors, _anchors(anchor_batches))
            self._anchored[ids] = (list(anchor_batches), {**self.signals(), **anchored})
        return self._anchored[ids][1]


def learning_batch(prepared: Prepared) -> Batch:
    queries = [r.question.query for r in prepared.rows]
    _, reps = representatives(queries)
    return Batch(
        [queries[i] for i in reps],
        [prepared.rows[i].groupe for i in reps],
        prepared.vectors[reps],
        [prepared.retrievals[i] for i in reps],
    )


def _anchors(batches: list[Batch]) -> Anchors:
    return Anchors.from_labelled([(b.texts, b.vectors, b.gold) for b in batches], LEARN_ANCHOR_TEMPERATURE)


@dataclass(eq=False)
class Learning:
    """One learning's settings and the learned metric's projections it learns, once per list of batches: owned by
    the caller (`main` makes one per run) and passed explicitly, so that two learnings in one process share no
    state. `leave_one_file_out` for several values of C and the final fit reuse the same projections when they
    are given the same `Learning` and the same batches."""

    metric: MetricSettings | None = LEARN_METRIC  # the learned metric's signal (metric.py); None: without
    anchor_metric: bool = LEARN_ANCHOR_METRIC  # with `metric`, the anchors' assignment in the metric too
    # ids of the batches a projection was learned on -> (those batches, kept so that their ids stay theirs; W)
    _projections: dict[tuple[int, ...], tuple[list[Batch], np.ndarray]] = field(
        default_factory=dict, init=False, repr=False
    )

    def projection(self, batches: list[Batch]) -> np.ndarray | None:
        """The learned metric's projection (metric.py) on these batches, learned once per list; None without
        `metric`."""
        if self.metric is None:
            return None
        ids = tuple(id(b) for b in batches)
        if ids not in self._projections:
            learned = learn_projection([(b.vectors, b.gold) for b in batches], self.metric)
            self._projections[ids] = (list(batches), learned)
        return self._projections[ids][1]

    def signals(self, batch: Batch, anchor_batches: list[Batch], metric_batches: list[Batch]) -> dict[str, np.ndarray]:
        """What a fit reads of `batch`: its `anchored_signals` from `anchor_batches` and, with `metric`, the learned
        metric's signals (`grouping.metric_signals`) in the projection learned on `metric_batches`."""
        signals = batch.anchored_signals(anchor_batches)
        projection = self.projection(metric_batches) if anchor_batches else None
        if projection is None:
            return signals
        anchors = _anchors(anchor_batches) if self.anchor_metric else None
        return {**signals, **metric_signals(batch.vectors, projection, anchors)}


def _metric_folds(batches: list[Batch]) -> list[list[Batch]]:
    """For each batch, the batches whose learned metric gives its signal when fitting: those of the other
    LEARN_METRIC_FOLDS folds (batch n is in fold n mod LEARN_METRIC_FOLDS) — a projection per fold, not per batch."""
    folds = min(LEARN_METRIC_FOLDS, len(batches))
    return [[b for m, b in enumerate(batches) if m % folds != n % folds] for n in range(len(batches))]


def fit_batches(batches: list[Batch], c: float, learning: Learning | None = None) -> PairModel:
    """The pair model learned on the batches; with two batches or more it reads the anchor signals, each batch's
    computed from the OTHER batches' labelled questions (its own would give its groups away), and with the
    learned metric (`learning.metric`) its signals, each batch's from a metric learned on the other folds of
    batches. Without `learning`, a new `Learning` with the default settings."""
    learning = learning or Learning()
    if len(batches) < 2:
        return fit_model([(b.signals(), b.vectors, b.gold) for b in batches], c, *LEARN_PROFILE)
    rows = [
        (learning.signals(b, batches[:n] + batches[n + 1 :], metric), b.vectors, b.gold)
        for n, (b, metric) in enumerate(zip(batches, _metric_folds(batches), strict=True))
    ]
    projection = learning.projection(batches)
    return fit_model(rows, c, *LEARN_PROFILE, _anchors(batches), projection, learning.anchor_metric)


def threshold_counts(model: PairModel, learned_from: list[Batch], batch: Batch) -> np.ndarray:
    """Pair counts (`_counts`) of the clustering on the probabilities of `model` (fitted by `fit_batches` on
    `learned_from`) at each of LEARN_THRESHOLDS: the served similarity (`grouping.learned_similarity`), from the
    batch's signals computed once (the anchor signals of `learned_from`'s questions, the model's anchors)."""
    signals = batch.anchored_signals(learned_from) if model.anchors is not None else batch.signals()
    cuts = _cuts(learned_similarity(model, batch.vectors, signals), "average", LEARN_THRESHOLDS)
    return np.array([_counts(batch.gold, [int(x) for x in labels]) for labels in cuts])


def _halves(batch: Batch, seed: int) -> list[np.ndarray]:
    groups = sorted(set(batch.gold))
    order = np.random.default_rng(seed).permutation(len(groups))
    half = {groups[g]: k % 2 for k, g in enumerate(order)}
    side = np.array([half[g] for g in batch.gold])
    return [np.flatnonzero(side == k) for k in (0, 1)]


def cross_validate(
    batches: list[Batch], c: float, seeds: tuple[int, ...] = LEARN_SEEDS, learning: Learning | None = None
) -> np.ndarray:
    """Repeated two-fold cross-validation by gold group inside each batch (pairs never cross folds): the pair
    counts of the held-out halves, pooled over the repetitions, per batch and threshold (batch × threshold × 3)."""
    learning = learning or Learning()
    total = np.zeros((len(batches), len(LEARN_THRESHOLDS), 3))
    for seed in seeds:
        halves = [[b.subset(h) for h in _halves(b, seed)] for b in batches]  # each half's signals once
        for k in (0, 1):
            learned_from = [h[1 - k] for h in halves]
            model = fit_batches(learned_from, c, learning)
            for n, h in enumerate(halves):
                total[n] += threshold_counts(model, learned_from, h[k])
    return total


def leave_one_file_out(batches: list[Batch], c: float, learning: Learning | None = None) -> np.ndarray:
    """Each batch (one writer's file) judged by the model learned on the others: pair counts per batch and
    threshold (batch × threshold × 3) — what a new writer's questions would get."""
    learning = learning or Learning()
    out = []
    for n, b in enumerate(batches):
        others = batches[:n] + batches[n + 1 :]
        out.append(threshold_counts(fit_batches(others, c, learning), others, b))
    return np.array(out)


def _best(counts: np.ndarray) -> dict[str, Any]:
    """The threshold of best mean F1 over the batches (each writer counts the same, whatever the size of their
    file) and each batch's figures there."""
    f1 = np.array([[_f1(x)["f1"] for x in batch] for batch in counts]).mean(axis=0)
    k = int(np.argmax(f1))
    return {
        "seuil": LEARN_THRESHOLDS[k],
        "f1_moyen": round(float(f1[k]), 3),
        **{f"lot_{n}": _f1(batch[k]) for n, batch in enumerate(counts)},
    }


def learn(
    batches: list[Batch],
    cs: tuple[float, ...] = LEARN_C,
    seeds: tuple[int, ...] = LEARN_SEEDS,
    learning: Learning | None = None,
) -> tuple[PairModel, float, dict[str, Any]]:
    """The regularisation and the threshold of best mean F1 with one file left out (`leave_one_file_out`), then
    the model fitted on every batch; the repeated two-fold cross-validation by gold group (`cross_validate`) of
    that regularisation is reported beside."""
    learning = learning or Learning()
    tried = {str(c): _best(leave_one_file_out(batches, c, learning)) for c in cs}
    c = max(cs, key=lambda x: tried[str(x)]["f1_moyen"])  # the first on ties
    threshold = float(tried[str(c)]["seuil"])
    return (
        fit_batches(batches, c, learning),
        threshold,
        {
            "C": c,
            "seuil": threshold,
            "un_fichier_laisse_de_cote": tried[str(c)],
            "validation_croisee_deux_moities": _best(cross_validate(batches, c, seeds, learning)),
            "essais": tried,
        },
    )


def learning_curve(
    batches: list[Batch], c: float, threshold: float, learning: Learning | None = None
) -> dict[str, float]:
    """Mean F1 of each batch left out, at `threshold`, learned from every subset of k other batches, by k."""
    learning = learning or Learning()
    k_of = LEARN_THRESHOLDS.index(threshold)
    out: dict[str, list[float]] = {}
    for n, held in enumerate(batches):
        others = batches[:n] + batches[n + 1 :]
        for k in range(1, len(others) + 1):
            for subset in itertools.combinations(others, k):
                counts = threshold_counts(fit_batches(list(subset), c, learning), list(subset), held)[k_of]
                out.setdefault(f"{k}_fichiers", []).append(_f1(counts)["f1"])
    return {k: round(float(np.mean(v)), 3) for k, v in out.items()}


def training_batches(with_training_file: bool = True) -> list[Batch]:
    """The dev split of the labelled set and, when present, the training file (its own batch); never test."""
    batches = [learning_batch(prepare(read_labelled(LABELLED_SET, "dev")))]
    if with_training_file:
        # another writer sometimes types a short line exactly as the test split does: such a wording is left out
        held_out = {r.question.texte for r in read_labelled(LABELLED_SET, "test")}
        for path in TRAINING_SETS:
            if path.exists():
                rows = [r for r in read_labelled(path, "train") if r.question.texte not in held_out]
                batches.append(learning_batch(prepare(rows)))
    return batches


def main() -> None:
    parser = argparse.ArgumentParser(description="Qualité du regroupement des questions de webinaire.")
    parser.add_argument("--calibrer", action="store_true", help="calibre les paramètres sur le split dev")
    parser.add_argument(
        "--apprendre", action="store_true", help="apprend le modèle de paires (split dev + fichier d'entraînement)"
    )
    parser.add_argument("--C", type=float, nargs="+", help="avec --apprendre : les valeurs de C essayées")
    parser.add_argument(
        "--reajuster",
        action="store_true",
        help="réapprend le modèle de paires avec le C et le seuil de data/grouping.yaml (après un changement de la "
        "base de connaissances), sans refaire la validation",
    )
    parser.add_argument("--courbe", action="store_true", help="courbe d'apprentissage (un fichier laissé de côté)")
    args = parser.parse_args()
    learning = Learning()  # this run's projections, shared by its fits
    if args.courbe:
        c = float(yaml.safe_load(PARAMS_FILE.read_text(encoding="utf-8"))["apprentissage"]["C"])
        print(json.dumps(learning_curve(training_batches(), c, calibrated_params().threshold, learning)))
        return
    if args.apprendre or args.reajuster:
        batches = training_batches()
        if args.reajuster:  # the C and threshold already in data/grouping.yaml, kept with their validation
            stored = yaml.safe_load(PARAMS_FILE.read_text(encoding="utf-8"))
            report, threshold = stored["apprentissage"], float(stored["parametres"]["threshold"])
            model = fit_batches(batches, float(report["C"]), learning)
            report["reajuste"] = (
                f"{len(batches)} lots ; modèle réappris le {datetime.now(UTC):%d/%m/%Y à %H:%M} UTC par --reajuster "
                "avec le C et le seuil déjà dans ce fichier, non re-choisis (leur choix : les autres champs)"
            )
        else:
            model, threshold, report = learn(batches, tuple(args.C) if args.C else LEARN_C, learning=learning)
        model.save(MODEL_FILE)
        stored_model.cache_clear()
        hand = asdict(calibrated_params())  # the hand-weighted sum's fields stay, unused while `learned`
        data = {"parametres": {**hand, "threshold": threshold, "learned": True}, "apprentissage": report}
        header = PARAMS_FILE.read_text(encoding="utf-8").split("parametres:")[0]
        PARAMS_FILE.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        calibrated_params.cache_clear()
        print(json.dumps(data, ensure_ascii=False, indent=2))
        print(json.dumps(evaluate_grouping("dev"), ensure_ascii=False))  # in-sample: dev is in the training data
        return
    if args.calibrer:
        params, scores = calibrate(prepare(read_labelled(LABELLED_SET, "dev")))
        data = {"parametres": asdict(params), "dev": scores}
        header = PARAMS_FILE.read_text(encoding="utf-8").split("parametres:")[0]
        PARAMS_FILE.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        calibrated_params.cache_clear()
        print(json.dumps(data, ensure_ascii=False, indent=2))
    for split in ("dev", "test"):
        print(json.dumps(evaluate_grouping(split), ensure_ascii=False))
    dev = chatter_scores(read_labelled(LABELLED_SET, "dev"))
    print(json.dumps({k: dev[k] for k in ("_manquees", "_ecartees_a_tort")}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
