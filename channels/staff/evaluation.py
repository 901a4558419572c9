"""Measures the triage on a labelled set (theme, professions, arrondissement)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from frenchtext.linear import fit_linear_model, write_model_data

from . import integrations
from .classify import THEMES, classify_theme

EVAL_DIR = Path(__file__).resolve().parent / "eval"
DEFAULT_SET = EVAL_DIR / "demandes_etiquetees.yaml"
DEV_SET = EVAL_DIR / "demandes_dev.yaml"
INDEPENDENT_SET = EVAL_DIR / "demandes_independantes.yaml"  # written from the senders' side, frozen; dev/test
# Training only: each file by another writer who read neither the triage rules, nor the code, nor the evaluation
# sets (other senders, harder mixed requests, administrative mail, professionals' short messages…).
TRAINING_SETS = [
    EVAL_DIR / name
    for name in (
        "demandes_entrainement.yaml",
        "demandes_entrainement_2.yaml",
        "demandes_entrainement_3.yaml",
        "demandes_entrainement_4.yaml",
        "demandes_entrainement_5.yaml",
        "demandes_entrainement_6.yaml",
        "demandes_entrainement_7.yaml",
        "demandes_entrainement_8.yaml",
        "demandes_entrainement_9.yaml",
        "demandes_entrainement_10.yaml",
        "demandes_entrainement_11.yaml",
        "demandes_entrainement_12.yaml",
        "demandes_entrainement_13.yaml",
        "demandes_entrainement_14.yaml",
        "demandes_entrainement_15.yaml",
    )
]

# What the theme model learns from (never the independent set's test split) and its settings, chosen on
# a set by another writer (see eval/RESULTATS.md).
TRAINING_SOURCES: list[tuple[Path, str | None]] = [
    (DEFAULT_SET, None),
    (DEV_SET, None),
    (INDEPENDENT_SET, "dev"),
    *((path, None) for path in TRAINING_SETS),
]
MODEL_SETTINGS: dict[str, Any] = {
    "C": 10.0,
    "ask_weight": 2.0,
    "ngrams": [3, 5],
    "min_df": 2,
    "rules_weight": 0.0,
    "vector_weight": 1.0,
}
# The training requests' sentence vectors, kept between trainings (encoding ~3 000 requests takes minutes).
VECTOR_CACHE = EVAL_DIR.parents[2] / "var" / "staff" / "request_vectors.npz"


@dataclass
class ItemResult:
    id: str
    texte: str
    theme: str
    acceptable: list[str]
    predicted_theme: str
    professions: list[str]
    predicted_professions: list[str]
    arrondissement: int | None
    predicted_arrondissement: int | None


@dataclass
class EvalResult:
    path: Path
    split: str | None = None
    items: list[ItemResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def _rate(self, ok: int) -> float:
        return ok / len(self.items) if self.items else 0.0

    @property
    def theme_accuracy(self) -> float:
        return self._rate(sum(i.predicted_theme == i.theme for i in self.items))

    @property
    def theme_accuracy_lenient(self) -> float:
        return self._rate(sum(i.predicted_theme in [i.theme, *i.acceptable] for i in self.items))

    @property
    def arrondissement_accuracy(self) -> float:
        return self._rate(sum(i.predicted_arrondissement == i.arrondissement for i in self.items))

    @property
    def professions_accuracy(self) -> float:
        """Exact match of the set of professions."""
        return self._rate(sum(set(i.predicted_professions) == set(i.professions) for i in self.items))

    def professions_prf(self) -> tuple[float, float]:
        tp = sum(len(set(i.predicted_professions) & set(i.professions)) for i in self.items)
        pred = sum(len(set(i.predicted_professions)) for i in self.items)
        gold = sum(len(set(i.professions)) for i in self.items)
        return (tp / pred if pred else 1.0, tp / gold if gold else 1.0)

    def confusion(self) -> dict[str, Counter]:
        table: dict[str, Counter] = {t: Counter() for t in THEMES}
        for i in self.items:
            table[i.theme][i.predicted_theme] += 1
        return table

    def summary(self) -> dict[str, Any]:
        precision, recall = self.professions_prf()
        return {
            "jeu": self.path.name + (f" ({self.split})" if self.split else ""),
            "demandes": len(self.items),
            "theme_exact": round(self.theme_accuracy, 3),
            "theme_souple": round(self.theme_accuracy_lenient, 3),
            "arrondissement": round(self.arrondissement_accuracy, 3),
            "professions_exactes": round(self.professions_accuracy, 3),
            "professions_precision": round(precision, 3),
            "professions_rappel": round(recall, 3),
            "avertissements": sorted(set(self.warnings)),
        }


def load_set(path: Path | None = None, split: str | None = None) -> list[dict[str, Any]]:
    """The labelled requests of ``path`` (a mapping with ``demandes`` or a bare list), of one split if given."""
    path = path or DEFAULT_SET
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    items = data["demandes"] if isinstance(data, dict) else data
    if split is not None:
        items = [it for it in items if it.get("split") == split]
    for it in items:
        if it["theme"] not in THEMES:
            raise ValueError(f"{it['id']}: unknown theme {it['theme']!r}")
    return items


def evaluate(path: Path | None = None, split: str | None = None) -> EvalResult:
    path = Path(path or DEFAULT_SET)
    result = EvalResult(path=path, split=split)
    for it in load_set(path, split):
        x = integrations.extract(it["texte"], result.warnings)
        result.items.append(
            ItemResult(
                id=str(it["id"]),
                texte=it["texte"].strip(),
                theme=it["theme"],
                acceptable=list(it.get("themes_acceptables") or [])
                + ([it["theme_second"]] if it.get("theme_second") else []),
                predicted_theme=classify_theme(it["texte"]),
                # the independent set spells rules_bridge's codes with hyphens (medecin-generaliste)
                professions=[str(p).replace("-", "_") for p in it.get("professions") or []],
                predicted_professions=x.professions,
                arrondissement=it.get("arrondissement"),
                predicted_arrondissement=x.arrondissement,
            )
        )
    return result


def print_report(result: EvalResult, console, show_errors: bool = False) -> None:
    from rich.table import Table

    s = result.summary()
    console.print(f"[bold]Jeu :[/bold] {s['jeu']} — {s['demandes']} demandes")
    console.print(f"Thème (exact)             : {s['theme_exact']:.1%}")
    console.print(f"Thème (souple, multi-thème): {s['theme_souple']:.1%}")
    console.print(f"Arrondissement            : {s['arrondissement']:.1%}")
    console.print(
        f"Professions (ensemble exact): {s['professions_exactes']:.1%} "
        f"(précision {s['professions_precision']:.1%}, rappel {s['professions_rappel']:.1%})"
    )
    for w in s["avertissements"]:
        console.print(f"[yellow]{w}[/yellow]")
    table = Table("attendu \\ prédit", *THEMES, title="Matrice de confusion des thèmes")
    for theme, row in result.confusion().items():
        table.add_row(theme, *[str(row.get(t, 0) or "") for t in THEMES])
    console.print(table)
    if show_errors:
        for i in result.items:
            problems = []
            if i.predicted_theme not in [i.theme, *i.acceptable]:
                problems.append(f"thème {i.predicted_theme} ≠ {i.theme}")
            if set(i.predicted_professions) != set(i.professions):
                problems.append(f"professions {i.predicted_professions} ≠ {i.professions}")
            if i.predicted_arrondissement != i.arrondissement:
                problems.append(f"arrondissement {i.predicted_arrondissement} ≠ {i.arrondissement}")
            if problems:
                console.print(f"[red]{i.id}[/red] {' ; '.join(problems)}\n    {i.texte[:160]}")


def evaluate_classification(path: Path | None = None) -> dict[str, Any]:
    """Summary figures of the triage (theme, arrondissement, professions): on ``path`` if given, otherwise on the
    independent set's dev and test splits and on the older labelled set."""
    if path is not None:
        return evaluate(path).summary()
    return {
        "independant_dev": evaluate(INDEPENDENT_SET, "dev").summary(),
        "independant_test": evaluate(INDEPENDENT_SET, "test").summary(),
        "ancien_jeu": evaluate(DEFAULT_SET).summary(),
    }


