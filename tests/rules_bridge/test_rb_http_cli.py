"""Project lists, secteur 3 and professions outside the scheme through the real HTTP API and the CLI."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from parismed.config import get_settings
from tests.support import app_without_servers

FULL = {
    "professionnels": [{"profession": "medecin_generaliste", "nombre": 2, "secteur": "1"}, {"profession": "infirmier"}],
    "code_postal": "75019",
    "projet": ["installation", "travaux", "équipement"],
}
SECTEUR_3 = {"professionnels": [{"profession": "médecin", "nombre": 1, "secteur": "3"}], "arrondissement": 18}
KINES_OSTEO = {
    "professionnels": [{"profession": "kinés", "nombre": 2}, {"profession": "ostéo", "nombre": 1}],
    "arrondissement": 19,
    "projet": "travaux",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with app_without_servers(tmp_path_factory.mktemp("var")) as c:
        yield c


def _check_full(data):
    assert data["eligible"] and data["aide_plancher_eur"] > 0
    assert data["composantes"] == ["travaux", "equipement"]
    assert all(line["composantes"] == ["travaux", "equipement"] for line in data["detail"])
    assert data["version_grille"]


def _check_secteur_3(data):
    assert not data["eligible"] and data["aide_plancher_eur"] == 0
    assert [(n["profession"], n["nombre"]) for n in data["non_retenus"]] == [("medecin_generaliste", 1)]
    assert "secteur 3" in data["non_retenus"][0]["raison"]


def _check_kines_osteo(data):
    assert data["eligible"] and data["composantes"] == ["travaux"]
    assert [n["profession"] for n in data["non_retenus"]] == ["osteopathe"]
    assert any("non prévu" in line["ligne"] and line["composantes"] == ["equipement"] for line in data["detail"])


CASES = [(FULL, _check_full), (SECTEUR_3, _check_secteur_3), (KINES_OSTEO, _check_kines_osteo)]


@pytest.mark.parametrize(("profile", "check"), CASES)
def test_http_eligibility(client, profile, check):
    r = client.post("/api/v1/eligibility", json=profile)
    assert r.status_code == 200, r.text
    check(r.json())


def test_http_rejects_an_unknown_project_in_a_list_in_french(client):
    r = client.post("/api/v1/eligibility", json={**FULL, "projet": ["installation", "vacances"]})
    assert r.status_code == 422 and "projet" in r.json()["detail"]


@pytest.mark.parametrize(("profile", "check"), CASES)
def test_cli_estimate(profile, check):
    from parismed.cli import app

    result = CliRunner().invoke(app, ["estimate", "--json", json.dumps(profile)])
    assert result.exit_code == 0, result.output
    check(json.loads(result.output))


def test_the_app_estimates_with_the_active_grid(tmp_path, monkeypatch):
    var = tmp_path / "var"
    var.mkdir()
    (var / "grille-active.txt").write_text("paris-med-2023\n", encoding="utf-8")
    monkeypatch.setenv("PARISMED_VAR_DIR", str(var))
    monkeypatch.setenv("PARISMED_DATABASE_URL", f"sqlite:///{var / 'parismed.db'}")
    monkeypatch.setenv("PARISMED_WARM_UP", "false")
    monkeypatch.setenv("PARISMED_SERVE_ACTIONS", "false")
    get_settings.cache_clear()
    from parismed.app import create_app
    from rules_bridge import configure_grids

    try:
        with TestClient(create_app()) as c:
            r = c.post("/api/v1/eligibility", json=FULL)
        assert r.status_code == 200 and r.json()["version_grille"] == "paris-med-2023"
    finally:
        configure_grids()
        get_settings.cache_clear()
