"""The estimate: each eligibility rule, each weighting, caps, defaults, contract shape.

Expected amounts are computed from the grid values, so the tests check the rules, not one set of figures.
"""

from __future__ import annotations

import pytest

from rules_bridge import Estimate, estimate, list_grids, load_grid
from rules_bridge.grid import GRIDS_DIR
from rules_bridge.reference import load_reference

G = load_grid()
BASE = {k: v.base_eur.valeur for k, v in G.professions.items()}
ZONE = {k: v.valeur for k, v in G.ponderations.zone_ars.valeurs.items()}
QPV = G.ponderations.qpv.majoration_pct.valeur
SANTE = G.ponderations.projet_sante.majoration_pct.valeur
PLURI = G.ponderations.pluriprofessionnel.majoration_pct.valeur
MSP = G.structures["msp"].majoration_pct.valeur


def profile(*pros, **kw):
    lines = [dict(zip(("profession", "nombre", "secteur"), p)) for p in pros]
    for line in lines:
        if line.get("secteur") is None:
            line.pop("secteur", None)
    kw.setdefault("arrondissement", 19)
    return {"professionnels": lines, **kw}


def rules(e: Estimate) -> list[str]:
    return [line.regle for line in e.detail]


def test_contract_shape_is_exact():
    c = estimate(profile(("medecin_generaliste", 3, "1"))).to_contract()
    assert set(c) == {
        "eligible",
        "motifs",
        "aide_plancher_eur",
        "detail",
        "partenaires",
        "version_grille",
        "hypotheses",
        "non_retenus",
        "composantes",
    }
    assert c["version_grille"] == G.version
    assert all(isinstance(line["composantes"], list) for line in c["detail"])
    assert isinstance(c["aide_plancher_eur"], int)
    assert all({"ligne", "montant_eur"} <= set(line) for line in c["detail"])
    assert all(set(p) == {"nom", "raison", "url"} for p in c["partenaires"])
    assert c["partenaires"] and all(isinstance(m, str) for m in c["motifs"] + c["hypotheses"])


def test_accepts_a_profile_object_and_is_deterministic():
    from rules_bridge import Profile

    p = Profile.model_validate(profile(("infirmier", 2)))
    assert estimate(p).to_contract() == estimate(p.model_dump(exclude_none=True)).to_contract()


# --- Eligibility rules ------------------------------------------------------------------------


def test_whole_paris_is_eligible():
    for n in (1, 7, 8, 16, 20):
        e = estimate(profile(("infirmier", 2), arrondissement=n, zone_ars="hors_zone"))
        assert e.eligible and e.aide_plancher_eur > 0
        assert any("territoire parisien" in m for m in e.motifs)


def test_at_least_two_professionals():
    alone = estimate(profile(("medecin_generaliste", 1, "1"), structure="cabinet_groupe"))
    assert not alone.eligible and alone.aide_plancher_eur == 0
    assert any("au moins 2" in m for m in alone.motifs)
    pair = estimate(profile(("medecin_generaliste", 2, "1")))
    assert pair.eligible and pair.aide_plancher_eur > 0


def test_paramedical_only_team_is_eligible():
    e = estimate(profile(("infirmier", 1), ("orthophoniste", 1)))
    assert e.eligible and e.aide_plancher_eur > 0
    assert any(m.startswith(NO_DOCTOR) for m in e.motifs)


NO_DOCTOR = "Équipe sans médecin\u00a0: admise"
GRIDS = [info.version for info in list_grids(GRIDS_DIR)]


@pytest.mark.parametrize("version", GRIDS)
@pytest.mark.parametrize(
    "team",
    [
        (("chirurgien_dentiste", 3),),  # the tester's team: dentists are a medical profession, not paramedical
        (("sage_femme", 2),),
        (("sage_femme", 1), ("chirurgien_dentiste", 1), ("infirmier", 1)),
        (("masseur_kinesitherapeute", 2), ("psychologue", 1)),
    ],
)
def test_a_team_without_a_doctor_is_admitted_in_words_true_of_every_profession(version, team):
    e = estimate(profile(*team), grid=version)
    assert e.eligible and e.aide_plancher_eur > 0
    assert [m for m in e.motifs if m.startswith(NO_DOCTOR)] == [
        f"{NO_DOCTOR}, la présence d'un médecin n'est plus exigée."
    ]
    assert not [m for m in e.motifs if "paramédic" in m], e.motifs


