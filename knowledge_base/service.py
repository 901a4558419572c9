"""The knowledge-base service: loads the index once (building it when the guide changed) and answers.

The composition root calls `configure(KBConfig(...))` once; the module-level `answer`, `answer_many`, `search`,
`search_many` and `embed` then use one shared service, built at the first call."""

from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np
from pydantic import BaseModel

from frenchtext import within_limit

from . import embeddings
from . import index as index_mod
from .answering import (
    Answer,
    Previous,
    asks_in_context,
    build_answer,
    courtesy_answer,
    is_follow_up,
    reply_to_declined,
    with_other_asks,
)
from .config import PACKAGE_DIR, KBConfig
from .decision import Decision
from .errors import KnowledgeBaseError
from .retriever import Ranking, boost, rank, rank_many
from .section_model import SectionModel
from .text import as_message, clean_user_text

# What ranking reads of a message: a longer one (an e-mail telling a whole project) is read on its last asking
# sentences that fit (`frenchtext.within_limit`); a message longer than MAX_MESSAGE_CHARS is refused.
MAX_QUESTION_CHARS = 1000
MAX_MESSAGE_CHARS = 10_000
# Used only when no fitted decision (decision.json) exists: a threshold on the hand-set confidence.
DEFAULT_THRESHOLD = 0.45
DEFAULT_MODE = "hybrid"
# Added to the fused score of the previous turn's section when a follow-up is read in context.
PREVIOUS_SECTION_BONUS = 0.15
# Queries analysed together by the batched calls; the lock is released between batches so that a long webinar
# batch does not hold a chat question for more than a fraction of a second.
BATCH_SIZE = 128


class Hit(BaseModel):
    chunk_id: str
    title: str
    section: str
    theme: str
    text: str
    url: str
    score: float


_config: KBConfig | None = None
_config_lock = threading.Lock()


def configure(config: KBConfig) -> None:
    """Sets the paths and models of the shared service (the composition root calls it at start-up)."""
    global _config
    with _config_lock:
        if config != _config:
            _config = config
            get_service.cache_clear()


def current_config() -> KBConfig:
    """The configured settings; without `configure()`, the index and models live in the project's var/ folder
    (scripts and tests that call the package directly)."""
    return _config if _config is not None else KBConfig.in_folder(PACKAGE_DIR.parent / "var")


def build_index(force: bool = False, progress: bool = False, config: KBConfig | None = None) -> dict[str, object]:
    """Rebuilds the index if the guide (or the model) changed; returns what was done."""
    c = config or current_config()
    if not force and index_mod.is_fresh(c.index_dir, c.guide_dir, c.embedding_model):
        idx = index_mod.load(c.index_dir)
        return {"rebuilt": False, "sections": len(idx.sections), "dir": str(c.index_dir)}
    idx = index_mod.build(c.guide_dir, c.index_dir, c.models_dir, c.embedding_model, progress=progress)
    get_service.cache_clear()
    return {"rebuilt": True, "sections": len(idx.sections), "dir": str(c.index_dir)}


