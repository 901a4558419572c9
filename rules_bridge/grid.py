"""The versioned grid: pydantic schema, loading, selection of the version in use.

One YAML file per version in ``rules_bridge/grids/``. The newest (by ``date_effet`` then version name)
is the default; the setting ``grid_version`` (env ``PARISMED_GRID_VERSION``) may select another one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rules_bridge.errors import GridError
from rules_bridge.reference import ZONE_ORDER, Sourced, Zone, load_reference

GRIDS_DIR = Path(__file__).resolve().parent / "grids"

T = TypeVar("T")


class Valeur(Sourced, Generic[T]):
    """A grid value with its provenance: ``source`` (catalogue key) and/or ``hypothese: true`` + ``note``."""

    valeur: T


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProfessionRule(_Strict):
    libelle: str
    libelle_pluriel: str
    famille: Literal["medecin", "autre"]
    conventionnement_requis: bool = True
    retenu: Valeur[bool] | None = None
    base_eur: Valeur[int]

    @property
    def est_retenue(self) -> bool:
        return self.retenu is None or self.retenu.valeur

    def label(self, count: int) -> str:
        return self.libelle if count == 1 else self.libelle_pluriel


class StructureRule(_Strict):
    libelle: str
    exercice_groupe: bool
    aide_investissement: Valeur[bool]
    majoration_pct: Valeur[int]
    plafond_eur: Valeur[int]


class ProjectRule(_Strict):
    libelle: str
    aide_investissement: Valeur[bool]
    consigne: Valeur[str] | None = None
    explication: Valeur[str] | None = None


class Weighting(_Strict):
    libelle: str
    libelle_court: str | None = None
    critere_sources: list[str]

    @property
    def court(self) -> str:
        return self.libelle_court or self.libelle

    majoration_pct: Valeur[int]


class ZoneWeighting(_Strict):
    libelle: str
    critere_sources: list[str]
    valeurs: dict[Zone, Valeur[int]]

    @model_validator(mode="after")
    def _priority_order(self) -> ZoneWeighting:
        missing = [z for z in ZONE_ORDER if z not in self.valeurs]
        if missing:
            raise ValueError(f"pondération manquante pour : {', '.join(missing)}")
        pct = [self.valeurs[z].valeur for z in ZONE_ORDER]
        if pct != sorted(pct):
            raise ValueError("la majoration doit croître de « hors_zone » à « zac » puis « zip »")
        return self


class Criterion(_Strict):
    libelle: str
    critere_sources: list[str]


class Weightings(_Strict):
    zone_ars: ZoneWeighting
    qpv: Weighting
    projet_sante: Weighting
    type_structure: Criterion
    pluriprofessionnel: Weighting


class Caps(_Strict):
    par_professionnel_eur: Valeur[int]
    depenses_pct: Valeur[int]


class Conditions(_Strict):
    territoire_tout_paris: Valeur[bool]
    min_professionnels: Valeur[int]
    paramedicaux_seuls_admis: Valeur[bool]
    medecin_generaliste_exige: Valeur[bool]
    primo_installation_exigee: Valeur[bool]
    secteurs_medecins_retenus: Valeur[list[str]]
    secteurs_medecins_a_confirmer: Valeur[list[str]]
    autres_professions_conventionnees: Valeur[bool]


class Investment(_Strict):
    depenses_eligibles: Valeur[list[str]]


class Defaults(_Strict):
    structure_plusieurs: str
    structure_seul: str
    projet: str
    secteur_medecin: str
    projet_sante: bool = False
    qpv: bool = False


class Landmark(_Strict):
    libelle: str
    sources: list[str] = []


class Example(_Strict):
    titre: str
    profil: dict[str, Any]


class Grid(_Strict):
    version: str
    titre: str
    date_effet: dt.date
    date_redaction: dt.date
    statut: str
    statut_sources: list[str] = []
    avertissement: str
    avertissement_sources: list[str] = []
    conditions: Conditions
    professions: dict[str, ProfessionRule]
    structures: dict[str, StructureRule]
    projets: dict[str, ProjectRule]
    ponderations: Weightings
    plafonds: Caps
    investissement: Investment
    defauts: Defaults
    reperes: list[Landmark] = []
    exemples: list[Example] = []
    fichier: str = Field("", exclude=True)

    def iter_values(self) -> Iterator[tuple[str, Sourced]]:
        """Every sourced/assumed value of the grid with a dotted path (for checks and documentation)."""

        def walk(obj: Any, path: str) -> Iterator[tuple[str, Sourced]]:
            if isinstance(obj, Sourced):
                yield path, obj
            if isinstance(obj, BaseModel):
                for name in type(obj).model_fields:
                    yield from walk(getattr(obj, name), f"{path}.{name}" if path else name)
            elif isinstance(obj, dict):
                for k, v in obj.items():
                    yield from walk(v, f"{path}.{k}")
            elif isinstance(obj, list):
                for i, v in enumerate(obj):
                    yield from walk(v, f"{path}[{i}]")

        yield from walk(self, "")

    def cited_sources(self) -> list[str]:
        keys: list[str] = [*self.statut_sources, *self.avertissement_sources]
        for _, value in self.iter_values():
            keys.extend(value.sources)
        w = self.ponderations
        for weighting in (w.zone_ars, w.qpv, w.projet_sante, w.type_structure, w.pluriprofessionnel):
            keys.extend(weighting.critere_sources)
        for landmark in self.reperes:
            keys.extend(landmark.sources)
        return list(dict.fromkeys(keys))

    def check(self) -> None:
        """Consistency with the vocabulary and the source catalogue; raises GridError (French)."""
        ref = load_reference()
        problems: list[str] = []
        for kind, grid_table, vocab_table in (
            ("profession", self.professions, ref.vocab.professions),
            ("structure", self.structures, ref.vocab.structures),
            ("projet", self.projets, ref.vocab.projets),
        ):
            for name in vocab_table:
                if name not in grid_table:
                    problems.append(f"{kind} « {name} » absente de la grille")
            for name in grid_table:
                if name not in vocab_table:
                    problems.append(f"{kind} « {name} » absente du vocabulaire")
        for k in self.cited_sources():
            if k not in ref.sources:
                problems.append(f"source inconnue « {k} »")
        d = self.defauts
        if d.structure_plusieurs not in self.structures or d.structure_seul not in self.structures:
            problems.append("structure par défaut inconnue")
        if d.projet not in self.projets:
            problems.append("projet par défaut inconnu")
        if problems:
            raise GridError(f"Grille {self.version} invalide : " + " ; ".join(problems))


class GridInfo(BaseModel):
    version: str
    titre: str
    date_effet: dt.date
    fichier: str


@lru_cache(maxsize=8)
def _load_file(path: str) -> Grid:
    try:
        with open(path, encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        raise GridError(f"Grille illisible (YAML) : {path} : {exc}") from exc
    try:
        grid = Grid.model_validate({**raw, "fichier": path})
    except ValidationError as exc:
        raise GridError(f"Grille invalide : {path} : {exc}") from exc
    if Path(path).stem != grid.version:
        raise GridError(f"Grille {path} : la version « {grid.version} » doit être le nom du fichier.")
    grid.check()
    return grid


@lru_cache(maxsize=8)
def _grid_index(directory: str) -> tuple[GridInfo, ...]:
    """Grids of ``directory``, newest first (read once per directory)."""
    infos = []
    for path in sorted(Path(directory).glob("*.yaml")):
        grid = _load_file(str(path))
        infos.append(GridInfo(version=grid.version, titre=grid.titre, date_effet=grid.date_effet, fichier=path.name))
    return tuple(sorted(infos, key=lambda i: (i.date_effet, i.version), reverse=True))


def list_grids() -> list[GridInfo]:
    """Available grid versions, newest first."""
    return list(_grid_index(str(GRIDS_DIR)))


def _configured_version() -> str:
    try:
        from parismed.config import get_settings
    except ImportError:  # pragma: no cover - the package is always shipped with parismed
        return ""
    return get_settings().grid_version


def load_grid(version: str | None = None) -> Grid:
    """The grid ``version`` (file name without extension); default: the setting, then the newest grid."""
    return _resolve(version or _configured_version(), str(GRIDS_DIR))


@lru_cache(maxsize=32)
def _resolve(wanted: str, directory: str) -> Grid:
    grids = _grid_index(directory)
    if not grids:
        raise GridError(f"Aucune grille dans {directory}.")
    wanted = wanted or grids[0].version
    for info in grids:
        if info.version == wanted:
            return _load_file(str(Path(directory) / info.fichier))
    known = ", ".join(i.version for i in grids)
    raise GridError(f"Grille « {wanted} » introuvable (versions disponibles : {known}).")
