"""Calibration of a grid on the published results of Paris Méd' 2 (``data/resultats_publies.yaml``, seed-001).

The « aide plancher » is the minimum a project holder can count on in a financing plan: an estimate above what
comparable structures actually received would mislead. ``calibrate(grid)`` checks, for representative profiles
of the 29 funded structures (225 professionals):

1. the mean floor per professional stays at or below the published mean (1 203 816 € / 225 ≈ 5 350 €);
2. per category (cabinets de groupe, MSP, centres de santé), the floors of the representative structures add up
   to no more than what the category received;
3. no representative profile gets a floor above the median grant of its category;
4. no team of a sweep (2 to 40 professionals, most favourable zone, QPV and health project) gets a floor above
   the largest grant of its category.

    python -m rules_bridge.calibration [VERSION]   # prints the figures, exit 1 when a check fails
"""

from __future__ import annotations

import statistics
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from frenchtext import format_eur
from rules_bridge.engine import estimate
from rules_bridge.errors import GridError
from rules_bridge.grid import Grid, load_grid
from rules_bridge.reference import DATA_DIR

PUBLISHED_PATH = DATA_DIR / "resultats_publies.yaml"
SWEEP_SIZES = (2, 3, 5, 8, 12, 20, 30, 40)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Grant(_Strict):
    nom: str
    categorie: str
    montant_eur: int


class Category(_Strict):
    libelle: str
    total_eur: int
    structures_grille: list[str]


class RepresentativeProfile(_Strict):
    titre: str
    nombre: int
    profil: dict[str, Any]

    @property
    def professionals(self) -> int:
        return sum(int(p.get("nombre", 1)) for p in self.profil["professionnels"])


class PublishedResults(_Strict):
    source: str
    periode: str
    total_annonce_eur: int
    structures: int
    professionnels: int
    professionnels_par_profession: dict[str, int]
    part_qpv_pct: int
    categories: dict[str, Category]
    subventions: list[Grant]
    profils_representatifs: list[RepresentativeProfile]

    @property
    def mean_per_professional(self) -> float:
        return self.total_annonce_eur / self.professionnels

    def grants(self, category: str) -> list[int]:
        return sorted(g.montant_eur for g in self.subventions if g.categorie == category)

    def category_of(self, structure: str) -> str:
        for cid, category in self.categories.items():
            if structure in category.structures_grille:
                return cid
        raise GridError(f"Structure « {structure} » sans catégorie publiée comparable.")


@lru_cache(maxsize=2)
def load_published(path: str | None = None) -> PublishedResults:
    file = Path(path) if path else PUBLISHED_PATH
    try:
        with file.open(encoding="utf-8") as handle:
            return PublishedResults.model_validate(yaml.safe_load(handle))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise GridError(f"Résultats publiés illisibles : {file} : {exc}") from exc


class ProfileResult(BaseModel):
    titre: str
    nombre: int
    professionnels: int
    categorie: str
    aide_plancher_eur: int
    mediane_categorie_eur: float


class CategoryResult(BaseModel):
    categorie: str
    libelle: str
    structures: int
    total_grille_eur: int
    total_publie_eur: int
    mediane_publiee_eur: float
    max_publie_eur: int
    max_balayage_eur: int


class CalibrationReport(BaseModel):
    version_grille: str
    structures: int
    professionnels: int
    total_grille_eur: int
    moyenne_grille_par_professionnel_eur: float
    moyenne_publiee_par_professionnel_eur: float
    profils: list[ProfileResult]
    categories: list[CategoryResult]
    problemes: list[str]

    @property
    def ok(self) -> bool:
        return not self.problemes


def _sweep_profile(structure: str, size: int) -> dict[str, Any]:
    """The most favourable team of ``size`` general practitioners for ``structure`` (ZIP, QPV, health project)."""
    return {
        "professionnels": [{"profession": "medecin_generaliste", "nombre": size, "secteur": "1"}],
        "arrondissement": 19,
        "zone_ars": "zip",
        "qpv": True,
        "projet_sante": True,
        "structure": structure,
        "projet": ["installation", "travaux", "equipement"],
    }


