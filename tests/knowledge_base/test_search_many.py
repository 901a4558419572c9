"""The batched calls give what one call per question gives (the webinar batch relies on it)."""

import pytest

import knowledge_base
from knowledge_base import KnowledgeBaseError
from knowledge_base.evaluation import load_independent, load_questions


def _questions() -> list[str]:
    inside, outside = load_questions("dev")
    independent = load_independent("dev")
    picked = inside[:12] + outside[:6] + independent["covered"][:8] + independent["outside"][:4]
    return [q["question"] for q in picked] + ["azertyuiop qsdfghjklm"]


def test_search_many_gives_the_hits_of_search_on_each_question(kb):
    questions = _questions()
    assert len(questions) >= 30
    batched = kb.search_many(questions, k=5)
    assert len(batched) == len(questions)
    for question, hits in zip(questions, batched, strict=True):
        alone = kb.search(question, k=5)
        assert [h.chunk_id for h in hits] == [h.chunk_id for h in alone], question
        assert [h.score for h in hits] == pytest.approx([h.score for h in alone], abs=1e-5), question


def test_answer_many_gives_the_answers_of_answer_on_each_question(kb):
    questions = _questions()
    for question, batched in zip(questions, kb.answer_many(questions), strict=True):
        alone = kb.answer(question)
        assert (batched.answered, batched.understood, batched.answer) == (
            alone.answered,
            alone.understood,
            alone.answer,
        )
        assert [s.section_id for s in batched.sources] == [s.section_id for s in alone.sources]
        assert batched.score == pytest.approx(alone.score, abs=1e-5)


def test_module_functions_and_batches_larger_than_one_lock_hold():
    questions = ["mon cabinet est-il un ERP ?", "quelle taxe pour une enseigne ?"] * 70  # > BATCH_SIZE
    batched = knowledge_base.search_many(questions, k=3)
    assert len(batched) == len(questions) and all(len(h) == 3 for h in batched)
    assert [h.chunk_id for h in batched[-2]] == [h.chunk_id for h in knowledge_base.search(questions[0], k=3)]
    assert knowledge_base.search_many([]) == [] and knowledge_base.answer_many([]) == []


def test_an_empty_query_in_a_batch_raises_like_search():
    with pytest.raises(KnowledgeBaseError):
        knowledge_base.search_many(["mon cabinet est-il un ERP ?", "   "])
