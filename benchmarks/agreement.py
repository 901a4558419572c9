"""How far two people agree when they label the same user-side items: the ceiling a model can be asked to reach.

A second person, who saw neither the first labels nor the assistant's output, labelled the dev split of the
knowledge base's independent questions (sections that answer each one) and of the staff's independent requests
(main theme). The second labelling is scored exactly like the assistant against the first one.

Blind pooled judgments (`jugements_aveugles.yaml`) go the other way: judges noted, from the sections' text alone,
every section that the labels or the assistant put forward for each covered question, without knowing which was
which. `blind_judgments` reads the assistant's first cited sections through them, and the labelled sections too
(how often a judge finds that a labelled section answers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from channels.staff.evaluation import INDEPENDENT_SET, load_set
from knowledge_base.evaluation import ALL_INDEPENDENT, EVAL_DIR, load_independent

KB_SECOND = EVAL_DIR / "independant" / "second_etiquetage_dev.yaml"
KB_BLIND = EVAL_DIR / "independant" / "jugements_aveugles.yaml"
ANSWERS, PARTLY, MISSES = 2, 1, 0  # the judges' notes
TRIAGE_SECOND = INDEPENDENT_SET.with_name("second_etiquetage_dev.yaml")


def _second(path: Path) -> dict[str, dict[str, Any]]:
    return {str(row["id"]): row for row in yaml.safe_load(path.read_text(encoding="utf-8"))}


def knowledge_base_agreement() -> dict[str, Any]:
    """The second labeller as if it were the assistant: its first section is « the answer », [] a decline."""
    second = _second(KB_SECOND)
    sets = load_independent("dev", ALL_INDEPENDENT)
    covered = [q for q in sets["covered"] if q["id"] in second]
    outside = [q for q in sets["outside"] if q["id"] in second]
    uncovered = [q for q in sets["uncovered"] if q["id"] in second]
    right = sum(bool(second[q["id"]]["sections"]) and second[q["id"]]["sections"][0] in q["sections"] for q in covered)
    declined = sum(not second[q["id"]]["sections"] for q in covered)
    n = max(len(covered), 1)
    return {
        "questions": len(covered) + len(outside) + len(uncovered),
        "dans_le_champ_couvertes": len(covered),
        "repondues_bonne_section": right / n,
        "repondues_mauvaise_section": (len(covered) - right - declined) / n,
        "declinees_a_tort": declined / n,
        "hors_champ_declinees": sum(not second[q["id"]]["sections"] for q in outside) / max(len(outside), 1),
        "non_couvertes_declinees": (
            sum(not second[q["id"]]["sections"] for q in uncovered) / len(uncovered) if uncovered else None
        ),
    }


def blind_notes() -> dict[str, dict[str, int]]:
    """The judges' note of each (question id, section id) pair of the pool."""
    return {str(row["id"]): dict(row["notes"]) for row in yaml.safe_load(KB_BLIND.read_text(encoding="utf-8"))}


def blind_judgments(cited: dict[str, str | None], split: str) -> dict[str, Any]:
    """The assistant's answers (`cited`: question id → first cited section, None when declined) to the covered
    questions of one split, read through the blind judgments: right by the labels, answering by the judges (note 2),
    partly (1), not (0), or a section nobody judged; and the judges' notes of the labelled sections."""
    notes = blind_notes()
    covered = load_independent(split, ALL_INDEPENDENT)["covered"]
    counts = {"bonne_section_etiquetee": 0, "repond": 0, "en_partie": 0, "ne_repond_pas": 0, "non_jugee": 0}
    labelled = {ANSWERS: 0, PARTLY: 0, MISSES: 0}
    declined = 0
    # Questions and sections the guide gained after the judgments (a newly covered question, a new section) have no
    # note: they count as « non jugée », never as a miss.
    for q in covered:
        mine = notes.get(q["id"], {})
        for s in q["sections"]:
            if s in mine:
                labelled[mine[s]] += 1
        section = cited.get(q["id"])
        if section is None:
            declined += 1
            continue
        counts["bonne_section_etiquetee"] += section in q["sections"]
        note = mine.get(section)
        key = {ANSWERS: "repond", PARTLY: "en_partie", MISSES: "ne_repond_pas", None: "non_jugee"}[note]
        counts[key] += 1
    n = max(len(covered), 1)
    return {
        "dans_le_champ_couvertes": len(covered),
        "declinees": declined / n,
        **{f"{k}_part": v / n for k, v in counts.items()},
        "sections_etiquetees_jugees_2_1_0": [labelled[ANSWERS], labelled[PARTLY], labelled[MISSES]],
    }


def triage_agreement() -> dict[str, Any]:
    """The second labeller's main theme against the first one's, on the same requests."""
    second = _second(TRIAGE_SECOND)
    items = [i for i in load_set(INDEPENDENT_SET, "dev") if str(i["id"]) in second]
    same = sum(second[str(i["id"])]["theme"] == i["theme"] for i in items)
    return {"demandes": len(items), "theme_identique": same / max(len(items), 1)}


if __name__ == "__main__":
    print({"guide": knowledge_base_agreement(), "tri": triage_agreement()})
