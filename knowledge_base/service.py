"""The knowledge-base service: loads the index once (building it when the guide changed) and answers."""

from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np
from pydantic import BaseModel

from . import embeddings
from . import index as index_mod
from .answering import Answer, build_answer
from .errors import KnowledgeBaseError
from .retriever import rank
from .text import clean_user_text

MAX_QUESTION_CHARS = 1000
# Calibrated on the development questions (see `make eval`); PARISMED_ANSWER_THRESHOLD overrides it.
DEFAULT_THRESHOLD = 0.45
DEFAULT_MODE = "hybrid"


class Hit(BaseModel):
    chunk_id: str
    title: str
    section: str
    theme: str
    text: str
    url: str
    score: float


def _settings():
    from parismed.config import get_settings

    return get_settings()


def _models_dir(settings):
    return settings.var_dir / "models"


def build_index(force: bool = False, progress: bool = False) -> dict:
    """Rebuilds the index if the guide (or the model) changed; returns what was done."""
    s = _settings()
    if not force and index_mod.is_fresh(s.index_dir, s.guide_dir, s.embedding_model):
        idx = index_mod.load(s.index_dir)
        return {"rebuilt": False, "sections": len(idx.sections), "dir": str(s.index_dir)}
    idx = index_mod.build(s.guide_dir, s.index_dir, _models_dir(s), s.embedding_model, progress=progress)
    get_service.cache_clear()
    return {"rebuilt": True, "sections": len(idx.sections), "dir": str(s.index_dir)}


class KnowledgeBase:
    def __init__(self, threshold: float | None = None) -> None:
        s = _settings()
        if not index_mod.is_fresh(s.index_dir, s.guide_dir, s.embedding_model):
            build_index(force=True)
        self.index = index_mod.load(s.index_dir)
        self.model = embeddings.load_model(s.embedding_model, _models_dir(s))
        self.threshold = threshold if threshold is not None else (s.answer_threshold or DEFAULT_THRESHOLD)
        self._lock = threading.Lock()  # spaCy and the numpy encoder are used from one thread at a time

    @staticmethod
    def clean(question: str) -> str:
        if not isinstance(question, str):
            raise KnowledgeBaseError("La question doit être un texte.")
        text = clean_user_text(question)
        if not text:
            raise KnowledgeBaseError("La question est vide : écrivez votre question en quelques mots.")
        if len(text) > MAX_QUESTION_CHARS:
            raise KnowledgeBaseError(
                f"La question est trop longue ({len(text)} caractères) : "
                f"résumez-la en {MAX_QUESTION_CHARS} caractères au plus."
            )
        return text

    def rank(self, query: str, mode: str = DEFAULT_MODE):
        with self._lock:
            return rank(self.index, self.model, self.clean(query), mode=mode)

    def search(self, query: str, k: int = 5, mode: str = DEFAULT_MODE) -> list[Hit]:
        r = self.rank(query, mode)
        hits = []
        for i in r.order[:k]:
            s = self.index.sections[int(i)]
            hits.append(
                Hit(
                    chunk_id=s.id,
                    title=s.theme_title,
                    section=s.title,
                    theme=s.theme,
                    text=s.body,
                    url=s.url,
                    score=float(r.fused[int(i)]),
                )
            )
        return hits

    def answer(self, question: str) -> Answer:
        text = self.clean(question)
        r = self.rank(text)
        with self._lock:
            return build_answer(self.index, r, text, self.threshold)

    def embed(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return embeddings.encode(self.model, [clean_user_text(t) for t in texts])


@lru_cache(maxsize=1)
def get_service() -> KnowledgeBase:
    return KnowledgeBase()


def answer(question: str) -> Answer:
    return get_service().answer(question)


def search(query: str, k: int = 5) -> list[Hit]:
    return get_service().search(query, k=k)


def embed(texts: list[str]) -> np.ndarray:
    return get_service().embed(texts)
