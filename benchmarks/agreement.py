"""How far two people agree when they label the same user-side items: the ceiling a model can be asked to reach.

A second person, who saw neither the first labels nor the assistant's output, labelled the dev split of the
knowledge base's independent questions (sections that answer each one) and of the staff's independent requests
(main theme). The second labelling is scored exactly like the assistant against the first one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from channels.staff.evaluation import INDEPENDENT_SET, load_set
from knowledge_base.evaluation import ALL_INDEPENDENT, EVAL_DIR, load_independent

KB_SECOND = EVAL_DIR / "independant" / "second_etiquetage_dev.yaml"
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


def triage_agreement() -> dict[str, Any]:
    """The second labeller's main theme against the first one's, on the same requests."""
    second = _second(TRIAGE_SECOND)
    items = [i for i in load_set(INDEPENDENT_SET, "dev") if str(i["id"]) in second]
    same = sum(second[str(i["id"])]["theme"] == i["theme"] for i in items)
    return {"demandes": len(items), "theme_identique": same / max(len(items), 1)}


if __name__ == "__main__":
    print({"guide": knowledge_base_agreement(), "tri": triage_agreement()})
