"""Webinar grouping signals with no model: question focus, character n-grams, the calibration's own shortcuts.

The wordings below are written for these tests, not taken from the labelled webinar set."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from channels.webinar.evaluation import _cuts, pairwise
from channels.webinar.grouping import (
    GroupingParams,
    Retrieval,
    asked,
    cluster_labels,
    group_indices,
    lexical_similarity,
    question_focus,
)

SAME_SECTION = Retrieval(("s",), (1.0,))


def _unit(*rows: list[float]) -> np.ndarray:
    v = np.array(rows, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize(
    ("text", "focus"),
    [
        ("Au bout de combien de temps reçoit-on le versement ?", {"delai"}),
        ("La prochaine session d'information, c'est quand ?", {"delai"}),
        ("On peut quand même candidater sans local ?", set()),  # « quand même » is not a date
        ("Quel est le montant maximal de la subvention ?", {"montant"}),
        ("Le diagnostic amiante, c'est à la charge du bailleur ?", {"charge"}),
        ("À quelle adresse mail écrire pour un rdv ?", {"contact"}),
        ("Quelles pièces à fournir pour le dossier ?", {"documents"}),
        ("Un local de 3 pièces suffit-il ?", set()),  # rooms, not documents
        ("C'est quoi une SISA exactement ?", {"definition"}),
        ("Les orthoptistes sont-ils éligibles ?", set()),
    ],
)
def test_question_focus(text, focus):
    assert question_focus(text) == focus


def test_focus_and_subject_words_come_from_the_asking_sentences():
    text = "Nous ouvrons en mars, la date est fixée. Le bail commercial convient-il à une SCM ?"
    assert asked(text) == "Le bail commercial convient-il à une SCM ?"
    assert question_focus(text) == set()  # « date » is in the context, not in what is asked
    assert asked("bail commercial pour une SCM") == "bail commercial pour une SCM"
    with_context = lexical_similarity(
        ["Quel bail pour une SCM ? Nous sommes 3 kinés à Paris 19e.", "Quel bail pour une SCM ?"]
    )
    assert with_context[0, 1] > 0.99


def test_questions_asking_for_different_things_do_not_merge():
    """Same subject, same sections, near-identical embeddings, but « when » vs « who pays »: apart once the
    conflict costs something, merged without it (so the test can fail)."""
    texts = ["Combien de temps dure l'instruction du permis ?", "Qui paie l'instruction du permis ?"]
    vectors = _unit([1, 0.05], [1, 0.0])
    retr = [SAME_SECTION, SAME_SECTION]
    plain = GroupingParams(threshold=0.6, embedding_weight=0.5, profile_top=3)
    assert len(group_indices(texts, vectors, retr, plain)) == 1
    strict = GroupingParams(threshold=0.6, embedding_weight=0.5, profile_top=3, focus_conflict=1.0)
    assert len(group_indices(texts, vectors, retr, strict)) == 2


def test_a_paraphrase_with_the_same_focus_merges():
    """Two wordings of « how long » on one subject: below the threshold on embeddings and sections alone, merged
    with the shared-focus bonus and the shared subject words."""
    texts = ["Délai pour la déclaration préalable de façade ?", "Combien de temps pour une declaration prealable ?"]
    vectors = _unit([1, 0], [0.2, 0.98])  # cosine 0.2
    retr = [Retrieval(("a", "b"), (0.9, 0.5)), Retrieval(("b", "a"), (0.9, 0.5))]
    base = GroupingParams(threshold=0.5, embedding_weight=0.5, profile_top=3, profile_temperature=0.2)
    assert len(group_indices(texts, vectors, retr, base)) == 2
    tuned = GroupingParams(
        threshold=0.5,
        embedding_weight=0.5,
        profile_top=3,
        profile_temperature=0.2,
        lexical_weight=0.3,
        focus_shared=0.2,
    )
    assert len(group_indices(texts, vectors, retr, tuned)) == 1


def test_lexical_similarity_sees_the_same_subject_through_typos():
    sim = lexical_similarity(["declaration prealable de facade", "Déclaration préalable façade ?", "Bail commercial"])
    assert sim[0, 1] > 0.8 and sim[0, 2] < 0.1
    assert lexical_similarity(["le la ?", "les"]).tolist() == [[0.0, 0.0], [0.0, 0.0]]  # grammar words only


def test_pairwise_counts_pairs():
    rng = random.Random(7)
    gold = [rng.choice("abcde") for _ in range(40)]
    predicted = [rng.randrange(6) for _ in range(40)]
    tp = fp = fn = 0
    for a, b in itertools.combinations(range(40), 2):
        same_gold, same_pred = gold[a] == gold[b], predicted[a] == predicted[b]
        tp, fp, fn = (
            tp + (same_gold and same_pred),
            fp + (same_pred and not same_gold),
            fn + (same_gold and not same_pred),
        )
    p, r = tp / (tp + fp), tp / (tp + fn)
    scores = pairwise(gold, predicted)
    assert scores["paires_vraies"] == tp + fn
    assert (scores["precision"], scores["rappel"], scores["f1"]) == (
        round(p, 3),
        round(r, 3),
        round(2 * p * r / (p + r), 3),
    )


@pytest.mark.parametrize("linkage", ["average", "complete"])
def test_calibration_cuts_equal_the_served_clustering(linkage):
    """The calibration cuts one tree at every threshold: the same partitions as `cluster_labels`."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(30, 4))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    sim = x @ x.T
    thresholds = (0.1, 0.3, 0.5, 0.7, 0.9)
    for threshold, labels in zip(thresholds, _cuts(sim, linkage, thresholds), strict=True):
        served = cluster_labels(sim, GroupingParams(threshold=threshold, linkage=linkage))
        assert len({(int(a), int(b)) for a, b in zip(labels, served, strict=True)}) == len(set(served.tolist()))
        assert len(set(labels.tolist())) == len(set(served.tolist()))


def test_the_eligibility_of_different_professions_is_never_one_question():
    """Same sections, identical embeddings: the ostéopathe's and the kiné's eligibility stay apart (the estimate
    counts no ostéopathe: third outside test), while two wordings on the kinés, or a question excluding doctors, merge."""
    texts = [
        "Les kinés sont-ils éligibles ?",
        "les masseurs-kinésithérapeutes ont droit à l'aide ?",
        "Les ostéopathes sont-ils éligibles ?",
        "aide ouverte aux paramédicaux sans médecin ?",
    ]
    vectors = _unit([1, 0], [1, 0], [1, 0], [1, 0])
    retr = [SAME_SECTION] * 4
    groups = group_indices(texts, vectors, retr, GroupingParams(threshold=0.6, embedding_weight=0.5, profile_top=3))
    assert sorted(sorted(g) for g in groups) == [[0, 1, 3], [2]]
    same_topic = ["Mon cabinet de kiné est-il un ERP ?", "on est 2 infirmières, c'est un ERP ?"]  # not about the aid
    plain = GroupingParams(threshold=0.6, embedding_weight=0.5, profile_top=3)
    assert len(group_indices(same_topic, _unit([1, 0], [1, 0]), [SAME_SECTION] * 2, plain)) == 1