def calibrate(grid: Grid | str | None = None, published: PublishedResults | None = None) -> CalibrationReport:
    """Check ``grid`` (default: the default grid) against the published results; see the module docstring."""
    g = grid if isinstance(grid, Grid) else load_grid(grid)
    pub = published or load_published()
    problems: list[str] = []
    profiles: list[ProfileResult] = []
    for rep in pub.profils_representatifs:
        e = estimate(rep.profil, g)
        category = pub.category_of(str(e.profil.structure))
        median = statistics.median(pub.grants(category))
        profiles.append(
            ProfileResult(
                titre=rep.titre,
                nombre=rep.nombre,
                professionnels=rep.professionals,
                categorie=category,
                aide_plancher_eur=e.aide_plancher_eur,
                mediane_categorie_eur=median,
            )
        )
        if e.aide_plancher_eur > median:
            problems.append(
                f"« {rep.titre} » : {format_eur(e.aide_plancher_eur)}, au-dessus de la subvention médiane des "
                f"{pub.categories[category].libelle} ({format_eur(median)})."
            )
    structures = sum(p.nombre for p in profiles)
    professionals = sum(p.nombre * p.professionnels for p in profiles)
    if (structures, professionals) != (pub.structures, pub.professionnels):
        problems.append(
            f"Les profils représentatifs décrivent {structures} structures et {professionals} professionnels "
            f"au lieu de {pub.structures} et {pub.professionnels}."
        )
    total = sum(p.nombre * p.aide_plancher_eur for p in profiles)
    mean = total / professionals if professionals else 0.0
    if mean > pub.mean_per_professional:
        problems.append(
            f"Aide plancher moyenne de {format_eur(mean)} par professionnel, au-dessus de la moyenne publiée "
            f"({format_eur(pub.mean_per_professional)})."
        )
    categories: list[CategoryResult] = []
    for cid, cat in pub.categories.items():
        mine = [p for p in profiles if p.categorie == cid]
        grants = pub.grants(cid)
        sweep = max(
            estimate(_sweep_profile(structure, size), g).aide_plancher_eur
            for structure in cat.structures_grille
            for size in SWEEP_SIZES
        )
        result = CategoryResult(
            categorie=cid,
            libelle=cat.libelle,
            structures=sum(p.nombre for p in mine),
            total_grille_eur=sum(p.nombre * p.aide_plancher_eur for p in mine),
            total_publie_eur=cat.total_eur,
            mediane_publiee_eur=statistics.median(grants),
            max_publie_eur=max(grants),
            max_balayage_eur=sweep,
        )
        categories.append(result)
        if result.total_grille_eur > result.total_publie_eur:
            problems.append(
                f"{cat.libelle} : {format_eur(result.total_grille_eur)} d'aide plancher au total, au-dessus "
                f"des {format_eur(result.total_publie_eur)} votés."
            )
        if sweep > result.max_publie_eur:
            problems.append(
                f"{cat.libelle} : une équipe peut obtenir {format_eur(sweep)}, au-dessus de la plus forte "
                f"subvention votée ({format_eur(result.max_publie_eur)})."
            )
    return CalibrationReport(
        version_grille=g.version,
        structures=structures,
        professionnels=professionals,
        total_grille_eur=total,
        moyenne_grille_par_professionnel_eur=round(mean, 2),
        moyenne_publiee_par_professionnel_eur=round(pub.mean_per_professional, 2),
        profils=profiles,
        categories=categories,
        problemes=problems,
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    report = calibrate(args[0] if args else None)
    print(f"Grille {report.version_grille} : {report.structures} structures, {report.professionnels} professionnels")
    print(
        f"Aide plancher moyenne par professionnel : {format_eur(report.moyenne_grille_par_professionnel_eur)} "
        f"(publié : {format_eur(report.moyenne_publiee_par_professionnel_eur)})"
    )
    for p in report.profils:
        print(
            f"  {p.titre} (×{p.nombre}) : {format_eur(p.aide_plancher_eur)} (médiane {format_eur(p.mediane_categorie_eur)})"
        )
    for c in report.categories:
        print(
            f"  {c.libelle} : {format_eur(c.total_grille_eur)} pour {c.structures} structures (publié "
            f"{format_eur(c.total_publie_eur)}) ; balayage max {format_eur(c.max_balayage_eur)} "
            f"(publié max {format_eur(c.max_publie_eur)})"
        )
    for problem in report.problemes:
        print(f"PROBLÈME : {problem}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
