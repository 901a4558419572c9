from pathlib import Path

import numpy as np

from knowledge_base import index as index_mod
from knowledge_base.embeddings import load_model
from knowledge_base.retriever import rank

GUIDE = """---
theme: essai
title: Essai
---

## Faut-il une autorisation de travaux ?
<!--
id: essai-travaux
sources: [{url: "https://example.org"}]
-->
Tous les travaux dans un établissement recevant du public demandent une autorisation (cerfa 13824).

## Où jeter les déchets de soins ?
<!--
id: essai-dasri
sources: [{url: "https://example.org"}]
-->
Les déchets d'activités de soins à risques infectieux suivent une filière dédiée avec un collecteur.
"""


def test_index_round_trip_and_freshness(tmp_path: Path):
    guide, out, models = tmp_path / "guide", tmp_path / "index", tmp_path / "models"
    guide.mkdir()
    (guide / "01-essai.md").write_text(GUIDE, encoding="utf-8")
    assert not index_mod.is_fresh(out, guide, "usem3")
    built = index_mod.build(guide, out, models, "usem3")
    assert index_mod.is_fresh(out, guide, "usem3")
    loaded = index_mod.load(out)
    assert [s.id for s in loaded.sections] == ["essai-travaux", "essai-dasri"]
    assert loaded.vectors.ntotal == 2
    model = {"usem3": load_model("usem3", models)}
    for query in ("dechets de soin", "autorisation travaux"):
        a, b = rank(built, model, query), rank(loaded, model, query)
        assert np.array_equal(a.order, b.order) and np.allclose(a.fused, b.fused)
    assert rank(loaded, model, "dechets de soin").order[0] == 1
    (guide / "01-essai.md").write_text(GUIDE.replace("filière", "voie"), encoding="utf-8")
    assert not index_mod.is_fresh(out, guide, "usem3")  # a guide change asks for a rebuild


def test_dense_vectors_are_normalised(kb):
    for dense in kb.index.dense:
        vectors = dense.vectors.reconstruct_n(0, dense.vectors.ntotal)
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
        if dense.owner is not None:  # passage-level model: every section has passages
            assert set(dense.owner.tolist()) == set(range(len(kb.index.sections)))


def test_frequent_questions_name_real_sections_and_are_indexed(kb):
    ids = {s.id for s in kb.index.sections}
    faq = index_mod.frequent_questions()
    assert faq and set(faq) <= ids
    section = next(s for s in kb.index.sections if s.id in faq)
    assert faq[section.id][0] in index_mod.lexical_document(section)
    assert faq[section.id][0] in index_mod.passages(section)