class KnowledgeBase:
    def __init__(self, config: KBConfig | None = None) -> None:
        c = config or current_config()
        if not index_mod.is_fresh(c.index_dir, c.guide_dir, c.embedding_model):
            build_index(force=True, config=c)
        self.config = c
        self.index = index_mod.load(c.index_dir)
        self.models = {
            name: embeddings.load_model(name, c.models_dir) for name in index_mod.model_names(c.embedding_model)
        }
        self.model = next(iter(self.models.values()))  # the first model also serves `embed` (webinar grouping)
        self.decision = Decision.load()
        # The supervised section model (section_model.npz); None without the file. Replaceable (calibration).
        self.section_model: SectionModel | None = SectionModel.load()
        fitted = self.decision.threshold if self.decision is not None else DEFAULT_THRESHOLD
        self.threshold = c.threshold if c.threshold is not None else fitted
        self._lock = threading.Lock()  # spaCy and the numpy encoder are used from one thread at a time

    @staticmethod
    def clean(question: str) -> str:
        """The question as ranking and answering read it (`clean_user_text`, then `within_limit`); a French
        KnowledgeBaseError for what is not a question (not a text, empty, longer than MAX_MESSAGE_CHARS)."""
        if not isinstance(question, str):
            raise KnowledgeBaseError("La question doit être un texte.")
        text = clean_user_text(question)
        if not text:
            raise KnowledgeBaseError("La question est vide : écrivez votre question en quelques mots.")
        if len(text) > MAX_MESSAGE_CHARS:
            raise KnowledgeBaseError(
                f"La question est trop longue ({_number(len(text))} caractères) : "
                f"résumez-la en {_number(MAX_MESSAGE_CHARS)} caractères au plus."
            )
        return within_limit(text, MAX_QUESTION_CHARS)

    def prepared(self, queries: list[str], emphasise: bool) -> list[str]:
        """The queries as ranking reads them: cleaned, and with `emphasise` read as a user's message (`as_message`:
        thanks before a new question removed, a long message's asking sentences repeated after it)."""
        texts = [self.clean(q) for q in queries]
        return [as_message(t) for t in texts] if emphasise else texts

    def rank(self, query: str, mode: str = DEFAULT_MODE, emphasise: bool = True) -> Ranking:
        """The ranking `answer` uses: with `emphasise`, a new question without the thanks before it, its asking
        sentences weighing more than its context (`as_message`); `search` ranks the text as it is (webinar
        profiles)."""
        (text,) = self.prepared([query], emphasise)
        with self._lock:
            return rank(self.index, self.models, text, mode=mode, section_model=self.section_model)

    def rank_many(self, queries: list[str], mode: str = DEFAULT_MODE, emphasise: bool = True) -> list[Ranking]:
        """`rank` of each query, analysed in batches (one spaCy pass and one encoder call per batch)."""
        texts = self.prepared(queries, emphasise)
        out: list[Ranking] = []
        for start in range(0, len(texts), BATCH_SIZE):
            with self._lock:
                out += rank_many(
                    self.index,
                    self.models,
                    texts[start : start + BATCH_SIZE],
                    mode=mode,
                    section_model=self.section_model,
                )
        return out

    def _hits(self, r: Ranking, k: int) -> list[Hit]:
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

    def search(self, query: str, k: int = 5, mode: str = DEFAULT_MODE) -> list[Hit]:
        return self._hits(self.rank(query, mode, emphasise=False), k)

    def search_many(self, queries: list[str], k: int = 5, mode: str = DEFAULT_MODE) -> list[list[Hit]]:
        """`search` of each query, batched: the same hits as one `search` call per query, several times faster."""
        return [self._hits(r, k) for r in self.rank_many(queries, mode, emphasise=False)]

    def answer(self, question: str, previous: Previous | None = None) -> Answer:
        text = self.clean(question)
        courtesy = courtesy_answer(text)  # courtesy alone is not ranked at all
        return courtesy if courtesy is not None else self._answer(text, self.rank(text), previous)

    def answer_many(self, questions: list[str]) -> list[Answer]:
        """`answer` of each question (without a previous turn), the retrieval batched as in `search_many`."""
        texts = [self.clean(q) for q in questions]
        courtesies = [courtesy_answer(t) for t in texts]
        rankings = iter(self.rank_many([t for t, c in zip(texts, courtesies, strict=True) if c is None]))
        return [
            c if c is not None else self._answer(t, next(rankings), None)
            for t, c in zip(texts, courtesies, strict=True)
        ]

    def _answer(self, text: str, r: Ranking, previous: Previous | None) -> Answer:
        with self._lock:
            alone = build_answer(self.index, r, text, self.threshold, self.decision)
        if previous is None or not previous.question.strip() or not is_follow_up(text, alone):
            return reply_to_declined(self._with_other_asks(text, alone), text)
        # Read the follow-up with the previous turn's topic: both questions together, the cited section favoured.
        context = clean_user_text(previous.question)[: MAX_QUESTION_CHARS // 2]
        ids = [s.id for s in self.index.sections]
        favoured = ids.index(previous.section_id) if previous.section_id in ids else None
        with self._lock:
            together = rank(
                self.index, self.models, f"{context} {text}", mode=DEFAULT_MODE, section_model=self.section_model
            )
            if favoured is not None:
                together = boost(together, favoured, PREVIOUS_SECTION_BONUS)
            in_context = build_answer(self.index, together, text, self.threshold, self.decision, asked_terms=r.terms)
        return in_context if in_context.answered else reply_to_declined(self._with_other_asks(text, alone), text)

    def _with_other_asks(self, text: str, answer: Answer) -> Answer:
        """`answering.with_other_asks`: each other question of a message asking several, ranked on its own (not for a
        declined message, which stays declined)."""
        asks = asks_in_context(text) if answer.answered else []
        if not asks:
            return answer
        rankings = self.rank_many([a.query for a in asks])
        with self._lock:
            return with_other_asks(self.index, answer, asks, rankings, self.threshold, self.decision)

    def embed(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return embeddings.encode(self.model, [clean_user_text(t) for t in texts])


def _number(n: int) -> str:
    """« 10 000 »: thousands separated by a narrow no-break space (French typography)."""
    return f"{n:,}".replace(",", "\u202f")


@lru_cache(maxsize=1)
def get_service() -> KnowledgeBase:
    return KnowledgeBase()


def answer(question: str, previous: Previous | None = None) -> Answer:
    """A quoted, cited answer from the guide, or a decline; `previous` is the conversation's previous turn."""
    return get_service().answer(question, previous=previous)


def answer_many(questions: list[str]) -> list[Answer]:
    """`answer` of each question (no previous turn), batched; raises KnowledgeBaseError if one is empty or too long."""
    return get_service().answer_many(questions)


def search(query: str, k: int = 5) -> list[Hit]:
    return get_service().search(query, k=k)


def search_many(queries: list[str], k: int = 5) -> list[list[Hit]]:
    """`search` of each query, batched (for the webinar: thousands of questions); the same hits as one `search` per
    query. Raises KnowledgeBaseError, like `search`, if a query is empty or too long."""
    return get_service().search_many(queries, k=k)


def embed(texts: list[str]) -> np.ndarray:
    return get_service().embed(texts)
