"""Orientation: ranked partners from free text or from a profile; CPTS mapping for every arrondissement."""

from __future__ import annotations

import pytest

from rules_bridge import NO_PARTNER, Orientation, PartnerDirectory, ProfileError, orient
from rules_bridge.reference import load_reference

VERIFIED_CPTS = {5: "CPTS du 5e", 10: "CPTS Paris 10", 13: "CPTS Paris 13", 19: "CPTS du 19e", 20: "CPTS Paris 20e"}
POSTAL_CODES = [f"750{n:02d}" for n in range(1, 21)] + ["75116"]


def ids(o: Orientation) -> list[str]:
    return [p.id for p in o.partenaires]


def test_premises_search_in_the_19th():
    o = orient("je cherche un local dans le 19e")
    assert ids(o)[:4] == ["paris_commerces", "bailleurs_sociaux", "equipe_paris_med", "cpts-19"]
    assert o.partenaires[3].nom.startswith("CPTS du 19e")
    assert o.besoins == ["local"] and o.extraction is not None and o.extraction.arrondissement == 19


def test_contract_shape_and_limit():
    c = orient("je cherche un local dans le 19e", limit=2).to_contract()
    assert list(c) == ["partenaires"] and len(c["partenaires"]) == 2
    assert all(set(p) == {"nom", "raison", "url"} and p["raison"] for p in c["partenaires"])
    assert orient("bonjour", limit=0).partenaires == []


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Nous sommes 3 kinés et voulons créer une maison de santé", "femasif"),
        ("Comment financer un assistant médical ?", "cpam_paris"),
        ("Mon adresse est-elle en zone ZIP ?", "ars_idf"),
        ("Quelle subvention pour nos travaux ?", "equipe_paris_med"),
        ("Infirmière, je dois faire mon inscription à l'Ordre", "ordre_infirmiers"),
        ("Je suis kiné, comment se passe l'inscription à l'Ordre ?", "ordre_masseurs_kinesitherapeutes"),
        ("Nous voulons ouvrir un centre de santé", "ars_idf"),
        ("Comment se conventionner avec l'Assurance maladie ?", "cpam_paris"),
        ("Quelles règles d'accessibilité pour un ERP ?", "equipe_paris_med"),
        ("vers qui me tourner ?", "equipe_paris_med"),
    ],
)
def test_first_partner_by_need(text, first):
    assert ids(orient(text))[0] == first


GENERAL = ["equipe_paris_med", "plai", "cpts", "ordre"]  # the general orientation list, without place nor profession


@pytest.mark.parametrize("text", ["déclaration d'impôts", "bonjour", "recette des crêpes", "dans le 20e"])
def test_a_need_no_partner_matches_gets_no_partner(text):
    o = orient(text)
    assert o.partenaires == [] and o.besoins == [] and o.to_contract() == {"partenaires": [], "message": NO_PARTNER}


@pytest.mark.parametrize(
    "text",
    [
        "trouver un partenaire",
        "vers qui me tourner ?",
        "oriente-moi vers les bons interlocuteurs",
        "orientez-moi s'il vous plaît",
        "qui je dois contacter ?",
        "a qui je m adresse pr les aides de la region",
        "quels partenaires peuvent m'accompagner ?",
        "je cherche un cofinanceur",
    ],
)
def test_a_general_request_keeps_the_general_list(text):
    assert ids(orient(text)) == GENERAL


def test_a_caller_that_knows_the_request_is_general_gets_the_general_list_with_the_profile():
    """The chat's « Trouver un partenaire » button: no words, only the profile already known."""
    assert ids(orient("dans le 20e", general=True)) == ["equipe_paris_med", "plai", "cpts-20", "ordre"]
    assert ids(orient("", general=True)) == GENERAL
    assert ids(orient("je cherche un local dans le 19e", general=True)) == ids(
        orient("je cherche un local dans le 19e")
    )


def test_installation_of_a_doctor_includes_plai_and_ordre():
    o = orient("Je suis médecin généraliste et je veux m'installer dans le 18e")
    assert {"equipe_paris_med", "plai", "cdom75"} <= set(ids(o))


def test_coordinated_practice_puts_the_local_cpts_first():
    o = orient("Exercice coordonné dans le 13e : qui contacter ?")
    assert ids(o)[0] == "cpts-13"
    assert o.partenaires[0].url == "https://www.polesante13.fr"


def test_profession_without_ordre_points_to_the_ars():
    o = orient("je suis orthophoniste, inscription à l'ordre ?")
    assert ids(o)[0] == "ars_idf" and "pas d'Ordre" in o.partenaires[0].raison


@pytest.mark.parametrize("code_postal", POSTAL_CODES)
def test_cpts_mapping_for_every_arrondissement(code_postal):
    ref = load_reference()
    n = ref.postal_index[code_postal]
    o = orient(f"je cherche un local au {code_postal}")
    cpts = [p for p in o.partenaires if p.id == f"cpts-{n}"]
    assert len(cpts) == 1, ids(o)
    partner = cpts[0]
    assert partner.url  # always a way to reach it (the CPTS site or the ARS directory)
    if n in VERIFIED_CPTS:
        assert partner.nom.startswith(VERIFIED_CPTS[n])
    else:
        assert partner.nom == f"CPTS de votre arrondissement ({ref.arrondissement(n).court})"
        assert "annuaire" in partner.raison and partner.url == "https://www.iledefrance.ars.sante.fr"
    # the same mapping is used when orienting from a profile
    from_profile = orient(
        {"professionnels": [{"profession": "infirmier", "nombre": 2}], "code_postal": code_postal}, limit=10
    )
    assert f"cpts-{n}" in ids(from_profile)


def test_cpts_without_location():
    p = PartnerDirectory().cpts(None)
    assert p.id == "cpts" and "arrondissement" in p.raison


def test_orient_from_a_profile():
    o = orient(
        {"professionnels": [{"profession": "kiné", "nombre": 1}], "arrondissement": 11, "projet": "recherche_local"}
    )
    assert ids(o)[0] == "paris_commerces" and o.besoins[0] == "local"
    msp = orient({"professionnels": [{"profession": "MG", "nombre": 2}], "arrondissement": 20, "structure": "msp"})
    assert "femasif" in ids(msp)


def test_orient_rejects_an_invalid_profile():
    with pytest.raises(ProfileError):
        orient({"professionnels": [], "arrondissement": 19})


def test_urps_of_each_profession():
    o = orient("nous sommes deux sages-femmes dans le 14e, besoin de conseils", limit=10)
    names = [p.nom for p in o.partenaires]
    assert any(n.startswith("URPS des sages-femmes") for n in names)
    assert "ordre_sages_femmes" in ids(o)
