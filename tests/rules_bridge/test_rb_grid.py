"""The grid and reference data: schema, provenance of every value, version selection."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rules_bridge import GridError, list_grids, load_grid
from rules_bridge import grid as grid_module
from rules_bridge.partners import PartnerDirectory
from rules_bridge.reference import load_reference

VERIFIED_CPTS = {5, 10, 13, 19, 20}


def test_default_grid_is_the_newest_and_named_after_its_file():
    grids = list_grids()
    assert grids, "at least one grid is shipped"
    assert [g.date_effet for g in grids] == sorted((g.date_effet for g in grids), reverse=True)
    g = load_grid()
    assert g.version == grids[0].version
    assert g.fichier.endswith(f"{g.version}.yaml")


def test_every_value_is_sourced_or_a_documented_assumption():
    g = load_grid()
    ref = load_reference()
    values = list(g.iter_values())
    assert len(values) > 30
    for path, value in values:
        assert value.sources or value.hypothese, path
        if value.hypothese:
            assert value.note and len(value.note) > 10, path
        for key in value.sources:
            assert key in ref.sources, (path, key)


def test_public_figures_are_used_and_unverified_ones_are_flagged():
    g = load_grid()
    msp_cap = g.structures["msp"].plafond_eur
    # The 130 000 € MSP envelope came from the former scheme: the v2 grid caps at the largest MSP grant voted.
    assert msp_cap.valeur == 105_000 and msp_cap.hypothese and "seed-001" in msp_cap.sources
    assert "ancien dispositif" in (msp_cap.note or "")
    old_cap = load_grid("paris-med-2023").structures["msp"].plafond_eur
    assert old_cap.valeur == 130_000 and old_cap.hypothese
    per_pro = g.plafonds.par_professionnel_eur
    assert per_pro.valeur == 25_000 and per_pro.hypothese and "non vérifié" in per_pro.note
    assert g.conditions.min_professionnels.valeur == 2 and g.conditions.min_professionnels.sources
    assert not g.conditions.primo_installation_exigee.valeur
    assert g.conditions.secteurs_medecins_retenus.valeur == ["1"]
    assert g.conditions.secteurs_medecins_a_confirmer.hypothese  # OPTAM: decision stated as an assumption
    assert not g.projets["recherche_local"].aide_investissement.valeur
    assert g.structures["centre_sante"].aide_investissement.hypothese  # 2025 extension, to be confirmed


def test_zone_weightings_grow_with_priority():
    z = load_grid().ponderations.zone_ars.valeurs
    assert z["hors_zone"].valeur <= z["zac"].valeur <= z["zip"].valeur


def _write_variant(tmp_path, monkeypatch, mutate, name="paris-med-2023"):
    src = grid_module.GRIDS_DIR / "paris-med-2023.yaml"
    raw = yaml.safe_load(src.read_text(encoding="utf-8"))
    mutate(raw)
    raw["version"] = name
    target = tmp_path / f"{name}.yaml"
    target.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return target


def test_a_value_without_source_nor_assumption_is_rejected(tmp_path, monkeypatch):
    def mutate(raw):
        raw["plafonds"]["par_professionnel_eur"] = {"valeur": 25000}

    path = _write_variant(tmp_path, monkeypatch, mutate)
    with pytest.raises(GridError, match="source"):
        grid_module.read_grid_file(path)


def test_an_assumption_without_note_is_rejected(tmp_path, monkeypatch):
    def mutate(raw):
        raw["plafonds"]["par_professionnel_eur"] = {"valeur": 25000, "hypothese": True}

    path = _write_variant(tmp_path, monkeypatch, mutate)
    with pytest.raises(GridError, match="note"):
        grid_module.read_grid_file(path)


def test_zone_weightings_in_the_wrong_order_are_rejected(tmp_path, monkeypatch):
    def mutate(raw):
        raw["ponderations"]["zone_ars"]["valeurs"]["zac"]["valeur"] = 500

    path = _write_variant(tmp_path, monkeypatch, mutate)
    with pytest.raises(GridError, match="croître"):
        grid_module.read_grid_file(path)


def test_unknown_source_key_is_rejected(tmp_path, monkeypatch):
    def mutate(raw):
        raw["plafonds"]["depenses_pct"]["source"] = "src-9999"

    path = _write_variant(tmp_path, monkeypatch, mutate)
    with pytest.raises(GridError, match="src-9999"):
        grid_module.read_grid_file(path)


def test_unknown_version_gives_a_french_error():
    with pytest.raises(GridError, match="introuvable"):
        load_grid("grille-qui-n-existe-pas")


def test_configured_version_and_folders_select_a_grid(tmp_path, monkeypatch):
    def mutate(raw):
        raw["date_effet"] = "2020-01-01"
        raw["professions"]["medecin_generaliste"]["base_eur"]["valeur"] = 1234

    _write_variant(tmp_path, monkeypatch, mutate, name="ancienne-grille")
    newest = load_grid().version
    try:
        grid_module.configure_grids(extra_dirs=[tmp_path])
        assert list_grids()[-1].version == "ancienne-grille"
        assert load_grid().version == newest  # newest by default
        grid_module.configure_grids(version="ancienne-grille", extra_dirs=[tmp_path])
        g = load_grid()
        assert g.version == "ancienne-grille"
        assert g.professions["medecin_generaliste"].base_eur.valeur == 1234
        assert load_grid(newest).version == newest  # previous versions stay loadable
    finally:
        grid_module.configure_grids()
    assert [g.version for g in list_grids(tmp_path)] == ["ancienne-grille"]
    with pytest.raises(GridError, match="introuvable"):
        load_grid("ancienne-grille")


def test_the_package_does_not_import_the_application():
    for path in Path(grid_module.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import parismed" not in text and "from parismed" not in text, path


def test_reference_covers_every_arrondissement_and_postal_code():
    ref = load_reference()
    assert sorted(ref.arrondissements) == list(range(1, 21))
    expected = {f"750{n:02d}" for n in range(1, 21)} | {"75116"}
    assert set(ref.postal_codes) == expected
    assert ref.postal_index["75116"] == 16
    for n in (1, 2, 3, 4):
        assert ref.arrondissement(n).secteur == "Paris Centre"


def test_zoning_data_marks_uncertainty():
    ref = load_reference()
    for arr in ref.arrondissements.values():
        assert arr.zone_ars.hypothese or arr.zone_ars.sources
        if arr.zone_ars.mixte:
            assert arr.zone_ars.prudente == min(arr.zone_ars.valeurs, key=["hors_zone", "zac", "zip"].index)
    assert ref.arrondissement(19).zone_ars.valeurs == ["zip"] and ref.arrondissement(19).zone_ars.sources
    assert ref.arrondissement(18).zone_ars.valeurs == ["zip"]
    assert ref.arrondissement(8).zone_ars.mixte


def test_only_the_five_verified_cpts_are_named():
    ref = load_reference()
    named = {n for n, arr in ref.arrondissements.items() if arr.cpts is not None}
    assert named == VERIFIED_CPTS
    assert ref.arrondissement(13).cpts.url == "https://www.polesante13.fr"


def test_partner_directory_marks_unverified_urls():
    directory = PartnerDirectory()
    ids = {p.id for p in directory.all()}
    for expected in (
        "equipe_paris_med",
        "paris_commerces",
        "bailleurs_sociaux",
        "plai",
        "ars_idf",
        "cpam_paris",
        "region_idf",
        "femasif",
        "urps_medecins",
        "cdom75",
        "ordre_infirmiers",
    ):
        assert expected in ids
    for p in directory.all():
        assert p.role and p.pour_qui and p.raisons["defaut"]
        if p.url is None:
            assert p.contact
    assert directory.get("paris_commerces").url_verifiee
    assert not directory.get("cpam_paris").url_verifiee
