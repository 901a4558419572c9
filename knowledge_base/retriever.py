"""Hybrid search: BM25 and dense rankings fused, plus the calibrated confidence used to decide `answered`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from sentence_transformers import SentenceTransformer

from . import embeddings
from .index import Index

RRF_K = 60


@dataclass(frozen=True)
class Ranking:
    """Per-section scores of one query; `order` is the fused ranking (best first)."""

    order: np.ndarray
    fused: np.ndarray
    bm25: np.ndarray
    dense: np.ndarray
    coverage: np.ndarray
    terms: list[str]  # the query's lexical terms (lemmas, typos repaired)


def _normalise_bm25(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else scores


# Weight of the dense score in the hybrid sum, tuned on the development questions (make eval).
DENSE_WEIGHT = 0.6


def dense_scores(index: Index, models: Mapping[str, SentenceTransformer], query: str) -> np.ndarray:
    """Cosine similarity of the query to each section, averaged over the index's models (a passage-level model
    scores a section by its best passage)."""
    n = len(index.sections)
    total = np.zeros(n, np.float32)
    for d in index.dense:
        qvec = embeddings.encode(models[d.model_name], [query], kind="query")
        rows = int(d.vectors.ntotal)
        similarities, ids = d.vectors.search(qvec, rows)  # exact, all rows
        per_row = np.full(rows, -1.0, np.float32)
        per_row[ids[0]] = similarities[0]
        if d.owner is None:
            total += per_row
        else:
            pooled = np.full(n, -1.0, np.float32)
            np.maximum.at(pooled, d.owner, per_row)
            total += pooled
    return total / max(len(index.dense), 1)


def rank(
    index: Index,
    models: Mapping[str, SentenceTransformer],
    query: str,
    mode: str = "hybrid",
    dense_weight: float = DENSE_WEIGHT,
) -> Ranking:
    """mode: 'bm25', 'dense', 'hybrid' (weighted sum of max-normalised BM25 and cosine) or 'rrf'."""
    terms = index.analyzer.terms(query, repair=True)
    n = len(index.sections)
    bm25 = np.asarray(index.bm25.get_scores(terms), dtype=np.float32) if terms else np.zeros(n, np.float32)
    dense = dense_scores(index, models, query)

    # Share of the query's distinct terms found in each section (lexical coverage, for the decision).
    distinct = set(terms)
    coverage = np.zeros(n, np.float32)
    if distinct:
        vocab = index.bm25.vocab_dict
        for term in distinct:
            tid = vocab.get(term)
            if tid is None:
                continue
            docs = _docs_with(index, tid)
            coverage[docs] += 1.0
        coverage /= len(distinct)

    if mode == "bm25":
        fused = bm25
    elif mode == "dense":
        fused = dense
    elif mode == "rrf":
        fused = _rrf(bm25) + _rrf(dense)
    else:
        fused = (1 - dense_weight) * _normalise_bm25(bm25) + dense_weight * np.clip(dense, 0, None)
    order = np.argsort(-fused, kind="stable")
    return Ranking(order, fused, bm25, dense, coverage, terms)


def boost(r: Ranking, section: int, bonus: float) -> Ranking:
    """The same ranking with `bonus` added to one section's fused score (the previous turn's topic)."""
    fused = r.fused.copy()
    fused[section] += bonus
    return replace(r, fused=fused, order=np.argsort(-fused, kind="stable"))


def _rrf(scores: np.ndarray) -> np.ndarray:
    ranks = np.empty_like(scores)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, scores.size + 1)
    return 1.0 / (RRF_K + ranks)


def _docs_with(index: Index, term_id: int) -> np.ndarray:
    """Sections containing a term, read from bm25s's CSC score matrix (column = term)."""
    scores = index.bm25.scores
    start, end = scores["indptr"][term_id], scores["indptr"][term_id + 1]
    return np.asarray(scores["indices"][start:end])


def confidence(r: Ranking, best: int) -> float:
    """A [0, 1] score for the best section: dense similarity and lexical coverage together."""
    return float(0.5 * max(float(r.dense[best]), 0.0) + 0.5 * float(r.coverage[best]))
