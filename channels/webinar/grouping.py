"""Grouping near-duplicate questions.

Two signals, both from the public API of `knowledge_base`:
- sentence embeddings (`knowledge_base.embed`, the model of the guide index), cosine similarity;
- the guide sections retrieved for each question (`knowledge_base.search`, top 2).

With the multilingual encoder used offline, paraphrases of one question score about 0.60–0.72 while
distinct questions about the same scheme score as high (e.g. « Qui peut bénéficier de Paris Méd' ? » vs
« Quel est le montant de l'aide Paris Méd' ? » : 0.70). Embeddings alone cannot separate them, so the
similarity of a pair gets a bonus when both questions lead to the same guide section:

    sim = cosine + SAME_TOP_BONUS   (same first section)
        | cosine + CROSS_TOP_BONUS  (the first section of one is in the other's top 2)
        | cosine + OVERLAP_BONUS    (a section shared in the top 2)
        | cosine                    (otherwise)

and a question joins the group whose leader is the most similar one if sim >= threshold (leader
clustering, see `group_indices`). Identical questions (same words, ignoring case, accents and
punctuation) always share a group.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from channels.staff.matching import fold

DEFAULT_THRESHOLD = 0.75
SAME_TOP_BONUS = 0.15
CROSS_TOP_BONUS = 0.12
OVERLAP_BONUS = 0.08


def embed_questions(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised embeddings of the questions (the model of the guide index)."""
    from knowledge_base import embed

    vectors = np.asarray(embed(list(texts)), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


@dataclass
class Retrieval:
    sections: tuple[str, ...]  # chunk ids of the top hits, best first
    score: float


def retrieve(texts: Sequence[str], progress: Callable[[], None] | None = None) -> list[Retrieval]:
    from knowledge_base import KnowledgeBaseError, search

    out = []
    for t in texts:
        try:
            hits = search(t, k=2)
        except KnowledgeBaseError:
            hits = []
        out.append(Retrieval(tuple(h.chunk_id for h in hits), float(hits[0].score) if hits else 0.0))
        if progress:
            progress()
    return out


def group_indices(
    texts: Sequence[str], vectors: np.ndarray, retrievals: Sequence[Retrieval], threshold: float = DEFAULT_THRESHOLD
) -> list[list[int]]:
    """Groups of question indices, largest first (then in order of first appearance).

    Leader clustering: each question joins the most similar existing group if its similarity to the
    group's first question (the leader) reaches the threshold, otherwise it starts a new group. Unlike
    merging every similar pair, this never chains distinct questions together through intermediate
    variants (« Bonjour, … Merci » added to many different questions)."""
    n = len(texts)
    groups: list[list[int]] = []
    leader_of_key: dict[str, int] = {}
    leaders: list[int] = []
    for i, t in enumerate(texts):
        key = fold(t)
        if key in leader_of_key:  # same words: same group, no computation
            groups[leader_of_key[key]].append(i)
            continue
        best = -1
        if leaders:
            sim = pair_similarity_to(vectors, retrievals, i, leaders)
            j = int(np.argmax(sim))
            if sim[j] >= threshold:
                best = j
        if best < 0:
            leaders.append(i)
            groups.append([i])
            best = len(groups) - 1
        else:
            groups[best].append(i)
        leader_of_key[key] = best
    assert sum(len(g) for g in groups) == n
    return sorted(groups, key=lambda g: (-len(g), g[0]))


def pair_similarity_to(vectors: np.ndarray, retrievals: Sequence[Retrieval], i: int, others: list[int]) -> np.ndarray:
    """Similarity of question ``i`` to each of ``others`` (cosine + section bonus)."""
    sim = vectors[others] @ vectors[i]
    mine = retrievals[i].sections
    if not mine:
        return sim
    bonus = np.zeros(len(others), dtype=np.float32)
    for k, j in enumerate(others):
        theirs = retrievals[j].sections
        if not theirs:
            continue
        if theirs[0] == mine[0]:
            bonus[k] = SAME_TOP_BONUS
        elif theirs[0] in mine or mine[0] in theirs:
            bonus[k] = CROSS_TOP_BONUS
        elif set(theirs) & set(mine):
            bonus[k] = OVERLAP_BONUS
    return sim + bonus


def central_order(group: list[int], vectors: np.ndarray) -> list[int]:
    """Members of a group, the most representative (closest to the others) first."""
    if len(group) <= 2:
        return list(group)
    v = vectors[group]
    centrality = (v @ v.T).mean(axis=1)
    return [group[i] for i in np.argsort(-centrality, kind="stable")]
