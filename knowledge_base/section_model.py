"""A supervised section model: which section a question belongs to, learned from labelled questions.

BM25 and the sentence encoder compare a question with the guide's own words; real users' everyday words often
match a neighbouring section better. This model is a multinomial logistic regression over the question's lemmas
(sublinear TF-IDF, L2-normalised), the character 3- to 5-grams of its folded words (same weighting: robust to
typos and missing accents, which lemmas miss) and its USE vector, one class per section, fitted on the
« questions fréquentes », the sections' titles and the labelled development questions (in production: the users'
questions the staff labels), each row with a sample weight (`calibrate.SOURCE_WEIGHTS`). Its probabilities are
added to the hybrid score (`retriever.SECTION_MODEL_WEIGHT`). One more class, `OUT_OF_SCOPE`, learns the questions
no section answers; its probability goes to the answer/decline decision, not to the ranking (`SectionModel.split`).
The model also keeps the users' labelled questions themselves (their sentence vectors and sections, « mémoire des
questions »): a new question close to one a user already asked — in meaning (sentence vectors) or in wording
(character n-grams) — gets that question's section a bonus in ranking (`SectionModel.neighbours`,
`SectionModel.lexical_neighbours`, `retriever.NEIGHBOUR_WEIGHT`): a linear model averages a section's many phrasings,
the nearest one keeps a rare phrasing that the average loses.

Stored as plain arrays in `section_model.npz` beside this module (no pickle), written by
`python -m knowledge_base.calibrate`; loading and scoring need numpy and scipy's sparse matrices only."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse

from frenchtext import words
from frenchtext.linear import word_ngrams

SECTION_MODEL_FILE = Path(__file__).with_name("section_model.npz")
# Inverse regularisation strength of the logistic regression, chosen on the development split by grouped
# cross-validation (3, 10, 30 tried; 30 with the character n-grams).
SECTION_MODEL_C = 30.0
# Character n-grams of the folded words (each word padded with spaces), kept when at least CHAR_MIN_DF training
# rows contain them.
CHAR_NGRAMS = (3, 5)
CHAR_MIN_DF = 2
# Storage (file and memory) of the coefficients, the model's largest array (166 sections x ~8 700 columns): half
# precision is 2.9 MB instead of 5.8 MB, probabilities within 4e-4 of single precision and the same top-10 sections
# for every dev question and the unseen writer's (700 questions, checked session 8). Scoring computes in float64.
COEF_DTYPE = np.float16
# The class of the questions no section answers (out of scope, or in scope but not covered by the guide). Its
# probability is a feature of the answer/decline decision; ranking reads the sections' probabilities renormalised
# without it (`SectionModel.split`).
OUT_OF_SCOPE = "__hors_champ__"


def char_ngrams(text: str) -> list[str]:
    """The character n-grams (`CHAR_NGRAMS`) of the text's folded words, each word padded with a space."""
    return word_ngrams(words(text), CHAR_NGRAMS)


@dataclass(frozen=True)
class LabelledQuestion:
    """One training row: the question's lexical terms, its (normalised) sentence vector, its section id, its text
    as ranking reads it (for the character n-grams) and its sample weight."""

    terms: list[str]
    vector: np.ndarray
    section: str
    text: str = ""
    weight: float = 1.0
    remembered: bool = False  # a user's labelled question, kept in the question memory (not a guide row)