@pytest.mark.parametrize("version", GRIDS)
def test_the_no_doctor_reason_is_not_given_to_a_team_with_a_doctor(version):
    e = estimate(profile(("medecin_generaliste", 1, "1"), ("chirurgien_dentiste", 1)), grid=version)
    assert e.eligible and not [m for m in e.motifs if m.startswith("Équipe sans médecin")]


@pytest.mark.parametrize("version", GRIDS)
@pytest.mark.parametrize("alone", ["chirurgien_dentiste", "sage_femme", "infirmier", "medecin_generaliste"])
def test_a_lone_professional_is_told_a_team_may_have_no_doctor_without_calling_it_paramedical(version, alone):
    e = estimate(
        profile((alone, 1, "1" if alone.startswith("medecin") else None), structure="cabinet_groupe"), grid=version
    )
    assert not e.eligible
    assert any(m.endswith("il en faut au moins 2 en exercice groupé, avec ou sans médecin.") for m in e.motifs)
    assert not [m for m in e.motifs if "paramédic" in m], e.motifs


def test_no_first_installation_condition():
    e = estimate(profile(("medecin_generaliste", 2, "1"), primo_installation=False))
    assert e.eligible
    assert any("primo-installation" in m for m in e.motifs)
    assert (
        e.aide_plancher_eur
        == estimate(profile(("medecin_generaliste", 2, "1"), primo_installation=True)).aide_plancher_eur
    )


def test_doctors_must_be_in_sector_1():
    mixed = estimate(profile(("medecin_generaliste", 2, "1"), ("medecin_generaliste", 1, "2")))
    assert mixed.detail[0].montant_eur == 2 * BASE["medecin_generaliste"]
    assert any("secteur 2" in m for m in mixed.motifs)
    all_s2 = estimate(profile(("medecin_generaliste", 3, "2")))
    assert not all_s2.eligible and all_s2.aide_plancher_eur == 0
    non_conv = estimate(profile(("medecin_specialiste", 2, "non_conventionne")))
    assert not non_conv.eligible and any("non conventionné (secteur 3)" in m for m in non_conv.motifs)
    assert [(n.profession, n.nombre) for n in non_conv.non_retenus] == [("medecin_specialiste", 2)]


def test_optam_is_not_counted_and_the_assumption_is_stated():
    e = estimate(profile(("medecin_generaliste", 2, "1"), ("medecin_specialiste", 1, "optam")))
    assert e.detail[0].regle == "professions.medecin_generaliste.base_eur"
    assert "professions.medecin_specialiste.base_eur" not in rules(e)
    assert any("OPTAM" in m for m in e.motifs)
    assert any("OPTAM" in h for h in e.hypotheses)


def test_no_conventionnement_condition_beyond_doctors():
    # Corrected fact sheet: only doctors must be in secteur 1; psychologists are among the funded teams.
    e = estimate(profile(("masseur_kinesitherapeute", 2, "non_conventionne")))
    assert e.eligible and e.detail[0].montant_eur == 2 * BASE["masseur_kinesitherapeute"] and not e.non_retenus
    psy = estimate(profile(("psychologue", 2, "non_conventionne")))
    assert psy.eligible and psy.detail[0].montant_eur == 2 * BASE["psychologue"]
    assert not any("Conventionnement non précisé" in h for h in estimate(profile(("infirmier", 2))).hypotheses)


def test_the_previous_grid_still_applies_its_own_conventionnement_rule():
    e = estimate(profile(("masseur_kinesitherapeute", 2, "non_conventionne")), grid="paris-med-2023")
    assert not e.eligible and any("sans conventionnement" in m for m in e.motifs)
    assert e.version_grille == "paris-med-2023" and e.non_retenus[0].nombre == 2


