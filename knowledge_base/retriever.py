"""Hybrid search: BM25 and dense rankings fused, plus the calibrated confidence used to decide `answered`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from . import embeddings
from .index import PASSAGE_MODELS, Index
from .section_model import SectionModel

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
    dense_faq: np.ndarray | None = None  # USE cosine with each section's best frequent question (-1: none)
    coverage_idf: np.ndarray | None = None  # IDF-weighted share of the query's distinct terms in each section
    unknown: float = 0.0  # share of the query's terms (before typo repair) that the guide's vocabulary lacks
    section_prob: np.ndarray | None = None  # the section model's probability of each section (None: no model)
    section_out: float = 0.0  # the section model's probability that no section answers the question
    neighbours: np.ndarray | None = None  # highest similarity to a remembered user's question of each section
    lexical_neighbours: np.ndarray | None = None  # the same, in wording (character n-grams)


def _normalise_bm25(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else scores


# Weight of the dense score in the hybrid sum, tuned on the development questions (make eval). Session 10 (section
# model with five training files, cross-fitted): 0.4 / 0.6 / 0.8 give authors' dev R@1 0.919 / 0.919 / 0.903 and
# writers held out 0.789 / 0.816 / 0.811: more weight on BM25 does not help the authors' keyword questions.
DENSE_WEIGHT = 0.6
# Section-level models (USE): share of a section's dense score given to its best row among the section and its
# frequent questions (users' words), the rest to the section's own row. Chosen on the dev split (0, 0.3, 0.5).
FAQ_POOL_WEIGHT = 0.3
# Weight of the section model's probabilities (section_model.py) added to the hybrid score; chosen on the dev split
# with cross-fitted probabilities (0.1 to 1.0 tried: every value from 0.3 up helps, 0.5 best). Session 10, five
# training files: 0.3 / 0.5 / 0.7 / 1.0 give authors' dev R@1 0.914 / 0.919 / 0.908 / 0.908, writers held out 0.788
# / 0.816 / 0.819 / 0.823.
SECTION_MODEL_WEIGHT = 0.5
# The question memory (`SectionModel.neighbours`): a section gains NEIGHBOUR_WEIGHT x (s - NEIGHBOUR_FLOOR) when the
# question's USE cosine s with a user's question labelled with that section exceeds the floor. Session 19, on the
# cross-fitted rankings of calibrate's folds (each question's own fold out of the memory too), floor / weight 0.4 to
# 0.55 / 0.4 to 0.8 give the same figures within a question; 0.5 / 0.5 moves R@1 (right answers) from 0.903 (0.859)
# to 0.903 (0.865) on the authors' dev, 0.855 (0.831) to 0.863 (0.839) independent, 0.941 (0.941) to 0.971 (0.971)
# supplement, 0.844 (0.825) to 0.852 (0.833) and 0.837 (0.816) to 0.849 (0.829) for the writers held out, out of
# scope declined unchanged within a question; no floor lets the authors' keyword questions lose (0.903 -> 0.865 at
# weight 0.5) (docs/mesures.md).
NEIGHBOUR_WEIGHT = 0.5
NEIGHBOUR_FLOOR = 0.5
# The same memory read in wording (`SectionModel.lexical_neighbours`, cosine of the character n-grams' TF-IDF): a
# section gains LEXICAL_NEIGHBOUR_WEIGHT x (s - LEXICAL_NEIGHBOUR_FLOOR). Session 19, same cross-fitted rankings, on
# top of the sentence-vector memory: floors 0.25 to 0.35, weight 0.3, give R@1 0.903 authors (=), 0.863 -> 0.879
# independent, 0.971 supplement (=), writers held out 0.852 -> 0.856 to 0.858 and 0.849 -> 0.851 to 0.853; weight 0.5
# costs the authors one or two questions (docs/mesures.md).
LEXICAL_NEIGHBOUR_WEIGHT = 0.3
LEXICAL_NEIGHBOUR_FLOOR = 0.3


def dense_scores(index: Index, models: Mapping[str, embeddings.Embedder], query: str) -> np.ndarray:
    """Cosine similarity of the query to each section, averaged over the index's models (a passage-level model
    scores a section by its best passage; a section-level model mixes the section's own row with its best row
    among the section and its frequent questions)."""
    scores: np.ndarray = dense_scores_many(index, models, [query])[0]
    return scores


def dense_scores_many(index: Index, models: Mapping[str, embeddings.Embedder], queries: list[str]) -> np.ndarray:
    """`dense_scores` of several queries at once (one encoder call per model): one row per query."""
    return dense_parts_many(index, models, queries)[0]


def query_vectors(index: Index, models: Mapping[str, embeddings.Embedder], queries: list[str]) -> dict[str, np.ndarray]:
    """The queries' normalised vectors under each of the index's models (one encoder call per model)."""
    return {d.model_name: embeddings.encode(models[d.model_name], queries, kind="query") for d in index.dense}


def dense_parts_many(
    index: Index,
    models: Mapping[str, embeddings.Embedder],
    queries: list[str],
    vectors: Mapping[str, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """`dense_scores_many`, plus (for a section-level model) the cosine with each section's best frequent
    question, one row per query (None without such a model). `vectors`: the queries' vectors when already
    computed (`query_vectors`)."""
    n = len(index.sections)
    total = np.zeros((len(queries), n), np.float32)
    faq_row: np.ndarray | None = None
    if not queries:
        return total, faq_row
    if vectors is None:
        vectors = query_vectors(index, models, queries)
    for d in index.dense:
        qvecs = vectors[d.model_name]
        rows = int(d.vectors.ntotal)
        similarities, ids = d.vectors.search(qvecs, rows)  # exact, all rows
        per_row = np.full((len(queries), rows), -1.0, np.float32)
        np.put_along_axis(per_row, ids, similarities, axis=1)
        if d.owner is None:
            total += per_row
        else:
            pooled = np.full((len(queries), n), -1.0, np.float32)
            for q in range(len(queries)):
                np.maximum.at(pooled[q], d.owner, per_row[q])
            if d.model_name in PASSAGE_MODELS:
                total += pooled
            else:  # the first n rows are the sections themselves
                total += (1 - FAQ_POOL_WEIGHT) * per_row[:, :n] + FAQ_POOL_WEIGHT * pooled
                faq_row = np.full((len(queries), n), -1.0, np.float32)
                for q in range(len(queries)):
                    np.maximum.at(faq_row[q], d.owner[n:], per_row[q, n:])
    return total / max(len(index.dense), 1), faq_row


def rank(
    index: Index,
    models: Mapping[str, embeddings.Embedder],
    query: str,
    mode: str = "hybrid",
    dense_weight: float = DENSE_WEIGHT,
    section_model: SectionModel | None = None,
) -> Ranking:
    """mode: 'bm25', 'dense', 'hybrid' (weighted sum of max-normalised BM25 and cosine, plus the section model's
    probabilities when one is given) or 'rrf'."""
    return rank_many(index, models, [query], mode, dense_weight, section_model)[0]


def rank_many(
    index: Index,
    models: Mapping[str, embeddings.Embedder],
    queries: list[str],
    mode: str = "hybrid",
    dense_weight: float = DENSE_WEIGHT,
    section_model: SectionModel | None = None,
) -> list[Ranking]:
    """`rank` of several queries, analysed together (one spaCy pass, one encoder call per model)."""
    analyzer = index.analyzer
    raw_terms, terms, vectors = analyse_queries(index, models, queries)
    dense, faq = dense_parts_many(index, models, queries, vectors)
    probs, outside = section_probabilities(index, section_model, terms, vectors, queries) if queries else (None, None)
    near, near_words = section_neighbours(index, section_model, vectors, queries) if queries else (None, None)
    return [
        replace(
            score(
                index,
                terms[i],
                dense[i],
                mode,
                dense_weight,
                None if probs is None else probs[i],
                None if near is None else near[i],
                None if near_words is None else near_words[i],
            ),
            dense_faq=None if faq is None else faq[i],
            unknown=analyzer.unknown_share(raw),
            section_out=0.0 if outside is None else float(outside[i]),
        )
        for i, raw in enumerate(raw_terms)
    ]


def analyse_queries(
    index: Index, models: Mapping[str, embeddings.Embedder], queries: list[str]
) -> tuple[list[list[str]], list[list[str]], dict[str, np.ndarray]]:
    """How ranking reads a batch of queries: their terms before and after typo repair, and their vectors under
    each of the index's models (also what the section model learns from, `calibrate`)."""
    analyzer = index.analyzer
    raw_terms = analyzer.terms_many(queries)
    vectors = query_vectors(index, models, queries) if queries else {}
    return raw_terms, [analyzer.repaired(raw) for raw in raw_terms], vectors


