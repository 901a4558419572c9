"""The supplement of the independent set: labelled after its freeze, read with the first file by the evaluation."""

from knowledge_base.evaluation import ALL_INDEPENDENT, SUPPLEMENT_FILE, load_independent


def test_supplement_in_scope_questions_are_labelled_with_existing_sections(kb):
    ids = {s.id for s in kb.index.sections}
    sets = load_independent(None, (SUPPLEMENT_FILE,))
    assert len(sets["covered"]) >= 50 and len(sets["outside"]) >= 50
    assert not sets["uncovered"]
    for q in sets["covered"]:
        assert set(q["sections"]) <= ids, q["id"]
    for q in sets["outside"]:
        assert not q["sections"], q["id"]


def test_combined_independent_set_adds_the_supplement_per_split():
    for split in ("dev", "test"):
        first = load_independent(split)
        supplement = load_independent(split, (SUPPLEMENT_FILE,))
        both = load_independent(split, ALL_INDEPENDENT)
        for part in ("covered", "uncovered", "outside"):
            assert len(both[part]) == len(first[part]) + len(supplement[part])
        assert {q["split"] for q in both["covered"] + both["outside"]} == {split}
