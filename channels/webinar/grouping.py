"""Grouping near-duplicate questions.

Two signals, both from the public API of `knowledge_base`:
- sentence embeddings (`knowledge_base.embed`, the model of the guide index), cosine similarity;
- the guide sections retrieved for each question (`knowledge_base.search`, top 2).

With the multilingual encoder used offline, paraphrases of one question score about 0.60–0.72 while
distinct questions about the same scheme score as high (e.g. « Qui peut bénéficier de Paris Méd' ? » vs
« Quel est le montant de l'aide Paris Méd' ? » : 0.70). Embeddings alone cannot separate them, so the
similarity of a pair gets a bonus when both questions lead to the same guide section:

    sim = cosine + SAME_TOP_BONUS   (same first section)
        | cosine + OVERLAP_BONUS    (a section shared in the top 2)
        | cosine                    (otherwise)

and pairs with sim >= threshold are merged (connected components). Identical questions (same words,
ignoring case, accents and punctuation) are merged first.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from channels.staff.matching import fold

DEFAULT_THRESHOLD = 0.75
SAME_TOP_BONUS = 0.15
OVERLAP_BONUS = 0.08
BLOCK = 1024


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


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def pair_similarity(vectors: np.ndarray, retrievals: Sequence[Retrieval], rows: slice) -> np.ndarray:
    """Similarity of questions ``rows`` against all questions (cosine + section bonus)."""
    sim = vectors[rows] @ vectors.T
    ids: dict[str, int] = {}
    top = np.array([ids.setdefault(r.sections[0], len(ids)) if r.sections else -1 for r in retrievals])
    second = np.array([ids.setdefault(r.sections[1], len(ids)) if len(r.sections) > 1 else -2 for r in retrievals])
    t_rows, s_rows = top[rows][:, None], second[rows][:, None]
    same_top = (t_rows == top[None, :]) & (t_rows >= 0)
    overlap = ((t_rows == second[None, :]) & (t_rows >= 0)) | ((s_rows == top[None, :]) & (s_rows >= 0)) | (
        (s_rows == second[None, :]) & (s_rows >= 0))
    return sim + np.where(same_top, SAME_TOP_BONUS, np.where(overlap, OVERLAP_BONUS, 0.0))


def group_indices(
    texts: Sequence[str], vectors: np.ndarray, retrievals: Sequence[Retrieval], threshold: float = DEFAULT_THRESHOLD
) -> list[list[int]]:
    """Groups of question indices, largest first (then in order of first appearance)."""
    n = len(texts)
    uf = _UnionFind(n)
    seen: dict[str, int] = {}
    for i, t in enumerate(texts):
        key = fold(t)
        if key in seen:
            uf.union(seen[key], i)
        else:
            seen[key] = i
    for start in range(0, n, BLOCK):
        rows = slice(start, min(n, start + BLOCK))
        sim = pair_similarity(vectors, retrievals, rows)
        ii, jj = np.nonzero(sim >= threshold)
        for i, j in zip(ii + start, jj):
            if i < j:
                uf.union(int(i), int(j))
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(uf.find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def central_order(group: list[int], vectors: np.ndarray) -> list[int]:
    """Members of a group, the most representative (closest to the others) first."""
    if len(group) <= 2:
        return list(group)
    v = vectors[group]
    centrality = (v @ v.T).mean(axis=1)
    return [group[i] for i in np.argsort(-centrality, kind="stable")]
