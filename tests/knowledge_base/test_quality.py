"""Quality gates on the held-out questions (split: test), with the figures `make eval` reports."""

from knowledge_base.evaluation import decision_metrics, load_questions, retrieval_metrics


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
    assert decision["declinees_hors_champ"] >= 0.9
    assert decision["repondues_dans_le_champ"] >= 0.8