def test_unretained_profession_is_explained():
    e = estimate(profile(("pharmacien", 1), ("infirmier", 2)))
    assert e.eligible and "professions.pharmacien.base_eur" not in rules(e)
    assert any("pharmacien" in m for m in e.motifs)


def test_solo_practice_is_not_eligible_to_investment_aid_but_accompanied():
    e = estimate(profile(("infirmier", 1)))
    assert not e.eligible and e.aide_plancher_eur == 0
    assert any("Structure non précisée" in h and "exercice seul" in h for h in e.hypotheses)
    assert any("accompagner" in m and "exercice groupé" in m for m in e.motifs)
    explicit = estimate(profile(("infirmier", 3), structure="exercice_seul"))
    assert not explicit.eligible


def test_joining_an_existing_group_by_extension():
    e = estimate(profile(("masseur_kinesitherapeute", 1), projet="agrandissement"))
    assert e.eligible and e.aide_plancher_eur > 0
    assert any("nouveaux arrivants" in h for h in e.hypotheses)


@pytest.mark.parametrize("structure", ["cabinet_groupe", "cabinet_paramedical", "msp", "centre_sante"])
def test_group_structures_are_eligible(structure):
    e = estimate(profile(("infirmier", 2), structure=structure))
    assert e.eligible and e.aide_plancher_eur > 0


def test_health_centres_carry_the_2025_assumption():
    e = estimate(profile(("medecin_generaliste", 3, "1"), structure="centre_sante"))
    assert any("2025" in h for h in e.hypotheses)


@pytest.mark.parametrize(
    "projet", ["installation", "demenagement", "agrandissement", "maintien", "travaux", "equipement"]
)
def test_investment_projects_are_eligible(projet):
    e = estimate(profile(("infirmier", 2), ("medecin_generaliste", 1, "1"), projet=projet))
    assert e.eligible and e.aide_plancher_eur > 0


def test_premises_search_alone_is_accompaniment_without_aid():
    e = estimate(profile(("infirmier", 1), projet="recherche_local"))
    assert e.eligible and e.aide_plancher_eur == 0
    assert e.detail == [e.detail[0]] and e.detail[0].montant_eur == 0
    assert any("Paris Commerces" in m and "sans subvention" in m for m in e.motifs)
    assert e.partenaires[0].id == "paris_commerces"


# --- Defaults ---------------------------------------------------------------------------------


def test_defaults_are_stated():
    e = estimate(profile(("infirmier", 2), ("orthophoniste", 1)))
    assert any("Structure non précisée" in h and "cabinet de groupe" in h for h in e.hypotheses)
    assert any("Projet non précisé" in h and "installation" in h for h in e.hypotheses)
    assert any("Projet de santé non précisé" in h for h in e.hypotheses)
    doctors = estimate(profile(("medecin_generaliste", 2)))
    assert any("Secteur non précisé" in h for h in doctors.hypotheses)
    assert doctors.eligible


# --- Weightings -------------------------------------------------------------------------------


def _base(e: Estimate) -> int:
    return sum(line.montant_eur for line in e.detail if line.regle.startswith("professions."))


@pytest.mark.parametrize("zone", ["zip", "zac", "hors_zone"])
def test_zone_weighting(zone):
    e = estimate(profile(("medecin_generaliste", 2, "1"), zone_ars=zone, qpv=False, projet_sante=False))
    base = 2 * BASE["medecin_generaliste"]
    assert _base(e) == base
    assert e.aide_plancher_eur == base + base * ZONE[zone] // 100
    assert f"ponderations.zone_ars.{zone}" in rules(e)


def test_qpv_weighting():
    no = estimate(profile(("infirmier", 2), qpv=False))
    yes = estimate(profile(("infirmier", 2), qpv=True))
    assert yes.aide_plancher_eur - no.aide_plancher_eur == 2 * BASE["infirmier"] * QPV // 100


def test_health_project_weighting():
    no = estimate(profile(("infirmier", 2), projet_sante=False))
    yes = estimate(profile(("infirmier", 2), projet_sante=True))
    assert yes.aide_plancher_eur - no.aide_plancher_eur == 2 * BASE["infirmier"] * SANTE // 100
    assert "ponderations.projet_sante" in rules(yes)