@dataclass
class SectionModel:
    sections: list[str]  # class order
    vocabulary: list[str]
    idf: np.ndarray  # one per vocabulary term
    coef: np.ndarray  # classes x (terms + vector dimension)
    intercept: np.ndarray  # classes
    model_name: str  # the sentence encoder whose vectors the model reads
    char_vocabulary: list[str] = field(default_factory=list)  # character n-grams (empty: no character block)
    char_idf: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # The question memory: the remembered questions' normalised sentence vectors and each one's class (`sections`
    # index); empty: no memory.
    memory_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    memory_sections: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    memory_texts: list[str] = field(default_factory=list)  # the remembered questions as ranking reads them
    _positions: dict[str, int] = field(init=False, repr=False)  # each class's column
    _term_ids: dict[str, int] = field(init=False, repr=False)
    _gram_ids: dict[str, int] = field(init=False, repr=False)
    # The remembered texts' character n-gram TF-IDF, one row per n-gram, one column per remembered question (built
    # at load): a question's similarities are its few n-grams' rows weighted and summed.
    _memory_by_gram: sparse.csr_matrix = field(init=False, repr=False)
    # The memory's rows grouped by class: their order, where each class's group starts, the classes present.
    _by_class: tuple[np.ndarray, np.ndarray, np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._positions = {s: i for i, s in enumerate(self.sections)}
        self._term_ids = {t: i for i, t in enumerate(self.vocabulary)}
        self._gram_ids = {g: i for i, g in enumerate(self.char_vocabulary)}
        self._memory_by_gram = _sparse_rows(
            [_sparse_tfidf(char_ngrams(t), self._gram_ids, self.char_idf) for t in self.memory_texts],
            len(self.char_vocabulary),
        ).T.tocsr()
        order = np.argsort(self.memory_sections, kind="stable")
        classes, starts = np.unique(self.memory_sections[order], return_index=True)
        self._by_class = order, starts, classes

    def features(
        self, terms: Sequence[list[str]], vectors: np.ndarray, texts: Sequence[str] | None = None
    ) -> np.ndarray:
        """One row per question: the L2-normalised sublinear TF-IDF of its terms, of its texts' character n-grams
        (when the model has a character vocabulary; `texts` is then required), then its sentence vector."""
        blocks = [_tfidf(terms, self._term_ids, self.idf)]
        if self.char_vocabulary:
            if texts is None or len(texts) != len(terms):
                raise ValueError("the section model reads the questions' texts (character n-grams)")
            blocks.append(_tfidf([char_ngrams(t) for t in texts], self._gram_ids, self.char_idf))
        blocks.append(np.asarray(vectors, np.float64).reshape(len(terms), -1))
        return np.hstack(blocks)

    def probabilities(
        self, terms: Sequence[list[str]], vectors: np.ndarray, texts: Sequence[str] | None = None
    ) -> np.ndarray:
        """Probability of each class (`sections` order), one row per question."""
        x = self.features(terms, vectors, texts)
        # Only the columns some question uses (a few hundred of the thousands of n-grams): several times faster
        # than the full product, the same logits.
        used = np.flatnonzero(x.any(axis=0))
        logits = x[:, used] @ self.coef[:, used].T.astype(np.float64) + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        out: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
        return out

    def neighbours(self, vectors: np.ndarray) -> np.ndarray:
        """Each question's highest cosine similarity to a remembered question of each class (`sections` order; -1
        for a class without one), one row per question (`vectors`: normalised sentence vectors)."""
        if len(self.memory_sections) == 0 or len(vectors) == 0:
            return np.full((len(vectors), len(self.sections)), -1.0, np.float32)
        similarities = np.asarray(vectors, np.float32).reshape(len(vectors), -1) @ self.memory_vectors.T
        return self._best_per_class(similarities)

    def lexical_neighbours(self, texts: Sequence[str]) -> np.ndarray:
        """Each question's highest cosine similarity, over the character n-grams' TF-IDF, to a remembered question of
        each class (as `neighbours`; `texts`: the questions as ranking reads them)."""
        if not self.memory_texts or not texts:
            return np.full((len(texts), len(self.sections)), -1.0, np.float32)
        similarities = np.zeros((len(texts), len(self.memory_texts)), np.float32)
        for row, text in enumerate(texts):
            ids, weights = _sparse_tfidf(char_ngrams(text), self._gram_ids, self.char_idf)
            if len(ids):
                similarities[row] = weights.astype(np.float32) @ self._memory_by_gram[ids]
        return self._best_per_class(similarities)

    def _best_per_class(self, similarities: np.ndarray) -> np.ndarray:
        """Per row, the highest similarity among each class's remembered questions (-1: the class has none)."""
        out = np.full((len(similarities), len(self.sections)), -1.0, np.float32)
        order, starts, classes = self._by_class
        out[:, classes] = np.maximum.reduceat(similarities[:, order], starts, axis=1)
        return out

    def split(self, probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The sections' probabilities given the question is answered by one (rows renormalised without the
        `OUT_OF_SCOPE` class, whose column becomes 0) and each row's probability of that class (zeros when the
        model has no such class)."""
        if OUT_OF_SCOPE not in self.sections:
            return probabilities, np.zeros(len(probabilities))
        column = self.sections.index(OUT_OF_SCOPE)
        out = probabilities[:, column].copy()
        inside = probabilities / np.clip(1.0 - out, 1e-12, None)[:, None]
        inside[:, column] = 0.0
        return inside, out

    def aligned(self, section_ids: Sequence[str]) -> np.ndarray:
        """Column of each of `section_ids` among the classes (-1 for a section the model does not know)."""
        return np.asarray([self._positions.get(s, -1) for s in section_ids], dtype=np.int64)

    def save(self, path: Path = SECTION_MODEL_FILE) -> None:
        np.savez_compressed(
            path,
            sections=np.asarray(self.sections, dtype=str),
            vocabulary=np.asarray(self.vocabulary, dtype=str),
            idf=self.idf.astype(np.float32),
            coef=self.coef.astype(COEF_DTYPE),
            intercept=self.intercept.astype(np.float32),
            model_name=np.asarray(self.model_name, dtype=str),
            char_vocabulary=np.asarray(self.char_vocabulary, dtype=str),
            char_idf=self.char_idf.astype(np.float32),
            memory_vectors=self.memory_vectors.astype(np.float16),
            memory_sections=self.memory_sections.astype(np.int32),
            memory_texts=np.asarray(self.memory_texts, dtype=str),
        )

    @classmethod
    def load(cls, path: Path = SECTION_MODEL_FILE) -> SectionModel | None:
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as data:
            return cls(
                sections=[str(s) for s in data["sections"]],
                vocabulary=[str(t) for t in data["vocabulary"]],
                idf=data["idf"].astype(np.float64),
                coef=data["coef"].astype(COEF_DTYPE),  # the largest array: kept in half precision
                intercept=data["intercept"].astype(np.float64),
                model_name=str(data["model_name"]),
                char_vocabulary=[str(g) for g in data["char_vocabulary"]] if "char_vocabulary" in data.files else [],
                char_idf=data["char_idf"].astype(np.float64) if "char_idf" in data.files else np.zeros(0),
                # stored in half precision (similarities within 1e-3), computed in single precision
                memory_vectors=(
                    data["memory_vectors"].astype(np.float32)
                    if "memory_vectors" in data.files
                    else np.zeros((0, 0), np.float32)
                ),
                memory_sections=(
                    data["memory_sections"].astype(np.int64)
                    if "memory_sections" in data.files
                    else np.zeros(0, np.int64)
                ),
                memory_texts=[str(t) for t in data["memory_texts"]] if "memory_texts" in data.files else [],
            )


def _tfidf(tokens: Sequence[list[str]], ids: dict[str, int], idf: np.ndarray) -> np.ndarray:
    """L2-normalised sublinear TF-IDF rows of token lists over a vocabulary (`ids`, `idf`)."""
    out = np.zeros((len(tokens), len(ids)), np.float64)
    for row, items in enumerate(tokens):
        tids, values = _sparse_tfidf(items, ids, idf)
        out[row, tids] = values
    return out


def _sparse_tfidf(tokens: list[str], ids: dict[str, int], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The L2-normalised sublinear TF-IDF of one token list over a vocabulary (`ids`, `idf`), as (token ids,
    values) of its non-zero entries (tokens outside the vocabulary are dropped)."""
    counts = Counter(t for t in tokens if t in ids)
    tids = np.asarray([ids[t] for t in counts], np.int64)
    values = np.asarray([(1.0 + math.log(c)) * idf[ids[t]] for t, c in counts.items()], np.float64)
    norm = float(np.linalg.norm(values))
    return tids, values / norm if norm > 0 else values


