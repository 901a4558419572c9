"""ARS zoning of an arrondissement, as the reference data has it (``data/arrondissements.yaml``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from rules_bridge.errors import ProfileError
from rules_bridge.reference import Zone, load_reference

ZoneCode = Literal["zip", "zac", "hors_zone", "mixte"]


class ZoneArs(BaseModel):
    """ARS zone of one arrondissement.

    ``zone`` is ``zip``, ``zac``, ``hors_zone`` or ``mixte`` (several zones depending on the address, listed in
    ``valeurs``); ``libelle`` is the French label; ``hypothese`` and ``note`` say whether the value is an
    assumption to confirm; ``sources`` are keys of ``data/sources.yaml`` and ``citations`` their full references.
    ``value`` and ``str()`` give the zone code (what a one-column store keeps).
    """

    arrondissement: int
    zone: ZoneCode
    valeurs: list[Zone]
    libelle: str
    hypothese: bool
    note: str | None = None
    sources: list[str] = []
    citations: list[str] = []

    @property
    def value(self) -> str:
        return self.zone

    def __str__(self) -> str:
        return self.zone

    def to_contract(self) -> dict[str, Any]:
        return self.model_dump()


def zone_ars(arrondissement: int) -> ZoneArs:
    """The ARS zone of ``arrondissement`` (1 to 20); ProfileError (field ``arrondissement``) otherwise."""
    ref = load_reference()
    if (
        isinstance(arrondissement, bool)
        or not isinstance(arrondissement, int)
        or arrondissement not in ref.arrondissements
    ):
        raise ProfileError(
            "arrondissement",
            f"Le champ « arrondissement » doit être un numéro d'arrondissement de 1 à 20 (reçu : {arrondissement!r}).",
        )
    arr = ref.arrondissement(arrondissement)
    info = arr.zone_ars
    return ZoneArs(
        arrondissement=arrondissement,
        zone="mixte" if info.mixte else info.valeurs[0],
        valeurs=list(info.valeurs),
        libelle=ref.zonage.libelle(info.valeurs),
        hypothese=info.hypothese,
        note=info.note,
        sources=info.sources,
        citations=[ref.sources[k].citation() for k in info.sources],
    )
