"""Quality gates on the held-out questions (split: test), with the figures `make eval` reports."""

from knowledge_base.evaluation import (
    ALL_INDEPENDENT,
    decision_metrics,
    independent_metrics,
    load_questions,
    retrieval_metrics,
)


def test_hybrid_retrieval_meets_the_targets_and_beats_each_ranking_alone(kb):
    inside, _ = load_questions("test")
    assert len(inside) >= 80
    scores = {mode: retrieval_metrics(kb, inside, mode) for mode in ("bm25", "dense", "hybrid")}
    assert scores["hybrid"]["recall@3"] >= 0.9
    assert scores["hybrid"]["mrr"] > max(scores["bm25"]["mrr"], scores["dense"]["mrr"])


def test_out_of_scope_questions_are_declined(kb):
    inside, outside = load_questions("test")
    assert len(outside) >= 10
    decision = decision_metrics(kb, inside, outside)
    # The authors' 15 out-of-scope test questions: 14 declined up to session 10, 13 since session 11 (« comment
    # devenir médecin du travail » now answered from the shared doctors' section; docs/mesures.md).
    assert decision["declinees_hors_champ"] >= 0.85
    assert decision["repondues_dans_le_champ"] >= 0.8


def test_the_users_out_of_scope_questions_are_declined_and_their_questions_mostly_answered_right(kb):
    """Issue 12's out-of-scope target on the test split of the two independent files (73 out-of-scope questions,
    154 covered since session 18), and a floor on right answers (0.824 measured session 11, 0.909 session 18)."""
    report = independent_metrics(kb, "test", ALL_INDEPENDENT)
    assert report["hors_champ"] >= 70 and report["dans_le_champ_couvertes"] >= 150
    assert report["hors_champ_declinees"] >= 0.95
    assert report["repondues_bonne_section"] >= 0.8