def section_probabilities(
    index: Index,
    model: SectionModel | None,
    terms: list[list[str]],
    vectors: Mapping[str, np.ndarray],
    texts: list[str] | None = None,
) -> tuple[np.ndarray, np.ndarray] | tuple[None, None]:
    """The section model's probabilities in the index's section order, one row per query (0 for a section the
    model does not know), given that a section answers the query, and each query's probability that none does
    (`SectionModel.split`); (None, None) without a model or when the model reads another encoder's vectors.
    `texts`: the queries as ranked (the model's character n-grams read them)."""
    if model is None or model.model_name not in vectors:
        return None, None
    probs, outside = model.split(model.probabilities(terms, vectors[model.model_name], texts))
    return _in_index_order(index, model, probs, missing=0.0), outside


def section_neighbours(
    index: Index, model: SectionModel | None, vectors: Mapping[str, np.ndarray], texts: list[str]
) -> tuple[np.ndarray, np.ndarray] | tuple[None, None]:
    """Each query's highest similarity to a remembered user's question of each section, in meaning
    (`SectionModel.neighbours`) and in wording (`SectionModel.lexical_neighbours`), in the index's section order (-1:
    none), one row per query; (None, None) without a model, without a memory or when the model reads another
    encoder's vectors. `texts`: the queries as ranked."""
    if model is None or model.model_name not in vectors or len(model.memory_sections) == 0:
        return None, None
    near = model.neighbours(vectors[model.model_name])
    near_words = model.lexical_neighbours(texts)
    return _in_index_order(index, model, near, missing=-1.0), _in_index_order(index, model, near_words, missing=-1.0)


