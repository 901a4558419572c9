"""`make eval`: quality figures, the same way every time. Prints a table, writes reports/eval.json and
reports/eval.md. Reports figures; it fails only if a step cannot run at all."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

from benchmarks.agreement import blind_judgments, knowledge_base_agreement, triage_agreement
from parismed.config import PROJECT_ROOT
from parismed.launcher import QUIET_ENV, RASA_BIN

REPORTS = PROJECT_ROOT / "reports"
console = Console(width=None if sys.stdout.isatty() else 120)  # logs keep whole rows


def eval_knowledge_base() -> dict:
    from knowledge_base import get_service
    from knowledge_base.evaluation import evaluate
    from parismed.composition import configure_knowledge_base

    configure_knowledge_base()
    kb = get_service()
    return {split: evaluate(kb, split) for split in ("dev", "test")}


def _rasa(*args: str) -> None:
    """Runs a Rasa command quietly; its log is shown only if it fails."""
    done = subprocess.run(
        [str(RASA_BIN), *args], cwd=PROJECT_ROOT, env={**os.environ, **QUIET_ENV}, capture_output=True, text=True
    )
    if done.returncode != 0:
        console.print((done.stdout + done.stderr)[-3000:])
        raise SystemExit(f"Échec de « rasa {' '.join(args[:2])} » (code {done.returncode}).")


def eval_nlu() -> dict:
    test_file = PROJECT_ROOT / "tests" / "rasa" / "nlu_test.yml"
    with tempfile.TemporaryDirectory() as out:
        _rasa("test", "nlu", "--nlu", str(test_file), "--out", out, "--model", "models")
        intents = json.loads((Path(out) / "intent_report.json").read_text())
        entity_file = next(Path(out).glob("*DIETClassifier_report.json"), None)
        entities = json.loads(entity_file.read_text()) if entity_file else {}
        errors = (
            json.loads((Path(out) / "intent_errors.json").read_text())
            if (Path(out) / "intent_errors.json").exists()
            else []
        )
    pairs: dict[str, int] = {}
    for e in errors:
        key = f"{e['intent']} → {e['intent_prediction']['name']}"
        pairs[key] = pairs.get(key, 0) + 1
    return {
        "intent_macro_f1": round(intents["macro avg"]["f1-score"], 3),
        "intent_exactitude": round(intents.get("accuracy", 0), 3),
        "entite_macro_f1": round(entities.get("macro avg", {}).get("f1-score", 0), 3) if entities else None,
        "entite_micro_f1": round(entities.get("micro avg", {}).get("f1-score", 0), 3) if entities else None,
        "confusions": sorted(pairs.items(), key=lambda kv: -kv[1])[:8],
    }


def eval_core() -> dict:
    stories = PROJECT_ROOT / "tests" / "rasa" / "test_stories.yml"
    with tempfile.TemporaryDirectory() as out:
        _rasa("test", "core", "--stories", str(stories), "--out", out, "--model", "models")
        failed = Path(out) / "failed_test_stories.yml"
        failed_count = 0
        if failed.exists():
            data = yaml.safe_load(failed.read_text()) or {}
            failed_count = len(data.get("stories", []) or [])
    total = len((yaml.safe_load(stories.read_text()) or {}).get("stories", []))
    return {
        "conversations": total,
        "reussies": total - failed_count,
        "taux": round((total - failed_count) / total, 3) if total else None,
    }


def _pytest_counts(path: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", path],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    ).stdout
    counts = {k: int(v) for v, k in re.findall(r"(\d+) (passed|failed|skipped)", out.splitlines()[-1] if out else "")}
    return counts


def eval_rules() -> dict:
    from hypothesis import settings as hsettings  # noqa: F401  (ensures hypothesis is installed)

    return _pytest_counts("tests/rules_bridge")


def eval_triage() -> dict | None:
    try:
        from channels.staff import evaluate_classification
    except ImportError:
        return None
    return evaluate_classification()


def eval_webinar() -> dict:
    """Grouping of the labelled webinar set (pairwise precision/recall/F1) and chatter, dev and test splits."""
    from channels.webinar import evaluate_grouping
    from parismed.composition import configure_knowledge_base

    configure_knowledge_base()
    return {split: evaluate_grouping(split) for split in ("dev", "test")}


def main() -> None:
    REPORTS.mkdir(exist_ok=True)
    search = eval_knowledge_base()
    report = {
        "recherche": search,
        "nlu": eval_nlu(),
        "dialogues": eval_core(),
        "regles": eval_rules(),
        "tri": eval_triage(),
        "webinaire": eval_webinar(),
        "accord": {
            "guide": knowledge_base_agreement(),
            "tri": triage_agreement(),
            "jugements_aveugles": {
                split: blind_judgments(search[split]["independant_et_supplement"]["premiere_section_citee"], split)
                for split in ("dev", "test")
            },
        },
    }
    (REPORTS / "eval.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    md = _markdown(report)
    (REPORTS / "eval.md").write_text(md)
    table = Table(title="Paris Méd' — qualité (make eval)")
    for col in ("mesure", "valeur"):
        table.add_column(col)
    for line in md.splitlines():
        if line.startswith("| ") and not line.startswith("| mesure") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            table.add_row(*cells[:2])
    console.print(table)


# The sets written from the users' side: the first file, its supplement (near-domain out-of-scope questions,
# situations), and both together.
INDEPENDENT_SETS = (
    ("independant", "jeu indépendant"),
    ("supplement", "supplément du jeu indépendant"),
    ("independant_et_supplement", "jeu indépendant et supplément"),
)


def _independent_rows(name: str, i: dict) -> list[tuple[str, str]]:
    h = i["recherche_hybride"]
    return [
        (
            f"{name} ({i['dans_le_champ_couvertes']} q. couvertes) : bonne section / mauvaise section / "
            "déclinées à tort",
            f"{i['repondues_bonne_section']:.3f} / {i['repondues_mauvaise_section']:.3f} / {i['declinees_a_tort']:.3f}",
        ),
        (
            f"{name} : hors champ déclinées ({i['hors_champ']} q.) / non couvertes par le guide déclinées "
            f"({i['non_couvertes_par_le_guide']} q.)",
            f"{i['hors_champ_declinees']:.3f} / {i['non_couvertes_declinees'] or 0:.3f}",
        ),
        (
            f"{name} : recherche R@1 / R@3 / MRR ; conclusions correctes",
            f"{h['recall@1']:.3f} / {h['recall@3']:.3f} / {h['mrr']:.3f} ; "
            + ("—" if i["conclusions_correctes"] is None else f"{i['conclusions_correctes']:.3f}"),
        ),
    ]


def _markdown(report: dict) -> str:
    rows = []
    for split, r in report["recherche"].items():
        # The section model and the decision learn from the dev splits: dev figures are learned, test ones measure.
        split = f"{split} (appris)" if split == "dev" else split
        for mode, m in r["modes"].items():
            rows.append(
                (
                    f"recherche {split} ({m['n']} q.) {mode} : R@1 / R@3 / R@5 / MRR",
                    f"{m['recall@1']:.3f} / {m['recall@3']:.3f} / {m['recall@5']:.3f} / {m['mrr']:.3f}",
                )
            )
        d = r["decision"]
        rows.append(
            (
                f"recherche {split} : répondues dans le champ / déclinées hors champ",
                f"{d['repondues_dans_le_champ']:.3f} / {d['declinees_hors_champ']:.3f}",
            )
        )
        for key, label in INDEPENDENT_SETS:
            if r.get(key):
                rows += _independent_rows(f"{label} {split}", r[key])
    n = report["nlu"]
    rows.append(("NLU intention macro-F1 / exactitude", f"{n['intent_macro_f1']} / {n['intent_exactitude']}"))
    rows.append(("NLU entités macro-F1 / micro-F1", f"{n['entite_macro_f1']} / {n['entite_micro_f1']}"))
    rows.append(("NLU confusions principales", ", ".join(f"{k} ({v})" for k, v in n["confusions"][:4]) or "aucune"))
    c = report["dialogues"]
    rows.append(("dialogues : conversations de test réussies", f"{c['reussies']} / {c['conversations']}"))
    rows.append(("règles : tests (propriétés comprises)", json.dumps(report["regles"])))
    if report.get("tri"):
        rows.append(("tri des demandes", json.dumps(report["tri"], ensure_ascii=False)))
    for split, w in (report.get("webinaire") or {}).items():
        # The pair model learns from the dev split and uses it as anchors: only test measures anything there.
        learned = " (appris par le modèle : ne mesure rien)" if split == "dev" else ""
        rows.append(
            (
                f"webinaire {split}{learned} : regroupement par paires précision / rappel / F1",
                f"{w['precision']:.3f} / {w['rappel']:.3f} / {w['f1']:.3f} ({w['groupes_predits']} groupes, "
                f"{w['groupes_attendus']} attendus)",
            )
        )
        rows.append(
            (
                f"webinaire {split} : logistique écartée / vraies questions écartées à tort",
                f"{w['logistique_ecartee']} / {w['vraies_questions_ecartees_a_tort']}",
            )
        )
    g, t = report["accord"]["guide"], report["accord"]["tri"]
    rows.append(
        (
            f"accord de deux étiqueteurs, guide, dev ({g['dans_le_champ_couvertes']} q. couvertes) : bonne section / "
            "mauvaise / déclinées ; hors champ déclinées",
            f"{g['repondues_bonne_section']:.3f} / {g['repondues_mauvaise_section']:.3f} / "
            f"{g['declinees_a_tort']:.3f} ; {g['hors_champ_declinees']:.3f}",
        )
    )
    rows.append(
        (f"accord de deux étiqueteurs, tri, dev ({t['demandes']} demandes) : thème", f"{t['theme_identique']:.3f}")
    )
    for split, j in report["accord"]["jugements_aveugles"].items():
        rows.append(
            (
                f"jugements à l'aveugle, {split} ({j['dans_le_champ_couvertes']} q. couvertes) : première "
                "section citée bonne selon les étiquettes ; selon les juges répond / en partie / ne répond pas / "
                "non jugée ; déclinées",
                f"{j['bonne_section_etiquetee_part']:.3f} ; {j['repond_part']:.3f} / {j['en_partie_part']:.3f} / "
                f"{j['ne_repond_pas_part']:.3f} / {j['non_jugee_part']:.3f} ; {j['declinees']:.3f}",
            )
        )
    lines = ["# Mesures de qualité", "", "| mesure | valeur |", "|---|---|"]
    lines += [f"| {a} | {b} |" for a, b in rows]
    worst = report["recherche"]["test"]["modes"]["hybrid"]["misses"][:10]
    lines += ["", "## Pires ratés (hybride, questions de test)", ""]
    lines += [
        f"- « {m['question']} » → attendu {', '.join(m['attendu'])}, trouvé {m['trouve']} (rang {m['rang']})"
        for m in worst
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
