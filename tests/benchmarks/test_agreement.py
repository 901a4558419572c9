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