def _in_index_order(index: Index, model: SectionModel, per_class: np.ndarray, missing: float) -> np.ndarray:
    """The section model's per-class columns (one row per query) in the index's section order, `missing` for a
    section the model does not know."""
    columns = model.aligned([s.id for s in index.sections])
    return np.where(columns >= 0, per_class[:, np.maximum(columns, 0)], missing).astype(np.float32)


def score(
    index: Index,
    terms: list[str],
    dense: np.ndarray,
    mode: str = "hybrid",
    dense_weight: float = DENSE_WEIGHT,
    section_prob: np.ndarray | None = None,
    neighbours: np.ndarray | None = None,
    lexical_neighbours: np.ndarray | None = None,
) -> Ranking:
    """The ranking of one analysed query: its lexical terms, its dense scores and (hybrid mode) the section
    model's probabilities and the question memory's similarities (`section_neighbours`; see `rank`)."""
    n = len(index.sections)
    bm25 = np.asarray(index.bm25.get_scores(terms), dtype=np.float32) if terms else np.zeros(n, np.float32)

    # Share of the query's distinct terms found in each section, plain and weighted by the terms' inverse document
    # frequency (lexical coverage, for the decision).
    distinct = set(terms)
    coverage = np.zeros(n, np.float32)
    coverage_idf = np.zeros(n, np.float32)
    if distinct:
        vocab = index.bm25.vocab_dict
        for term in distinct:
            tid = vocab.get(term)
            if tid is None:
                continue
            docs = _docs_with(index, tid)
            coverage[docs] += 1.0
            coverage_idf[docs] += index.idf.get(term, 0.0)
        coverage /= len(distinct)
        total_idf = sum(index.idf.get(t, 0.0) for t in distinct)
        if total_idf > 0:
            coverage_idf /= total_idf

    if mode == "bm25":
        fused = bm25
    elif mode == "dense":
        fused = dense
    elif mode == "rrf":
        fused = _rrf(bm25) + _rrf(dense)
    else:
        fused = (1 - dense_weight) * _normalise_bm25(bm25) + dense_weight * np.clip(dense, 0, None)
        if section_prob is not None:
            fused = fused + SECTION_MODEL_WEIGHT * section_prob
        if neighbours is not None:
            fused = fused + NEIGHBOUR_WEIGHT * np.clip(neighbours - NEIGHBOUR_FLOOR, 0.0, None)
        if lexical_neighbours is not None:
            fused = fused + LEXICAL_NEIGHBOUR_WEIGHT * np.clip(lexical_neighbours - LEXICAL_NEIGHBOUR_FLOOR, 0.0, None)
    order = np.argsort(-fused, kind="stable")
    return Ranking(
        order,
        fused,
        bm25,
        dense,
        coverage,
        terms,
        coverage_idf=coverage_idf,
        section_prob=section_prob,
        neighbours=neighbours,
        lexical_neighbours=lexical_neighbours,
    )


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
