"""The one vocabulary of professions, structures, sectors and projects (``data/vocabulaire.yaml``), typed.

Every channel (chat form, staff triage, API) normalises user wording through it::

    v = vocabulary()
    v.professions["masseur_kinesitherapeute"]      # synonyms, as written in the data file
    v.normalise("profession", "kinés")             # -> "masseur_kinesitherapeute"
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from rules_bridge.reference import load_reference

Kind = Literal["profession", "structure", "secteur", "projet"]
KINDS: tuple[Kind, ...] = ("profession", "structure", "secteur", "projet")


class Vocabulaire(BaseModel):
    """Canonical ids and their synonyms (a trailing « * » marks a free-text prefix, e.g. « déménag* »)."""

    model_config = ConfigDict(frozen=True)

    professions: dict[str, list[str]]
    structures: dict[str, list[str]]
    secteurs: dict[str, list[str]]
    projets: dict[str, list[str]]

    def table(self, kind: Kind) -> dict[str, list[str]]:
        return {
            "profession": self.professions,
            "structure": self.structures,
            "secteur": self.secteurs,
            "projet": self.projets,
        }[kind]

    def normalise(self, kind: Kind, text: str) -> str | None:
        """The canonical id for ``text`` (accents, case, hyphens and simple plurals ignored), or None."""
        vocab = load_reference().vocab
        index = {
            "profession": vocab.profession_index,
            "structure": vocab.structure_index,
            "secteur": vocab.secteur_index,
            "projet": vocab.projet_index,
        }[kind]
        return vocab.lookup(index, text)


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulaire:
    v = load_reference().vocab
    return Vocabulaire(
        professions={k: list(s) for k, s in v.professions.items()},
        structures={k: list(s) for k, s in v.structures.items()},
        secteurs={k: list(s) for k, s in v.secteurs.items()},
        projets={k: list(s) for k, s in v.projets.items()},
    )