def _sparse_rows(rows: Sequence[tuple[np.ndarray, np.ndarray]], columns: int) -> sparse.csr_matrix:
    """Sparse rows (`_sparse_tfidf`) stacked into a matrix of `columns` columns (single precision)."""
    indptr = np.concatenate([[0], np.cumsum([len(ids) for ids, _ in rows], dtype=np.int64)])
    ids = np.concatenate([ids for ids, _ in rows]) if rows else np.zeros(0, np.int64)
    values = np.concatenate([v for _, v in rows]).astype(np.float32) if rows else np.zeros(0, np.float32)
    return sparse.csr_matrix((values, ids, indptr), shape=(len(rows), columns))


def _idf(documents: Sequence[list[str]], min_df: int = 1) -> tuple[list[str], np.ndarray]:
    """The vocabulary (tokens in at least `min_df` documents, sorted) and its smoothed IDF."""
    df = Counter(t for d in documents for t in set(d))
    vocabulary = sorted(t for t, c in df.items() if c >= min_df)
    n = len(documents)
    return vocabulary, np.asarray([math.log((1 + n) / (1 + df[t])) + 1.0 for t in vocabulary], np.float64)


def fit_section_model(rows: Sequence[LabelledQuestion], model_name: str, c: float = SECTION_MODEL_C) -> SectionModel:
    """Fits the model on labelled questions, each with its sample weight (deterministic: lbfgs, no random state
    involved)."""
    from sklearn.linear_model import LogisticRegression

    vocabulary, idf = _idf([r.terms for r in rows])
    grams, gram_idf = _idf([char_ngrams(r.text) for r in rows], CHAR_MIN_DF)
    sections = sorted({r.section for r in rows})
    featuriser = SectionModel(
        sections, vocabulary, idf, np.zeros((0, 0)), np.zeros(0), model_name, char_vocabulary=grams, char_idf=gram_idf
    )
    x = sparse.csr_matrix(
        featuriser.features([r.terms for r in rows], np.stack([r.vector for r in rows]), [r.text for r in rows])
    )
    y = np.asarray([sections.index(r.section) for r in rows])
    weights = np.asarray([r.weight for r in rows], np.float64)
    classifier = LogisticRegression(C=c, max_iter=300).fit(x, y, sample_weight=weights)
    if len(sections) == 2:  # sklearn's binary form p(second) = sigmoid(w.x + b) is the softmax of (0, w.x + b)
        coef = np.vstack([np.zeros_like(classifier.coef_[0]), classifier.coef_[0]])
        intercept = np.asarray([0.0, classifier.intercept_[0]])
    else:
        coef, intercept = np.asarray(classifier.coef_), np.asarray(classifier.intercept_)
    remembered = [r for r in rows if r.remembered and r.section != OUT_OF_SCOPE]
    return SectionModel(
        sections,
        vocabulary,
        idf,
        coef,
        intercept,
        model_name,
        char_vocabulary=grams,
        char_idf=gram_idf,
        memory_vectors=(
            np.stack([r.vector for r in remembered]).astype(np.float32) if remembered else np.zeros((0, 0), np.float32)
        ),
        memory_sections=np.asarray([sections.index(r.section) for r in remembered], np.int64),
        memory_texts=[r.text for r in remembered],
    )