def train_theme_model(
    items: list[dict[str, Any]], settings: dict[str, Any] | None = None, vector_cache: Path | None = None
) -> dict[str, Any]:
    """Fits the theme model (multinomial logistic regression over `classify.theme_features`) on labelled
    requests and returns its coefficients as plain data (the content of data/theme_model.json)."""
    from .classify import theme_features, theme_rules
    from .vectors import request_vectors

    cfg = {**MODEL_SETTINGS, **(settings or {})}
    ngrams = (int(cfg["ngrams"][0]), int(cfg["ngrams"][1]))
    rules = theme_rules()
    rules_weight = float(cfg["rules_weight"])
    vector_weight = float(cfg["vector_weight"])
    textes = [it["texte"] for it in items]
    vectors = request_vectors(textes, vector_cache) if vector_weight > 0 else [None] * len(items)
    rows = [
        theme_features(t, rules, float(cfg["ask_weight"]), ngrams, rules_weight, v, vector_weight)
        for t, v in zip(textes, vectors)
    ]
    fitted = fit_linear_model(rows, [it["theme"] for it in items], float(cfg["C"]), int(cfg["min_df"]))
    return {
        "about": "Theme model of the staff triage: python -m channels.staff.evaluation train (eval/RESULTATS.md).",
        "settings": cfg,
        "trained_on": len(items),
        "ask_weight": float(cfg["ask_weight"]),
        "ngrams": list(ngrams),
        "rules_weight": rules_weight,
        "vector_weight": vector_weight,
        **fitted,
    }


def training_items() -> list[dict[str, Any]]:
    """The labelled requests of TRAINING_SOURCES that exist (the independent set's test split is never used)."""
    items: list[dict[str, Any]] = []
    for path, split in TRAINING_SOURCES:
        if path.exists():
            items += load_set(path, split)
    return items


def main(argv: list[str] | None = None) -> None:
    """``python -m channels.staff.evaluation train``: refits data/theme_model.json on TRAINING_SOURCES."""
    import sys

    from .classify import THEME_MODEL_FILE, theme_model

    args = sys.argv[1:] if argv is None else argv
    if args != ["train"]:
        raise SystemExit("usage: python -m channels.staff.evaluation train")
    items = training_items()
    model = train_theme_model(items, vector_cache=VECTOR_CACHE)
    write_model_data(THEME_MODEL_FILE, model)
    theme_model.cache_clear()
    print(f"{THEME_MODEL_FILE.name}: {len(model['weights'])} features, {len(items)} labelled requests")


if __name__ == "__main__":
    main()
