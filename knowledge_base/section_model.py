"""A supervised section model: which section a question belongs to, learned from labelled questions.

BM25 and the sentence encoder compare a question with the guide's own words; real users' everyday words often
match a neighbouring section better. This model is a multinomial logistic regression over the question's lemmas
(sublinear TF-IDF, L2-normalised) and its USE vector, one class per section, fitted on the « questions
fréquentes », the sections' titles and the labelled development questions (in production: the users' questions
the staff labels). Its probabilities are added to the hybrid score (`retriever.SECTION_MODEL_WEIGHT`).

Stored as plain arrays in `section_model.npz` beside this module (no pickle), written by
`python -m knowledge_base.calibrate`; loading and scoring need numpy only."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SECTION_MODEL_FILE = Path(__file__).with_name("section_model.npz")
# Inverse regularisation strength of the logistic regression, chosen on the development split by grouped
# cross-validation (3, 10, 30 tried).
SECTION_MODEL_C = 10.0


@dataclass(frozen=True)
class LabelledQuestion:
    """One training row: the question's lexical terms, its (normalised) sentence vector and its section id."""

    terms: list[str]
    vector: np.ndarray
    section: str


@dataclass
class SectionModel:
    sections: list[str]  # class order
    vocabulary: list[str]
    idf: np.ndarray  # one per vocabulary term
    coef: np.ndarray  # classes x (terms + vector dimension)
    intercept: np.ndarray  # classes
    model_name: str  # the sentence encoder whose vectors the model reads
    _term_ids: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._term_ids = {t: i for i, t in enumerate(self.vocabulary)}

    def features(self, terms: Sequence[list[str]], vectors: np.ndarray) -> np.ndarray:
        """One row per question: the L2-normalised sublinear TF-IDF of its terms, then its sentence vector."""
        lexical = np.zeros((len(terms), len(self.vocabulary)), np.float64)
        for row, words in enumerate(terms):
            for term, count in Counter(words).items():
                tid = self._term_ids.get(term)
                if tid is not None:
                    lexical[row, tid] = (1.0 + math.log(count)) * self.idf[tid]
        norms = np.linalg.norm(lexical, axis=1, keepdims=True)
        lexical /= np.where(norms > 0, norms, 1.0)
        return np.hstack([lexical, np.asarray(vectors, np.float64).reshape(len(terms), -1)])

    def probabilities(self, terms: Sequence[list[str]], vectors: np.ndarray) -> np.ndarray:
        """Probability of each class (`sections` order), one row per question."""
        logits = self.features(terms, vectors) @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        out: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
        return out

    def aligned(self, section_ids: Sequence[str]) -> np.ndarray:
        """Column of each of `section_ids` among the classes (-1 for a section the model does not know)."""
        position = {s: i for i, s in enumerate(self.sections)}
        return np.asarray([position.get(s, -1) for s in section_ids], dtype=np.int64)

    def save(self, path: Path = SECTION_MODEL_FILE) -> None:
        np.savez_compressed(
            path,
            sections=np.asarray(self.sections, dtype=str),
            vocabulary=np.asarray(self.vocabulary, dtype=str),
            idf=self.idf.astype(np.float32),
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float32),
            model_name=np.asarray(self.model_name, dtype=str),
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
                coef=data["coef"].astype(np.float64),
                intercept=data["intercept"].astype(np.float64),
                model_name=str(data["model_name"]),
            )


def fit_section_model(rows: Sequence[LabelledQuestion], model_name: str, c: float = SECTION_MODEL_C) -> SectionModel:
    """Fits the model on labelled questions (deterministic: lbfgs, no random state involved)."""
    from sklearn.linear_model import LogisticRegression

    vocabulary = sorted({t for r in rows for t in r.terms})
    df = Counter(t for r in rows for t in set(r.terms))
    n = len(rows)
    idf = np.asarray([math.log((1 + n) / (1 + df[t])) + 1.0 for t in vocabulary], np.float64)
    sections = sorted({r.section for r in rows})
    featuriser = SectionModel(sections, vocabulary, idf, np.zeros((0, 0)), np.zeros(0), model_name)
    x = featuriser.features([r.terms for r in rows], np.stack([r.vector for r in rows]))
    y = np.asarray([sections.index(r.section) for r in rows])
    classifier = LogisticRegression(C=c, max_iter=300).fit(x, y)
    if len(sections) == 2:  # sklearn's binary form p(second) = sigmoid(w.x + b) is the softmax of (0, w.x + b)
        coef = np.vstack([np.zeros_like(classifier.coef_[0]), classifier.coef_[0]])
        intercept = np.asarray([0.0, classifier.intercept_[0]])
    else:
        coef, intercept = np.asarray(classifier.coef_), np.asarray(classifier.intercept_)
    return SectionModel(sections, vocabulary, idf, coef, intercept, model_name)
