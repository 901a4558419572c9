"""Project shapes (one value or a list of components), sectors (secteur 3) and professions outside the scheme."""

from __future__ import annotations

import pytest

from rules_bridge import ProfileError, estimate, explain_markdown, load_grid
from rules_bridge.profile import coerce_profile

G = load_grid()
TEAM = [{"profession": "medecin_generaliste", "nombre": 2, "secteur": "1"}, {"profession": "infirmier", "nombre": 1}]


def est(projet, **kw):
    return estimate(
        {"professionnels": TEAM, "arrondissement": 19, "structure": "cabinet_groupe", "projet": projet, **kw}
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("installation", ["installation"]),
        (["installation", "travaux", "équipement"], ["installation", "travaux", "equipement"]),
        ("installation + travaux + équipement", ["installation", "travaux", "equipement"]),
        ("travaux et matériel", ["travaux", "equipement"]),
        (["déménagement", "recherche de local"], ["demenagement", "recherche_local"]),
        (["travaux", "travaux"], ["travaux"]),
    ],
)
def test_projet_accepts_one_value_or_a_list(value, expected):
    p = coerce_profile({"professionnels": TEAM, "arrondissement": 19, "projet": value})
    assert p.projet == expected


@pytest.mark.parametrize("value", [[], ["installation", "vacances"], [3]])
def test_bad_project_lists_give_a_french_error(value):
    with pytest.raises(ProfileError) as err:
        coerce_profile({"professionnels": TEAM, "arrondissement": 19, "projet": value})
    assert err.value.field.startswith("projet") and "projet" in str(err.value)


def test_full_project_covers_every_component_and_each_line_names_them():
    full = est(["installation", "travaux", "equipement"])
    assert full.eligible and full.composantes == ["travaux", "equipement"]
    assert all(line.composantes == ["travaux", "equipement"] for line in full.detail)
    assert full.aide_plancher_eur == est("installation").aide_plancher_eur  # an installation covers both
    contract = full.to_contract()
    assert contract["composantes"] == ["travaux", "equipement"]
    assert all(line["composantes"] for line in contract["detail"])


def test_a_single_component_gets_its_share_with_an_explained_line():
    full = est(["installation"]).aide_plancher_eur
    works = est(["travaux"])
    part = G.composantes["equipement"].part_pct.valeur
    assert works.composantes == ["travaux"]
    cut = [line for line in works.detail if line.regle == "composantes.equipement.part_pct"]
    assert len(cut) == 1 and cut[0].composantes == ["equipement"] and cut[0].montant_eur == -(full * part // 100)
    assert works.aide_plancher_eur == full - full * part // 100
    both = est(["travaux", "equipement"])
    assert both.aide_plancher_eur == full and works.aide_plancher_eur < both.aide_plancher_eur


def test_looking_for_premises_alongside_an_installation_keeps_the_aid_and_explains_the_search():
    only_search = est(["recherche_local"])
    assert only_search.aide_plancher_eur == 0 and only_search.eligible and not only_search.aide_investissement
    both = est(["recherche_local", "installation"])
    assert both.aide_plancher_eur == est("installation").aide_plancher_eur
    assert any("accompagnement" in m for m in both.motifs)


@pytest.mark.parametrize("secteur", ["3", "secteur 3", "Secteur III", "non conventionné", "S3"])
def test_secteur_3_is_an_ineligible_doctor_with_its_reason(secteur):
    e = estimate({"professionnels": [{"profession": "médecin", "nombre": 1, "secteur": secteur}], "arrondissement": 18})
    assert not e.eligible and e.aide_plancher_eur == 0
    assert [(n.profession, n.nombre) for n in e.non_retenus] == [("medecin_generaliste", 1)]
    assert "secteur 3" in e.non_retenus[0].raison and "secteur 1" in e.non_retenus[0].raison


def test_two_physios_and_an_osteopath_count_two_and_explain_the_third():
    e = estimate(
        {
            "professionnels": [{"profession": "kinés", "nombre": 2}, {"profession": "ostéo", "nombre": 1}],
            "arrondissement": 19,
        }
    )
    assert e.eligible
    base = [line for line in e.detail if line.regle.endswith(".base_eur")]
    assert [line.regle for line in base] == ["professions.masseur_kinesitherapeute.base_eur"]
    assert base[0].montant_eur == 2 * G.professions["masseur_kinesitherapeute"].base_eur.valeur
    assert [(n.profession, n.libelle, n.nombre) for n in e.non_retenus] == [("osteopathe", "ostéopathe", 1)]
    assert "santé" in e.non_retenus[0].raison
    md = explain_markdown(e)
    assert "Non retenus" in md and "ostéopathe" in md
    assert "au moins" in md and "estimation indicative" in md


@pytest.mark.parametrize("name", ["naturopathe", "chiropracteur", "sophrologue", "hypnothérapeute", "réflexologue"])
def test_professions_outside_the_scheme_are_accepted_and_not_counted(name):
    e = estimate(
        {"professionnels": [{"profession": name}, {"profession": "infirmière", "nombre": 2}], "arrondissement": 11}
    )
    assert e.eligible and len(e.non_retenus) == 1 and e.non_retenus[0].raison


def test_psychologists_are_counted():
    e = estimate({"professionnels": [{"profession": "psychologue", "nombre": 2}], "arrondissement": 20})
    assert e.eligible and not e.non_retenus


def test_an_older_grid_leaves_out_a_profession_it_does_not_know():
    e = estimate(
        {"professionnels": [{"profession": "ostéopathe"}, {"profession": "kiné", "nombre": 2}], "arrondissement": 19},
        grid="paris-med-2023",
    )
    assert e.version_grille == "paris-med-2023" and e.non_retenus[0].profession == "osteopathe"
    assert "paris-med-2023" in e.non_retenus[0].raison
