"""The profile of a project (input of ``estimate``), validated with French error messages.

Field names are French (they are part of the public contract). Synonyms are accepted for professions,
structures, projects, sectors and zones (« kiné », « MG », « maison de santé », « déplacement »…).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from frenchtext import key
from rules_bridge.errors import ProfileError, profile_error_from_validation
from rules_bridge.grid import load_grid
from rules_bridge.limits import MAX_PROFESSIONALS
from rules_bridge.places import parse_place
from rules_bridge.reference import load_reference

_PROJECT_SEPARATORS = re.compile(r"\s*(?:[+,;/]|\bet\b)\s*")
_TRUE = {"true", "oui", "vrai", "yes", "1", "o", "y"}
_FALSE = {"false", "non", "faux", "no", "0", "n"}


def _fail(message: str, field: str | None = None) -> PydanticCustomError:
    """A validation error carrying a French message; ``{champ}`` is replaced by the field path."""
    return PydanticCustomError("profile", "{message}", {"message": message, "field": field or ""})


def _accepted(values: list[str]) -> str:
    return ", ".join(values)


def _profession_names(ids: list[str]) -> list[str]:
    """The professions' French names (the active grid's, else the vocabulary's): a user typing a profile reads
    « masseur-kinésithérapeute », not the identifier « masseur_kinesitherapeute »."""
    grid = load_grid().professions
    vocab = load_reference().vocab
    return [grid[p].libelle if p in grid else vocab.label(p) for p in ids]


def _to_bool(value: Any) -> Any:
    if isinstance(value, str):
        k = key(value)
        if k in _TRUE:
            return True
        if k in _FALSE:
            return False
        raise _fail(f"Le champ {{champ}} doit valoir oui ou non : « {value} » ne convient pas.")
    return value


class Professionnel(BaseModel):
    """One line of the team: a profession, how many, and (for doctors) the sector."""

    model_config = ConfigDict(extra="forbid")

    profession: str
    nombre: int = Field(1, le=MAX_PROFESSIONALS)
    secteur: str | None = None

    @field_validator("profession", mode="before")
    @classmethod
    def _profession(cls, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise _fail("Le champ {champ} doit être une profession (par exemple « medecin_generaliste » ou « kiné »).")
        vocab = load_reference().vocab
        found = vocab.lookup(vocab.profession_index, value)
        if not found:
            raise _fail(
                f"Le champ {{champ}} doit être une profession connue : « {value} » ne l'est pas "
                f"(professions acceptées, en toutes lettres : {_accepted(_profession_names(list(vocab.professions)))})."
            )
        return found

    @field_validator("nombre", mode="before")
    @classmethod
    def _nombre(cls, value: Any) -> Any:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise _fail(f"Le champ {{champ}} doit être un nombre entier : « {value} » ne l'est pas.")
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if isinstance(value, (int, float)) and value < 1:
            raise _fail(
                f"Le champ {{champ}} doit être un nombre entier supérieur ou égal à 1 : « {int(value)} » ne l'est pas."
            )
        return value

    @field_validator("secteur", mode="before")
    @classmethod
    def _secteur(cls, value: Any) -> Any:
        if value is None:
            return None
        vocab = load_reference().vocab
        found = vocab.lookup(vocab.secteur_index, value)
        if not found:
            raise _fail(
                f"Le champ {{champ}} doit être un secteur connu : « {value} » ne l'est pas "
                f"(valeurs acceptées : {_accepted(list(vocab.secteurs))})."
            )
        return found

    @model_validator(mode="after")
    def _secteur_matches_profession(self) -> Professionnel:
        doctor = self.profession.startswith("medecin_")
        if self.secteur is None:
            return self
        if doctor and self.secteur == "conventionne":
            self.secteur = "1"
        elif not doctor and self.secteur == "1":
            self.secteur = "conventionne"
        elif not doctor and self.secteur in {"2", "optam"}:
            raise _fail(
                f"Le champ {{champ}} ne peut valoir « {self.secteur} » que pour un médecin : "
                "pour les autres professions, indiquez « conventionne » ou « non_conventionne ».",
                field="secteur",
            )
        return self


class Profile(BaseModel):
    """A project: who (professionnels), where (code_postal or arrondissement), what (structure, projet)."""

    model_config = ConfigDict(extra="forbid")

    professionnels: list[Professionnel] = Field(min_length=1)
    code_postal: str | None = None
    arrondissement: int | None = None
    structure: str | None = None
    projet: list[str] | None = None
    primo_installation: bool | None = None
    zone_ars: str | None = None
    qpv: bool | None = None
    projet_sante: bool | None = None
    depenses_investissement_eur: int | None = Field(None, ge=0)

    @field_validator("professionnels", mode="before")
    @classmethod
    def _professionnels(cls, value: Any) -> Any:
        if isinstance(value, list) and not value:
            raise _fail("Le champ {champ} doit contenir au moins un professionnel.")
        return value

    @field_validator("code_postal", mode="before")
    @classmethod
    def _code_postal(cls, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise _fail("Le champ {champ} doit être un code postal sous forme de texte (par exemple « 75019 »).")
        text = re.sub(r"\s+", "", str(value))
        if text not in load_reference().postal_index:
            raise _fail(
                "Le champ {champ} doit être un code postal parisien (75001 à 75020 ou 75116) : "
                f"« {value} » ne l'est pas."
            )
        return text

    @field_validator("arrondissement", mode="before")
    @classmethod
    def _arrondissement(cls, value: Any) -> Any:
        if value is None:
            return None
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str):
            number = parse_place(value, standalone=True).arrondissement
        if number is None or not 1 <= number <= 20:
            raise _fail(
                "Le champ {champ} doit être un numéro d'arrondissement de 1 à 20 (par exemple 19 ou « 19e ») : "
                f"« {value} » ne l'est pas."
            )
        return number

    @field_validator("projet", mode="before")
    @classmethod
    def _projets(cls, value: Any) -> Any:
        """One project or several components (« installation + travaux + équipement »), as a list of ids."""
        if value is None:
            return None
        items = _PROJECT_SEPARATORS.split(value) if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise _fail(
                "Le champ {champ} doit être un type de projet ou une liste de types de projet "
                "(par exemple « installation » ou [« installation », « travaux », « équipement »])."
            )
        vocab = load_reference().vocab
        found: list[str] = []
        for item in items:
            canonical = vocab.lookup(vocab.projet_index, item) if isinstance(item, str) and item.strip() else None
            if canonical is None:
                raise _fail(
                    f"Le champ {{champ}} doit contenir des valeurs parmi : {_accepted(list(vocab.projets))} ; "
                    f"« {item} » n'en fait pas partie."
                )
            found.append(canonical)
        return list(dict.fromkeys(found))

    @field_validator("structure", "zone_ars", mode="before")
    @classmethod
    def _canonical(cls, value: Any, info: Any) -> Any:
        if value is None:
            return None
        vocab = load_reference().vocab
        accepted: list[str] = list(vocab.structures) if info.field_name == "structure" else list(vocab.zones_ars)
        index = vocab.structure_index if info.field_name == "structure" else vocab.zone_index
        found = vocab.lookup(index, value) if isinstance(value, str) else None
        if not found:
            raise _fail(
                f"Le champ {{champ}} doit être l'une des valeurs suivantes : {_accepted(accepted)} ; "
                f"« {value} » ne l'est pas."
            )
        return found

    @field_validator("primo_installation", "qpv", "projet_sante", mode="before")
    @classmethod
    def _booleans(cls, value: Any) -> Any:
        return _to_bool(value)

    @model_validator(mode="after")
    def _team_size(self) -> Profile:
        if self.nombre_total > MAX_PROFESSIONALS:
            raise _fail(
                f"Le champ {{champ}} compte {self.nombre_total} professionnels en tout : l'estimation en accepte "
                f"{MAX_PROFESSIONALS} au plus.",
                field="professionnels",
            )
        return self

    @model_validator(mode="after")
    def _location(self) -> Profile:
        ref = load_reference()
        if self.code_postal is None and self.arrondissement is None:
            raise _fail(
                "Indiquez le lieu du projet : le champ « code_postal » (ou à défaut « arrondissement ») est obligatoire.",
                field="code_postal",
            )
        if self.code_postal is not None:
            from_postal = ref.postal_index[self.code_postal]
            if self.arrondissement is not None and self.arrondissement != from_postal:
                raise _fail(
                    f"Le champ « arrondissement » ({self.arrondissement}) ne correspond pas au champ "
                    f"« code_postal » ({self.code_postal}).",
                    field="arrondissement",
                )
            self.arrondissement = from_postal
        return self

    @property
    def nombre_total(self) -> int:
        return sum(p.nombre for p in self.professionnels)

    @property
    def arrondissement_num(self) -> int:
        assert self.arrondissement is not None  # guaranteed by validation
        return self.arrondissement


def coerce_profile(profile: Profile | dict[str, Any]) -> Profile:
    """A validated Profile from a Profile or a dict; raises ProfileError with a French message."""
    if isinstance(profile, Profile):
        return profile
    if not isinstance(profile, dict):
        raise ProfileError("profil", "Le profil doit être un objet (dictionnaire de champs).")
    try:
        return Profile.model_validate(profile)
    except ValidationError as exc:
        raise profile_error_from_validation(exc) from None
