"""Orientation gaps of issue 16 (Ordre before opening, territorial needs, contract and lease review) and the
whole needs list checked against the partners of the fact sheet and seeds."""

from __future__ import annotations

import pytest

from rules_bridge import PartnerDirectory, orient
from rules_bridge.reference import load_reference

ORDRES = {
    "cdom75",
    "ordre_infirmiers",
    "ordre_masseurs_kinesitherapeutes",
    "ordre_sages_femmes",
    "ordre_chirurgiens_dentistes",
    "ordre_pedicures_podologues",
    "ordre_pharmaciens",
}


def ids(text: str) -> list[str]:
    return [p.id for p in orient(text).partenaires]


def test_ordre_registration_before_opening_without_a_profession():
    o = orient("Je dois m'inscrire à l'Ordre avant d'ouvrir mon cabinet, à qui m'adresser ?")
    assert o.besoins[0] == "ordre" and o.partenaires
    first = o.partenaires[0]
    assert first.id == "ordre" and "avant d'ouvrir" in first.raison and first.sources
    assert "plai" in [p.id for p in o.partenaires]


@pytest.mark.parametrize(
    ("text", "ordre"),
    [
        ("Médecin, quand dois-je m'inscrire au tableau de l'Ordre ?", "cdom75"),
        ("Sage-femme, je dois m'inscrire à l'Ordre avant d'ouvrir", "ordre_sages_femmes"),
        ("Infirmière, je dois faire mon inscription à l'Ordre", "ordre_infirmiers"),
    ],
)
def test_ordre_registration_with_a_profession(text, ordre):
    o = orient(text)
    assert o.partenaires[0].id == ordre and "avant" in o.partenaires[0].raison


@pytest.mark.parametrize(
    "text",
    [
        "Quels sont les besoins de santé du quartier pour notre projet dans le 20e ?",
        "Où trouver un diagnostic territorial de l'offre de soins ?",
        "Nous voulons connaître la densité médicale du 18e avant de choisir le local",
    ],
)
def test_territorial_health_needs_go_to_the_cpts_ars_and_urps_not_to_premises(text):
    found = ids(text)
    assert found[0].startswith("cpts") and {"ars_idf", "urps_medecins"} <= set(found)
    assert "paris_commerces" not in found[:2]  # premises may follow when the text also names a local


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Je voudrais faire relire mon bail et notre contrat d'exercice avant de signer", "ordre"),
        ("Je suis kiné, je voudrais faire relire mon contrat de collaboration", "ordre_masseurs_kinesitherapeutes"),
        ("Médecins, nous voulons faire relire notre bail par l'Ordre avant de signer", "cdom75"),
    ],
)
def test_contract_and_lease_review_goes_to_the_ordre_first(text, first):
    o = orient(text)
    assert o.besoins[0] == "contrats" and o.partenaires[0].id == first


def test_premises_requests_are_unchanged():
    assert ids("je cherche un local dans le 19e")[:2] == ["paris_commerces", "bailleurs_sociaux"]


def test_every_need_reaches_sourced_partners_named_in_the_fact_sheet_or_seeds():
    ref = load_reference()
    directory = PartnerDirectory()
    for need in [*ref.needs.values(), ref.default_need]:
        assert need.partenaires, need.id
        for token in need.partenaires:
            if token == "@cpts":
                assert ref.templates["cpts_inconnue"].sources
            elif token == "@ordre":
                assert ref.templates["ordre_sans_profession"].sources
            elif token == "@urps":
                assert ref.templates["urps_profession"].sources
            else:
                partner = directory.get(token, need.id)
                assert partner.sources, (need.id, token)
                for key in partner.sources:
                    assert key in ref.sources, (token, key)
        # Each need, asked in its own words, gets at least one partner.
        words = need.mots[0] if need.mots else "bonjour"
        assert orient(words).partenaires, need.id
    for pid in ORDRES:
        assert ref.partners[pid].sources and ref.partners[pid].ordre


def test_plai_signup_address_follows_the_corrected_fact_sheet():
    plai = load_reference().partners["plai"]
    assert "soignereniledefrance.org" in (plai.contact or "") and "soignerenidf" not in (plai.contact or "")
