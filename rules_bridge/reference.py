"""Reference data (sources, arrondissements, partners, needs, vocabulary), loaded once and validated.

All content lives in ``rules_bridge/data/*.yaml``; this module only gives it a typed shape.
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from frenchtext import key, public_link
from rules_bridge._text import arrondissement_short, phrase_key
from rules_bridge.errors import GridError

DATA_DIR = Path(__file__).resolve().parent / "data"

Zone = Literal["zip", "zac", "hors_zone"]
ZONE_ORDER: tuple[Zone, ...] = ("hors_zone", "zac", "zip")


def as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceEntry(_Strict):
    """A document the grid or the reference tables rest on (``data/sources.yaml``).

    Users see it as the guide shows its sources (``knowledge_base.guide.SourceRef``): a public link, or the
    document named plainly when it has none (the seeds: a paris.fr news item, the activity report…); never its
    key (``seed-000``) nor ``fichier``, the stored copy that was read (kept in the YAML for maintainers).
    """

    titre: str = Field(min_length=1)
    editeur: str
    date: str
    url: str | None = None
    fichier: str | None = None

    @field_validator("url")
    @classmethod
    def _public_link(cls, url: str | None) -> str | None:
        return None if url is None else public_link(url)

    def citation(self) -> str:
        """What users read: « title — publisher — date », then the public link when there is one."""
        return " — ".join(part for part in (self.titre, self.editeur, self.date, self.url) if part)

    def label(self) -> str:
        """The short form of a table cell: « « title », publisher »."""
        return f"«\u00a0{self.titre}\u00a0», {self.editeur}"


class Sourced(_Strict):
    """Mixin: a value backed by sources and/or marked as an assumption with a French note."""

    source: str | list[str] | None = None
    hypothese: bool = False
    note: str | None = None

    @property
    def sources(self) -> list[str]:
        return as_list(self.source)

    @model_validator(mode="after")
    def _sourced_or_assumed(self) -> Sourced:
        if not self.sources and not self.hypothese:
            raise ValueError("chaque valeur doit porter une source ou « hypothese: true »")
        if self.hypothese and not (self.note and self.note.strip()):
            raise ValueError("une hypothèse doit porter une note en français")
        return self


class ZoneInfo(Sourced):
    valeurs: list[Zone] = Field(min_length=1)

    @property
    def mixte(self) -> bool:
        return len(self.valeurs) > 1

    @property
    def prudente(self) -> Zone:
        """The least favourable possible zone (used when the address is unknown)."""
        return min(self.valeurs, key=ZONE_ORDER.index)


class QpvInfo(Sourced):
    valeur: Literal["oui", "non", "a_confirmer"]


class Cpts(Sourced):
    nom: str
    arrondissements: list[int]
    url: str | None = None


class Arrondissement(_Strict):
    numero: int = 0
    libelle: str
    secteur: str | None = None
    codes_postaux: list[str]
    zone_ars: ZoneInfo
    qpv: QpvInfo
    cpts: Cpts | None = None

    @property
    def court(self) -> str:
        return arrondissement_short(self.numero)


class LabelledSources(_Strict):
    libelle: str
    sources: list[str] = []


class ZonageMeta(_Strict):
    ordre: list[Zone]
    libelles: dict[Zone, str]
    libelle_mixte: str
    contexte: list[LabelledSources]

    def libelle(self, valeurs: list[Zone]) -> str:
        """French label of one zone, or of a mixed arrondissement (several possible zones)."""
        if len(valeurs) == 1:
            return self.libelles[valeurs[0]]
        return self.libelle_mixte.format(possibles=" ou ".join(self.libelles[z] for z in valeurs))


class PartnerEntry(_Strict):
    id: str = ""
    nom: str
    role: str
    pour_qui: str
    url: str | None = None
    url_verifiee: bool = False
    contact: str | None = None
    sources: list[str] = []
    professions: list[str] = []
    ordre: bool = False
    raisons: dict[str, str]

    @field_validator("raisons")
    @classmethod
    def _has_default(cls, value: dict[str, str]) -> dict[str, str]:
        if "defaut" not in value:
            raise ValueError("une raison « defaut » est obligatoire")
        return value


class PartnerTemplate(_Strict):
    nom: str | None = None
    raison: str
    raison_sans_site: str | None = None
    url: str | None = None
    url_si_absente: str | None = None
    url_verifiee: bool = False
    contact: str | None = None
    sources: list[str] = []
    partenaire: str | None = None
    professions: list[str] = []


class Need(_Strict):
    id: str = ""
    libelle: str
    mots: list[str] = []
    partenaires: list[str]
    priorite: int = 1


class PatientCues(_Strict):
    """Cues of a patient-side mention of a profession (see the comment in ``data/vocabulaire.yaml``)."""

    beneficiaires: list[str]
    recherche_avant: list[str]
    indices_equipe: list[str]
    fenetre_beneficiaire: int = Field(8, ge=1)
    note: str


class Vocabulary(_Strict):
    professions: dict[str, list[str]]
    secteurs: dict[str, list[str]]
    structures: dict[str, list[str]]
    projets: dict[str, list[str]]
    zones_ars: dict[Zone, list[str]]
    sigles: list[str] = []
    ordinaux: dict[str, int]
    nombres_en_mots: dict[str, int]
    retrait_avant: list[str]
    retrait_verbes: list[str]
    hors_paris_avant: list[str]
    lieu_actuel_avant: list[str]
    hors_paris: list[str]
    hors_paris_codes_postaux: list[str]
    contexte_arrondissement_avant: list[str]
    contexte_arrondissement_apres: list[str]
    contexte_non_arrondissement_apres: list[str]
    effectif_avant: list[str]
    effectif_apres: list[str]
    collegues: list[str]
    soi_meme_avant: list[str]
    ajout_avant: list[str]
    ajout_apres: list[str]
    ajout_verbes: list[str]
    rejoindre_verbes: list[str]
    structure_existante: list[str]
    medecin_generique: list[str]
    titres_medecin: list[str]
    titre_doctorat_apres: list[str]
    patient: PatientCues
    note_secteur: str
    libelles: dict[str, tuple[str, str]] = {}

    def label(self, profession: str, count: int = 1) -> str:
        """French label of a profession the grid may not describe (« 2 ostéopathes »)."""
        singular, plural = self.libelles.get(profession, (profession.replace("_", " "),) * 2)
        return singular if count == 1 else plural

    def _index(self, table: dict[str, list[str]]) -> dict[str, str]:
        index: dict[str, str] = {}
        for canonical, synonyms in table.items():
            for text in [canonical, *synonyms]:
                index.setdefault(key(text), canonical)
                index.setdefault(" ".join(phrase_key(text)), canonical)
        return index

    @cached_property
    def profession_index(self) -> dict[str, str]:
        return self._index(self.professions)

    @cached_property
    def secteur_index(self) -> dict[str, str]:
        return self._index(self.secteurs)

    @cached_property
    def structure_index(self) -> dict[str, str]:
        return self._index(self.structures)

    @cached_property
    def projet_index(self) -> dict[str, str]:
        return self._index(self.projets)

    @cached_property
    def zone_index(self) -> dict[str, str]:
        return self._index(self.zones_ars)  # type: ignore[arg-type]

    @staticmethod
    def lookup(index: dict[str, str], text: Any) -> str | None:
        k = key(str(text))
        return index.get(k) or index.get(" ".join(phrase_key(k)))


class Reference(BaseModel):
    """Every reference table, cross-checked (source keys, partner ids, need ids)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    sources: dict[str, SourceEntry]
    arrondissements: dict[int, Arrondissement]
    zonage: ZonageMeta
    cpts_contexte: list[LabelledSources]
    partners: dict[str, PartnerEntry]
    templates: dict[str, PartnerTemplate]
    needs: dict[str, Need]
    default_need: Need
    needs_from_profile: dict[str, dict[str, list[str]]]
    vocab: Vocabulary

    @cached_property
    def postal_index(self) -> dict[str, int]:
        return {cp: n for n, arr in self.arrondissements.items() for cp in arr.codes_postaux}

    @cached_property
    def postal_codes(self) -> list[str]:
        return sorted(self.postal_index)

    def arrondissement(self, number: int) -> Arrondissement:
        return self.arrondissements[number]

    def source_labels(self, source_keys: list[str]) -> str | None:
        """The sources of a value as users read them (short forms joined by « ; »), None when there are none."""
        return " ; ".join(self.sources[k].label() for k in source_keys) or None

    def check(self) -> None:
        """Cross-reference checks; raises GridError with a French message."""
        problems: list[str] = []

        def need_source(where: str, keys: list[str]) -> None:
            for k in keys:
                if k not in self.sources:
                    problems.append(f"{where} : source inconnue « {k} »")

        for n, arr in self.arrondissements.items():
            need_source(f"arrondissement {n} (zonage)", arr.zone_ars.sources)
            need_source(f"arrondissement {n} (QPV)", arr.qpv.sources)
            if arr.cpts:
                need_source(f"CPTS {arr.cpts.nom}", arr.cpts.sources)
        for item in [*self.zonage.contexte, *self.cpts_contexte]:
            need_source(item.libelle, item.sources)
        for pid, partner in self.partners.items():
            need_source(f"partenaire {pid}", partner.sources)
            for prof in partner.professions:
                if prof not in self.vocab.professions:
                    problems.append(f"partenaire {pid} : profession inconnue « {prof} »")
            for need_id in partner.raisons:
                if need_id != "defaut" and need_id not in self.needs:
                    problems.append(f"partenaire {pid} : besoin inconnu « {need_id} »")
        for tid, template in self.templates.items():
            need_source(f"modèle {tid}", template.sources)
            if template.partenaire and template.partenaire not in self.partners:
                problems.append(f"modèle {tid} : partenaire inconnu « {template.partenaire} »")
        for need in [*self.needs.values(), self.default_need]:
            for pid in need.partenaires:
                if not pid.startswith("@") and pid not in self.partners:
                    problems.append(f"besoin {need.id} : partenaire inconnu « {pid} »")
                if pid.startswith("@") and pid not in {"@cpts", "@urps", "@ordre"}:
                    problems.append(f"besoin {need.id} : modèle inconnu « {pid} »")
        for kind, table in self.needs_from_profile.items():
            vocab_table = self.vocab.projets if kind == "projets" else self.vocab.structures
            for name, needs in table.items():
                if name not in vocab_table:
                    problems.append(f"besoins depuis le profil : {kind} inconnu « {name} »")
                problems.extend(
                    f"besoins depuis le profil : besoin inconnu « {n} »" for n in needs if n not in self.needs
                )
        if sorted(self.arrondissements) != list(range(1, 21)):
            problems.append("les arrondissements doivent être numérotés de 1 à 20")
        if problems:
            raise GridError("Données de référence invalides : " + " ; ".join(problems))


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as exc:
        raise GridError(f"Fichier de données introuvable : {path}") from exc
    except yaml.YAMLError as exc:
        raise GridError(f"Fichier de données illisible (YAML) : {path} : {exc}") from exc


