"""The second, independent labellings of the dev splits: only dev items, only known labels, scored like the model."""

from __future__ import annotations

import yaml

from benchmarks.agreement import KB_SECOND, TRIAGE_SECOND, knowledge_base_agreement, triage_agreement
from channels.staff.classify import THEMES
from channels.staff.evaluation import INDEPENDENT_SET, load_set
from knowledge_base.evaluation import ALL_INDEPENDENT, EVAL_DIR
from knowledge_base.guide import load_sections


def _rows(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_second_labellings_cover_the_dev_splits_only():
    kb_dev = {q["id"]: q for path in ALL_INDEPENDENT for q in _rows(path)["questions"] if q["split"] == "dev"}
    kb_ids = [r["id"] for r in _rows(KB_SECOND)]
    assert sorted(kb_ids) == sorted(kb_dev)
    triage_ids = [r["id"] for r in _rows(TRIAGE_SECOND)]
    assert sorted(triage_ids) == sorted(i["id"] for i in load_set(INDEPENDENT_SET, "dev"))


def test_second_labels_name_real_sections_and_themes():
    known = {s.id for s in load_sections(EVAL_DIR.parent / "guide")}
    assert all(set(r["sections"]) <= known for r in _rows(KB_SECOND))
    assert all(r["theme"] in THEMES and r["theme_second"] in (*THEMES, None) for r in _rows(TRIAGE_SECOND))


def test_agreement_scores_the_second_labeller_like_the_assistant():
    kb = knowledge_base_agreement()
    assert kb["dans_le_champ_couvertes"] > 100
    parts = kb["repondues_bonne_section"] + kb["repondues_mauvaise_section"] + kb["declinees_a_tort"]
    assert abs(parts - 1.0) < 1e-9
    assert 0.0 < kb["repondues_bonne_section"] < 1.0  # two people never agree on everything
    triage = triage_agreement()
    assert triage["demandes"] == 90 and 0.5 < triage["theme_identique"] <= 1.0


def test_blind_judgments_cover_every_covered_question_and_its_labelled_sections():
    from benchmarks.agreement import blind_notes
    from knowledge_base.evaluation import load_independent

    notes = blind_notes()
    known = {s.id for s in load_sections(EVAL_DIR.parent / "guide")}
    for split in ("dev", "test"):
        for q in load_independent(split, ALL_INDEPENDENT)["covered"]:
            assert set(q["sections"]) <= set(notes[q["id"]])  # the labelled sections are in every pool
    assert all(set(n) <= known and set(n.values()) <= {0, 1, 2} for n in notes.values())


def test_blind_judgments_read_the_answers_through_the_judges_notes():
    from benchmarks.agreement import blind_judgments, blind_notes
    from knowledge_base.evaluation import load_independent

    covered = load_independent("test", ALL_INDEPENDENT)["covered"]
    notes = blind_notes()
    labelled = {q["id"]: q["sections"][0] for q in covered}  # an assistant citing the first labelled section
    report = blind_judgments(labelled, "test")
    assert report["bonne_section_etiquetee_part"] == 1.0 and report["declinees"] == 0.0
    assert report["repond_part"] == sum(notes[i][s] == 2 for i, s in labelled.items()) / len(covered)
    assert report["non_jugee_part"] == 0.0
    declining = blind_judgments({}, "test")
    assert declining["declinees"] == 1.0 and declining["repond_part"] == 0.0