def test_multiprofessional_weighting():
    one = estimate(profile(("infirmier", 2)))
    two = estimate(profile(("infirmier", 1), ("masseur_kinesitherapeute", 1)))
    assert "ponderations.pluriprofessionnel" not in rules(one)
    assert "ponderations.pluriprofessionnel" in rules(two)
    assert (
        two.aide_plancher_eur - one.aide_plancher_eur
        == (BASE["infirmier"] + BASE["masseur_kinesitherapeute"]) * PLURI // 100
    )


def test_structure_weighting():
    group = estimate(profile(("medecin_generaliste", 2, "1"), ("infirmier", 1), structure="cabinet_groupe"))
    msp = estimate(profile(("medecin_generaliste", 2, "1"), ("infirmier", 1), structure="msp"))
    base = 2 * BASE["medecin_generaliste"] + BASE["infirmier"]
    assert msp.aide_plancher_eur - group.aide_plancher_eur == base * MSP // 100


def test_mixed_zone_uses_the_prudent_value_and_asks_for_the_address():
    ref = load_reference()
    mixed = [n for n, arr in ref.arrondissements.items() if arr.zone_ars.mixte]
    assert mixed
    for n in mixed:
        arr = ref.arrondissement(n)
        e = estimate(profile(("infirmier", 2), arrondissement=n))
        assert f"ponderations.zone_ars.{arr.zone_ars.prudente}" in rules(e)
        assert any("plus prudente" in h and "adresse" in h for h in e.hypotheses)
        assert any("adresse" in q for q in e.a_preciser)
        best = max(arr.zone_ars.valeurs, key=["hors_zone", "zac", "zip"].index)
        assert (
            estimate(profile(("infirmier", 2), arrondissement=n, zone_ars=best)).aide_plancher_eur
            >= e.aide_plancher_eur
        )


def test_unknown_qpv_is_not_counted_and_asked():
    e = estimate(profile(("infirmier", 2), arrondissement=19))
    assert any(line.regle == "ponderations.qpv" and line.montant_eur == 0 for line in e.detail)
    assert any("QPV" in q for q in e.a_preciser)


# --- Caps -------------------------------------------------------------------------------------


def test_structure_cap():
    cap = G.structures["cabinet_groupe"].plafond_eur.valeur
    e = estimate(profile(("medecin_generaliste", 40, "1"), structure="cabinet_groupe", zone_ars="zip"))
    assert e.aide_plancher_eur == cap
    assert e.detail[-1].regle == "structures.cabinet_groupe.plafond_eur" and e.detail[-1].montant_eur < 0


def test_per_professional_cap():
    g = G.model_copy(deep=True)
    g.plafonds.par_professionnel_eur.valeur = BASE["medecin_generaliste"] + 1
    e = estimate(profile(("medecin_generaliste", 2, "1"), zone_ars="zip", qpv=True), grid=g)
    assert e.aide_plancher_eur == 2 * (BASE["medecin_generaliste"] + 1)
    assert "plafonds.par_professionnel_eur" in rules(e)


def test_declared_expenses_cap():
    e = estimate(profile(("medecin_generaliste", 3, "1"), depenses_investissement_eur=5000))
    assert e.aide_plancher_eur == 5000 * G.plafonds.depenses_pct.valeur // 100
    assert "plafonds.depenses_pct" in rules(e)
    uncapped = estimate(profile(("medecin_generaliste", 3, "1"), depenses_investissement_eur=10_000_000))
    assert "plafonds.depenses_pct" not in rules(uncapped)
    assert not any("travaux" in q for q in uncapped.a_preciser)


def test_every_line_carries_its_provenance():
    e = estimate(
        profile(("medecin_generaliste", 2, "1"), ("infirmier", 2), structure="msp", qpv=True, projet_sante=True)
    )
    assert sum(line.montant_eur for line in e.detail) == e.aide_plancher_eur
    for line in e.detail:
        assert line.regle and (line.source or line.hypothese)


def test_city_decides_caveat():
    e = estimate(profile(("infirmier", 2)))
    assert "comité technique" in e.avertissement and "Conseil de Paris" in e.avertissement