def _build(data_dir: Path) -> Reference:
    sources = _read_yaml(data_dir / "sources.yaml")
    arr_data = _read_yaml(data_dir / "arrondissements.yaml")
    partners_data = _read_yaml(data_dir / "partenaires.yaml")
    needs_data = _read_yaml(data_dir / "besoins.yaml")
    vocab_data = _read_yaml(data_dir / "vocabulaire.yaml")

    arrondissements = {int(n): {**raw, "numero": int(n)} for n, raw in arr_data["arrondissements"].items()}
    cpts_list = [Cpts.model_validate(c) for c in arr_data.get("cpts", [])]
    for cpts in cpts_list:
        for n in cpts.arrondissements:
            arrondissements[n]["cpts"] = cpts
    partners = {pid: {**raw, "id": pid} for pid, raw in partners_data["partenaires"].items()}
    needs = {nid: {**raw, "id": nid} for nid, raw in needs_data["besoins"].items()}
    reference = Reference.model_validate(
        {
            "sources": sources,
            "arrondissements": arrondissements,
            "zonage": arr_data["zonage_ars"],
            "cpts_contexte": arr_data.get("cpts_contexte", []),
            "partners": partners,
            "templates": partners_data.get("modeles", {}),
            "needs": needs,
            "default_need": {**needs_data["besoin_par_defaut"], "id": "general"},
            "needs_from_profile": needs_data.get("depuis_profil", {}),
            "vocab": vocab_data,
        }
    )
    reference.check()
    return reference


@lru_cache(maxsize=4)
def load_reference(data_dir: str | None = None) -> Reference:
    """Load and validate the reference tables (cached; pass ``data_dir`` only in tests)."""
    path = Path(data_dir) if data_dir else DATA_DIR
    try:
        return _build(path)
    except ValidationError as exc:
        raise GridError(f"Données de référence invalides dans {path} : {exc}") from exc
    except (KeyError, TypeError) as exc:
        raise GridError(f"Données de référence incomplètes dans {path} : {exc!r}") from exc
