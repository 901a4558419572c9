"""`parismed grille charger` end to end: validation, effect on stored requests, activation, previous versions."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

import request_store
import rules_bridge
from parismed.config import get_settings
from rules_bridge import grid as grid_module

runner = CliRunner()
NEW = "test-grille-2027"
KINES = {"professionnels": [{"profession": "masseur_kinesitherapeute", "nombre": 2}], "arrondissement": 19}
DOCTORS = {"professionnels": [{"profession": "medecin_generaliste", "nombre": 3, "secteur": "1"}], "arrondissement": 19}


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """The real CLI on a private var folder and database, with three stored requests."""
    url = f"sqlite:///{tmp_path / 'parismed.db'}"
    monkeypatch.setenv("PARISMED_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PARISMED_DATABASE_URL", url)
    monkeypatch.delenv("PARISMED_GRID_VERSION", raising=False)
    get_settings.cache_clear()
    store = request_store.open_store(url)
    store.upgrade()
    for profile in (KINES, DOCTORS):
        contract = rules_bridge.estimate(profile).to_contract()
        triage = request_store.Triage(estimate={**contract, "_profil": profile})
        store.create_request("formulaire", "Demande de test", classify_now=False, triage=triage)
    store.create_request("formulaire", "Une question sans profil", classify_now=False)
    from parismed.cli import app

    yield app
    request_store.dispose_all()
    get_settings.cache_clear()
    grid_module.configure_grids()


def _candidate(tmp_path, mutate=None):
    raw = yaml.safe_load((grid_module.GRIDS_DIR / "paris-med-2023-v2.yaml").read_text(encoding="utf-8"))
    raw["version"] = NEW
    raw["date_effet"] = "2027-01-01"
    raw["conditions"]["min_professionnels"]["valeur"] = 3  # two physios are no longer a group
    raw["professions"]["medecin_generaliste"]["base_eur"]["valeur"] *= 2
    if mutate:
        mutate(raw)
    path = tmp_path / "nouvelle.yaml"  # the file name need not be the version
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_load_shows_the_effect_then_activates_and_previous_versions_stay_loadable(cli, tmp_path):
    before = rules_bridge.estimate(DOCTORS).aide_plancher_eur
    result = runner.invoke(cli, ["grille", "charger", str(_candidate(tmp_path)), "--oui", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["version"] == NEW and report["active"]
    effect = report["effet"]
    assert effect["demandes_estimees"] == 2 and effect["sans_profil"] == 1
    assert len(effect["changements"]) == 2
    assert effect["deviennent_non_eligibles"] == 1 and effect["deviennent_eligibles"] == 0
    doctors = next(c for c in effect["changements"] if c["eligible_apres"])
    assert doctors["avant_eur"] == before and doctors["apres_eur"] > before

    var = tmp_path / "var"
    assert (var / "grille-active.txt").read_text(encoding="utf-8").strip() == NEW
    assert (var / "grilles" / f"{NEW}.yaml").exists()

    estimated = runner.invoke(cli, ["estimate", "--json", json.dumps(DOCTORS)])
    assert estimated.exit_code == 0, estimated.output
    assert json.loads(estimated.output)["version_grille"] == NEW
    listed = runner.invoke(cli, ["grille", "liste"])
    assert f"{NEW} (active)" in listed.output and "paris-med-2023-v2" in listed.output

    back = runner.invoke(cli, ["grille", "activer", "paris-med-2023"])
    assert back.exit_code == 0, back.output
    again = runner.invoke(cli, ["estimate", "--json", json.dumps(DOCTORS)])
    assert json.loads(again.output)["version_grille"] == "paris-med-2023"


def test_without_confirmation_nothing_is_activated(cli, tmp_path):
    result = runner.invoke(cli, ["grille", "charger", str(_candidate(tmp_path))], input="n\n")
    assert result.exit_code == 0, result.output
    assert "Montant modifié : 2 demande(s) sur 2" in result.output
    assert "Éligible → non éligible : 1 demande(s)" in result.output
    assert "Grille non activée." in result.output
    assert not (tmp_path / "var" / "grille-active.txt").exists()


def test_an_unsourced_value_is_refused_in_french(cli, tmp_path):
    def mutate(raw):
        raw["plafonds"]["par_professionnel_eur"] = {"valeur": 30000}

    result = runner.invoke(cli, ["grille", "charger", str(_candidate(tmp_path, mutate)), "--oui"])
    assert result.exit_code == 2
    assert "source" in result.output and "hypothese" in result.output
    assert not (tmp_path / "var" / "grille-active.txt").exists()


def test_an_existing_version_cannot_be_replaced(cli, tmp_path):
    def mutate(raw):
        raw["version"] = "paris-med-2023"

    result = runner.invoke(cli, ["grille", "charger", str(_candidate(tmp_path, mutate)), "--oui"])
    assert result.exit_code == 2 and "existe déjà" in result.output
