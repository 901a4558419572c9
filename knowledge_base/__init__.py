"""Knowledge base: the « B.A.-BA réglementaire » guide, its hybrid index, and cited answers.

Public API:
    configure(KBConfig(...))                paths and models, set once by the composition root
    answer(question, previous=None) -> Answer   quoted, cited answer or an honest decline;
                                            `previous` (Previous) reads a follow-up with the last turn's topic
    answer_many(questions) -> list[Answer]  `answer` of each question (no previous turn), retrieval batched
    search(query, k) -> list[Hit]           ranked guide sections
    search_many(queries, k) -> list[list[Hit]]  `search` of each query, batched (one spaCy pass and one
                                            encoder call per 128 queries): same hits, several times faster
    embed(texts) -> np.ndarray              normalised sentence embeddings (same model as the index)
    build_index(force) -> dict              (re)builds the persisted index when the guide changed
    MEDICAL_ADVICE                          the reply to a question asking for care (15, 112, doctor)
    PRACTITIONER_SEARCH                     the reply to a patient looking for a practitioner (ameli directory)
    seeks_a_practitioner(message) -> bool   whether a message is a patient's looking for a practitioner
    asks_for_care(message) -> bool          whether a message speaks of symptoms, conditions or treatment
    KnowledgeBaseError                      expected failures, with a French message
"""

from __future__ import annotations

from .answering import Answer, Previous, Source, continues_previous_turn, may_follow_up
from .care import MEDICAL_ADVICE, PRACTITIONER_SEARCH, asks_for_care, seeks_a_practitioner
from .config import KBConfig
from .errors import KnowledgeBaseError
from .service import (
    Hit,
    KnowledgeBase,
    answer,
    answer_many,
    build_index,
    configure,
    embed,
    get_service,
    search,
    search_many,
)

__all__ = [
    "Answer",
    "MEDICAL_ADVICE",
    "PRACTITIONER_SEARCH",
    "Hit",
    "KBConfig",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Previous",
    "continues_previous_turn",
    "may_follow_up",
    "Source",
    "answer",
    "answer_many",
    "build_index",
    "configure",
    "embed",
    "get_service",
    "search",
    "search_many",
    "asks_for_care",
    "seeks_a_practitioner",
]
