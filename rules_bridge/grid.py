"""The versioned grid: pydantic schema, loading, selection of the version in use.

One YAML file per version in ``rules_bridge/grids/`` (and in folders given by the composition root, e.g.
versions loaded by staff). The newest (by ``date_effet`` then version name) is the default unless the composition
root configures an active version (``configure_grids``); this package never reads the application's settings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
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
    generalistes_min: Valeur[int] | None = None
    """General practitioners the structure has in practice (an MSP: two, for the ARS); told, not a condition."""


class ProjectRule(_Strict):
    libelle: str
    aide_investissement: Valeur[bool]
    consigne: Valeur[str] | None = None
    explication: Valeur[str] | None = None
    composantes: list[str] | None = None
    """Investment components this kind of project covers; None: all of them when it is funded."""

    def composantes_couvertes(self, grid: Grid) -> list[str]:
        if not self.aide_investissement.valeur:
            return []
        return list(grid.composantes) if self.composantes is None else list(self.composantes)


class Component(_Strict):
    """An investment component (works, equipment) and its assumed share of the floor aid."""

    libelle: str
    part_pct: Valeur[int]


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
    composantes: dict[str, Component] = {}
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
                # A profession added to the vocabulary after a grid was written is « non retenue » by that grid.
                if name not in grid_table and kind != "profession":
                    problems.append(f"{kind} « {name} » absente de la grille")
            for name in grid_table:
                if name not in vocab_table:
                    problems.append(f"{kind} « {name} » absente du vocabulaire")
        for k in self.cited_sources():
            if k not in ref.sources:
                problems.append(f"source inconnue « {k} »")
        for pid, project in self.projets.items():
            for cid in project.composantes or []:
                if cid not in self.composantes:
                    problems.append(f"projet « {pid} » : composante inconnue « {cid} »")
        if self.composantes and sum(c.part_pct.valeur for c in self.composantes.values()) != 100:
            problems.append("les parts des composantes doivent totaliser 100 %")
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


def read_grid_file(path: str | Path, *, check_name: bool = True) -> Grid:
    """Read and validate one grid file (schema, sources, vocabulary); raises GridError in French.

    ``check_name``: the version must be the file name (grids of a grids folder); off for a candidate file.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
    except OSError as exc:
        raise GridError(f"Grille introuvable ou illisible : {path} : {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise GridError(f"Grille illisible (YAML) : {path} : {exc}") from exc
    if not isinstance(raw, dict):
        raise GridError(f"Grille invalide : {path} : le fichier doit décrire un objet YAML.")
    try:
        grid = Grid.model_validate({**raw, "fichier": str(path)})
    except ValidationError as exc:
        raise GridError(f"Grille invalide : {path} : {exc}") from exc
    if check_name and Path(path).stem != grid.version:
        raise GridError(f"Grille {path} : la version « {grid.version} » doit être le nom du fichier.")
    grid.check()
    return grid


@lru_cache(maxsize=16)
def _load_file(path: str, mtime: float) -> Grid:
    return read_grid_file(path)


def _load(path: Path) -> Grid:
    return _load_file(str(path), path.stat().st_mtime)


@dataclass(frozen=True)
class _Defaults:
    """What the composition root chose: the active version and the folders searched for grids."""

    version: str = ""
    extra_dirs: tuple[Path, ...] = ()


_defaults = _Defaults()


def configure_grids(version: str | None = None, extra_dirs: Sequence[str | Path] = ()) -> None:
    """Set the default grid version (empty: the newest) and extra grid folders (e.g. versions loaded by staff).

    Called by the composition root (``parismed``) from its settings; the packaged grids are always searched.
    """
    global _defaults
    _defaults = _Defaults(version or "", tuple(Path(d) for d in extra_dirs))


def _dirs(grids_dir: str | Path | Sequence[str | Path] | None) -> tuple[Path, ...]:
    if grids_dir is None:
        return (GRIDS_DIR, *_defaults.extra_dirs)
    if isinstance(grids_dir, (str, Path)):
        return (Path(grids_dir),)
    return tuple(Path(d) for d in grids_dir)


def _grid_index(dirs: tuple[Path, ...]) -> list[tuple[GridInfo, Path]]:
    """Grids of ``dirs``, newest first; a version found in two folders is taken from the first."""
    seen: dict[str, tuple[GridInfo, Path]] = {}
    for directory in dirs:
        for path in sorted(directory.glob("*.yaml")):
            grid = _load(path)
            if grid.version not in seen:
                info = GridInfo(version=grid.version, titre=grid.titre, date_effet=grid.date_effet, fichier=path.name)
                seen[grid.version] = (info, path)
    return sorted(seen.values(), key=lambda item: (item[0].date_effet, item[0].version), reverse=True)


def list_grids(grids_dir: str | Path | Sequence[str | Path] | None = None) -> list[GridInfo]:
    """Available grid versions, newest first (default folders: the packaged grids and the configured ones)."""
    return [info for info, _ in _grid_index(_dirs(grids_dir))]


def newest_version(grids_dir: str | Path | Sequence[str | Path] | None = None) -> str:
    grids = list_grids(grids_dir)
    if not grids:
        raise GridError("Aucune grille disponible.")
    return grids[0].version


def load_grid(version: str | None = None, grids_dir: str | Path | Sequence[str | Path] | None = None) -> Grid:
    """The grid ``version`` (file name without extension).

    Default version: the one configured by ``configure_grids`` (the active grid), else the newest grid.
    ``grids_dir``: a folder or folders to search instead of the default ones.
    """
    dirs = _dirs(grids_dir)
    grids = _grid_index(dirs)
    if not grids:
        raise GridError(f"Aucune grille dans {', '.join(str(d) for d in dirs)}.")
    wanted = version or _defaults.version or grids[0][0].version
    for info, path in grids:
        if info.version == wanted:
            return _load(path)
    known = ", ".join(info.version for info, _ in grids)
    raise GridError(f"Grille « {wanted} » introuvable (versions disponibles : {known}).")
