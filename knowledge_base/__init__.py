"""Knowledge base: the « B.A.-BA réglementaire » guide, its hybrid index, and cited answers.

Public API:
    answer(question) -> Answer          quoted, cited answer or an honest decline
    search(query, k) -> list[Hit]       ranked guide sections
    embed(texts) -> np.ndarray          normalised sentence embeddings (same model as the index)
    build_index(force) -> dict          (re)builds the persisted index when the guide changed
    KnowledgeBaseError                  expected failures, with a French message
"""

from __future__ import annotations

from .answering import Answer, Source
from .errors import KnowledgeBaseError
from .service import Hit, answer, build_index, embed, get_service, search

__all__ = ["Answer", "Hit", "KnowledgeBaseError", "Source", "answer", "build_index", "embed", "get_service", "search"]
