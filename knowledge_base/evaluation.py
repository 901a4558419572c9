"""Retrieval and decision quality on the question sets in knowledge_base/eval/.

Two families of sets:
- the guide authors' sets (`eval/*.yaml`, `in_scope` / `out_of_scope` lists): recall@k and MRR per mode;
- the independent set (`eval/independant/questions.yaml`), written from the users' side before tuning and
  labelled afterwards: in-scope questions answered from a right section, questions the guide does not cover
  (empty `sections`) and out-of-scope questions declined, follow-ups read with their previous turn, closings;
  and its supplement (`eval/independant/supplement.yaml`, same schema, written later by another author who never
  read the guide: mostly out-of-scope questions near the domain), reported alone and together with the first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .answering import Previous
from .service import KnowledgeBase

EVAL_DIR = Path(__file__).with_name("eval")
INDEPENDENT_FILE = EVAL_DIR / "independant" / "questions.yaml"
SUPPLEMENT_FILE = EVAL_DIR / "independant" / "supplement.yaml"
ALL_INDEPENDENT = (INDEPENDENT_FILE, SUPPLEMENT_FILE)
MODES = ("bm25", "dense", "rrf", "hybrid")

Question = dict[str, Any]


def load_questions(split: str | None = None) -> tuple[list[Question], list[Question]]:
    """(in-scope, out-of-scope) questions of the authors' sets, optionally one split ('dev' or 'test')."""
    inside: list[Question] = []
    outside: list[Question] = []
    for path in sorted(EVAL_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        inside += [q for q in data.get("in_scope", []) if split in (None, q.get("split", "dev"))]
        outside += [q for q in data.get("out_of_scope", []) if split in (None, q.get("split", "dev"))]
    return inside, outside


def load_independent(
    split: str | None = None, files: tuple[Path, ...] = (INDEPENDENT_FILE,)
) -> dict[str, list[Question]]:
    """The independent set (by default the first file; `ALL_INDEPENDENT` adds the supplement): 'covered' (in scope,
    labelled sections), 'uncovered' (in scope, no section of the guide answers it), 'outside' (out of scope) and
    'closings'. A missing file adds nothing."""
    rows: list[Question] = []
    closings: list[Question] = []
    for path in files:
        data = (yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None) or {}
        rows += [q for q in data.get("questions", []) if split in (None, q.get("split"))]
        closings += list(data.get("closings", []))
    return {
        "covered": [q for q in rows if q.get("in_scope") and q.get("sections")],
        "uncovered": [q for q in rows if q.get("in_scope") and not q.get("sections")],
        "outside": [q for q in rows if not q.get("in_scope")],
        "closings": closings,
    }


def retrieval_metrics(service: KnowledgeBase, questions: list[Question], mode: str) -> dict[str, Any]:
    ids = [s.id for s in service.index.sections]
    ranks: list[int | None] = []
    misses = []
    for q in questions:
        text = q["question"] if not q.get("previous") else f"{q['previous']} {q['question']}"
        order = service.rank(text, mode=mode).order
        wanted = set(q["sections"])
        rank = next((i + 1 for i, doc in enumerate(order[:20]) if ids[int(doc)] in wanted), None)
        ranks.append(rank)
        if rank != 1:
            misses.append(
                {"question": q["question"], "attendu": sorted(wanted), "rang": rank, "trouve": ids[int(order[0])]}
            )

    def recall(k: int) -> float:
        return sum(1 for r in ranks if r is not None and r <= k) / max(len(ranks), 1)

    mrr = sum(1.0 / r for r in ranks if r) / max(len(ranks), 1)
    return {
        "n": len(ranks),
        "recall@1": recall(1),
        "recall@3": recall(3),
        "recall@5": recall(5),
        "mrr": mrr,
        "misses": misses,
    }


def decision_metrics(service: KnowledgeBase, inside: list[Question], outside: list[Question]) -> dict[str, Any]:
    """Answered rate in scope, declined rate out of scope, with the service's own decision."""
    answered_in = [service.answer(q["question"]).answered for q in inside]
    declined_out = [not service.answer(q["question"]).answered for q in outside]
    return {
        "repondues_dans_le_champ": float(np.mean(answered_in)) if answered_in else 0.0,
        "declinees_hors_champ": float(np.mean(declined_out)) if declined_out else 0.0,
        "exactitude": (sum(answered_in) + sum(declined_out)) / max(len(inside) + len(outside), 1),
    }


def _answer_in_context(service: KnowledgeBase, q: Question):  # type: ignore[no-untyped-def]
    """A follow-up is asked after its previous question, with the section that answer cited (as the chat does)."""
    if not q.get("previous"):
        return service.answer(q["question"])
    first = service.answer(q["previous"])
    section = first.sources[0].section_id if first.answered and first.sources else None
    return service.answer(q["question"], previous=Previous(question=q["previous"], section_id=section))


def independent_metrics(
    service: KnowledgeBase, split: str | None = None, files: tuple[Path, ...] = (INDEPENDENT_FILE,)
) -> dict[str, Any]:
    sets = load_independent(split, files)
    right = wrong = declined = 0
    failures = []
    first_cited: dict[str, str | None] = {}
    for q in sets["covered"]:
        result = _answer_in_context(service, q)
        cited = [s.section_id for s in result.sources]
        first = cited[0] if result.answered and cited else None
        first_cited[q["id"]] = first
        if first in q["sections"]:
            right += 1
            continue
        if result.answered:
            wrong += 1
        else:
            declined += 1
        failures.append(
            {
                "id": q["id"],
                "type": q.get("kind", ""),
                "attendu": q["sections"],
                "cite": cited,
                "score": round(result.score, 3),
            }
        )
    covered = max(len(sets["covered"]), 1)
    uncovered_declined = [not _answer_in_context(service, q).answered for q in sets["uncovered"]]
    outside_declined = [not service.answer(q["question"]).answered for q in sets["outside"]]
    closings = []
    for c in sets["closings"]:
        result = service.answer(c["question"])
        ok = result.answered if c["expected"] == "answer_new_question" else not result.answered
        closings.append({"id": c["id"], "attendu": c["expected"], "repondu": result.answered, "correct": ok})
    return {
        "split": split or "tout",
        "dans_le_champ_couvertes": len(sets["covered"]),
        "repondues_bonne_section": right / covered,
        "repondues_mauvaise_section": wrong / covered,
        "declinees_a_tort": declined / covered,
        "non_couvertes_par_le_guide": len(sets["uncovered"]),
        "non_couvertes_declinees": float(np.mean(uncovered_declined)) if uncovered_declined else None,
        "hors_champ": len(sets["outside"]),
        "hors_champ_declinees": float(np.mean(outside_declined)) if outside_declined else 0.0,
        "recherche_hybride": {
            k: v for k, v in retrieval_metrics(service, sets["covered"], "hybrid").items() if k != "misses"
        },
        "conclusions_correctes": sum(c["correct"] for c in closings) / len(closings) if closings else None,
        "conclusions": closings,
        "echecs": failures,
        "premiere_section_citee": first_cited,  # of each covered question (None: declined)
    }


def evaluate(service: KnowledgeBase, split: str | None = None) -> dict[str, Any]:
    inside, outside = load_questions(split)
    report: dict[str, Any] = {
        "split": split or "tout",
        "questions_dans_le_champ": len(inside),
        "questions_hors_champ": len(outside),
        "modes": {m: retrieval_metrics(service, inside, m) for m in MODES},
    }
    report["decision"] = decision_metrics(service, inside, outside)
    report["independant"] = independent_metrics(service, split)
    report["supplement"] = independent_metrics(service, split, (SUPPLEMENT_FILE,))
    report["independant_et_supplement"] = independent_metrics(service, split, ALL_INDEPENDENT)
    return report
