"""The section-level dense index (USE) holds each section's row, then one row per frequent question."""

import numpy as np

from knowledge_base import index as index_mod
from knowledge_base.retriever import FAQ_POOL_WEIGHT


def test_section_rows_come_first_then_their_frequent_questions(kb):
    sections = kb.index.sections
    faq = index_mod.frequent_questions()
    expected = [i for i, s in enumerate(sections) for _ in faq.get(s.id, [])]
    for dense in kb.index.dense:
        if dense.model_name in index_mod.PASSAGE_MODELS:
            continue
        assert dense.owner is not None
        n = len(sections)
        assert dense.owner[:n].tolist() == list(range(n))
        assert dense.owner[n:].tolist() == expected


def test_a_frequent_question_lifts_its_section_in_dense_mode(kb):
    faq = index_mod.frequent_questions()
    section_id, questions = next((k, v) for k, v in faq.items() if v)
    ids = [s.id for s in kb.index.sections]
    r = kb.rank(questions[0], mode="dense")
    # Its own row matches exactly (cosine 1), so the section gets at least the pooled share of the score.
    assert r.dense[ids.index(section_id)] >= FAQ_POOL_WEIGHT * 0.99 - (1 - FAQ_POOL_WEIGHT) * 0.1
    assert ids.index(section_id) in [int(i) for i in np.asarray(r.order)[:5]]
