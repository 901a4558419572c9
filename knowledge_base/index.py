"""The persisted hybrid index: BM25 (bm25s) over lemmas + FAISS inner product over normalised embeddings.

Built once into var/index and rebuilt only when the guide, the synonym table or the model changes
(a fingerprint of those inputs is stored in manifest.json)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import bm25s
import faiss
import numpy as np

from . import embeddings
from .guide import Section, fingerprint, guide_files, load_sections
from .text import _SYNONYMS_FILE, Analyzer

INDEX_FORMAT = 3


@dataclass
class Index:
    sections: list[Section]
    bm25: bm25s.BM25
    vectors: faiss.Index
    analyzer: Analyzer
    model_name: str
    sentence_terms: list[list[list[str]]]  # per section, per sentence: lexical terms (to pick quoted sentences)


def _inputs_fingerprint(guide_dir: Path, model_name: str) -> str:
    return fingerprint(guide_files(guide_dir) + [_SYNONYMS_FILE], extra=f"{INDEX_FORMAT}|{model_name}")


def is_fresh(index_dir: Path, guide_dir: Path, model_name: str) -> bool:
    manifest = index_dir / "manifest.json"
    if not manifest.exists():
        return False
    return json.loads(manifest.read_text()).get("fingerprint") == _inputs_fingerprint(guide_dir, model_name)


def build(guide_dir: Path, index_dir: Path, models_dir: Path, model_name: str, progress: bool = False) -> Index:
    """Builds and persists the index (atomically: a half-written index is never left behind)."""
    sections = load_sections(guide_dir)
    analyzer = Analyzer()
    passages = [s.passage() for s in sections]
    tokens = analyzer.terms_many(passages)
    sentences = [s.sentences() for s in sections]
    flat = iter(analyzer.terms_many([t for group in sentences for t in group]))
    sentence_terms = [[next(flat) for _ in group] for group in sentences]
    bm25 = bm25s.BM25()
    bm25.index(tokens, show_progress=False)

    model = embeddings.load_model(model_name, models_dir)
    # USE averages over the whole text, so short texts embed best: a section's vector is the normalised mean of
    # its title's and its first paragraph's vectors (better R@1 on the dev questions than either, or both joined).
    texts = [t for s in sections for t in (s.title, s.body.split("\n\n")[0])]
    batches = [texts[i : i + 32] for i in range(0, len(texts), 32)]
    if progress:
        from rich.progress import track

        batches = track(batches, description="Vectorisation du guide…")
    pairs = np.vstack([embeddings.encode(model, batch) for batch in batches]).reshape(len(sections), 2, -1)
    matrix = pairs.sum(axis=1)
    matrix = np.ascontiguousarray(matrix / np.linalg.norm(matrix, axis=1, keepdims=True), dtype=np.float32)
    vectors = faiss.IndexFlatIP(matrix.shape[1])
    vectors.add(matrix)

    tmp = index_dir.with_name(index_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    bm25.save(str(tmp / "bm25"), show_progress=False)
    faiss.write_index(vectors, str(tmp / "vectors.faiss"))
    (tmp / "sections.json").write_text(json.dumps([s.model_dump() for s in sections], ensure_ascii=False))
    (tmp / "sentence_terms.json").write_text(json.dumps(sentence_terms, ensure_ascii=False))
    vocab = sorted({t for doc in tokens for t in doc})
    (tmp / "vocabulary.json").write_text(json.dumps(vocab, ensure_ascii=False))
    (tmp / "manifest.json").write_text(
        json.dumps(
            {
                "fingerprint": _inputs_fingerprint(guide_dir, model_name),
                "model": model_name,
                "sections": len(sections),
                "dimension": int(matrix.shape[1]),
            }
        )
    )
    shutil.rmtree(index_dir, ignore_errors=True)
    tmp.rename(index_dir)
    analyzer.set_vocabulary(vocab)
    return Index(sections, bm25, vectors, analyzer, model_name, sentence_terms)


def load(index_dir: Path) -> Index:
    manifest = json.loads((index_dir / "manifest.json").read_text())
    sections = [Section(**d) for d in json.loads((index_dir / "sections.json").read_text())]
    bm25 = bm25s.BM25.load(str(index_dir / "bm25"), show_progress=False, verbosity=0)
    vectors = faiss.read_index(str(index_dir / "vectors.faiss"))
    analyzer = Analyzer()
    analyzer.set_vocabulary(json.loads((index_dir / "vocabulary.json").read_text()))
    sentence_terms = json.loads((index_dir / "sentence_terms.json").read_text())
    return Index(sections, bm25, vectors, analyzer, manifest["model"], sentence_terms)
