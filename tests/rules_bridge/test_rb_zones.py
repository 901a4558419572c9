"""zone_ars(): the ARS zone of an arrondissement from the reference data."""

from __future__ import annotations

import pytest

import rules_bridge
from rules_bridge import ProfileError, ZoneArs, zone_ars
from rules_bridge.reference import load_reference


def test_exported():
    assert rules_bridge.zone_ars is zone_ars and "zone_ars" in rules_bridge.__all__


def test_single_zone_with_sources():
    z = zone_ars(19)
    assert isinstance(z, ZoneArs)
    assert (z.arrondissement, z.zone, z.valeurs) == (19, "zip", ["zip"])
    assert z.libelle == load_reference().zonage.libelles["zip"] and "(ZIP)" in z.libelle
    assert z.sources == load_reference().arrondissement(19).zone_ars.sources and z.sources
    assert len(z.citations) == len(z.sources) and all(" — " in c for c in z.citations)
    assert z.hypothese is load_reference().arrondissement(19).zone_ars.hypothese


def test_mixed_zone_lists_possible_values():
    z = zone_ars(8)
    assert z.zone == "mixte" and len(z.valeurs) > 1
    labels = load_reference().zonage.libelles
    assert z.libelle.startswith("zonage mixte") and all(labels[v] in z.libelle for v in z.valeurs)
    assert z.hypothese and z.note


@pytest.mark.parametrize("n", range(1, 21))
def test_every_arrondissement_matches_reference(n):
    info = load_reference().arrondissement(n).zone_ars
    z = zone_ars(n)
    assert z.valeurs == info.valeurs
    assert z.zone == ("mixte" if info.mixte else info.valeurs[0])
    assert z.hypothese == info.hypothese and z.note == info.note and z.sources == info.sources


def test_staff_console_shape():
    """channels.staff stores ``str(getattr(zone, "value", zone))`` in a 30-character column."""
    for n in range(1, 21):
        z = zone_ars(n)
        assert z and str(getattr(z, "value", z)) == z.zone and len(str(z)) <= 30
    assert zone_ars(18).to_contract()["zone"] == "zip"


@pytest.mark.parametrize("bad", [0, 21, -1, "19", None, True, 19.0])
def test_invalid_arrondissement(bad):
    with pytest.raises(ProfileError) as info:
        zone_ars(bad)
    assert info.value.field == "arrondissement" and "« arrondissement »" in info.value.message
