"""The stable contracts other tools rely on: CLI JSON shapes and exit codes, HTTP API shapes and French 422s."""

import json
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

CLI = [sys.executable, "-m", "parismed.cli"]
PROFILE = {
    "professionnels": [
        {"profession": "medecin_generaliste", "nombre": 2, "secteur": "1"},
        {"profession": "infirmier", "nombre": 1},
    ],
    "code_postal": "75019",
}
ESTIMATE_KEYS = {"eligible", "motifs", "aide_plancher_eur", "detail", "partenaires", "version_grille", "hypotheses"}


def run_cli(*args, **kwargs):
    return subprocess.run(CLI + list(args), capture_output=True, text=True, **kwargs)


def test_cli_estimate_contract():
    out = run_cli("estimate", "--json", json.dumps(PROFILE))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= ESTIMATE_KEYS
    assert data["eligible"] is True and data["aide_plancher_eur"] > 0
    assert sum(line["montant_eur"] for line in data["detail"]) == data["aide_plancher_eur"]
    assert all({"nom", "raison", "url"} <= set(p) for p in data["partenaires"])


@pytest.mark.parametrize(
    "profile, field",
    [
        ({"professionnels": [{"profession": "plombier", "nombre": 1}], "code_postal": "75019"}, "profession"),
        ({"professionnels": [{"profession": "infirmier", "nombre": 2}], "code_postal": "93100"}, "code_postal"),
        ({"professionnels": [{"profession": "infirmier", "nombre": -1}], "code_postal": "75011"}, "nombre"),
    ],
)
def test_cli_estimate_bad_profile_exits_2_with_french_message_naming_the_field(profile, field):
    out = run_cli("estimate", "--json", json.dumps(profile))
    assert out.returncode == 2 and out.stdout == ""
    assert field in out.stderr and "Erreur" in out.stderr and "Traceback" not in out.stderr


def test_cli_estimate_invalid_json():
    out = run_cli("estimate", "--json", "{pas du json")
    assert out.returncode == 2 and "JSON valide" in out.stderr
    assert "nom de champ attendu entre guillemets droits" in out.stderr and "Expecting" not in out.stderr


def test_cli_orient_contract():
    out = run_cli("orient", "je cherche un local dans le 19e", "--json")
    assert out.returncode == 0, out.stderr
    partners = json.loads(out.stdout)["partenaires"]
    assert partners and partners[0]["nom"] and all(set(p) == {"nom", "raison", "url"} for p in partners)


@pytest.fixture(scope="module")
def client():
    from parismed.app import create_app

    with TestClient(create_app()) as c:
        yield c


def test_http_ask(client):
    r = client.post("/api/v1/ask", json={"question": "Qu'est-ce que le registre public d'accessibilité ?"})
    assert r.status_code == 200
    assert set(r.json()) == {"answer", "answered", "sources", "score"} and r.json()["answered"]


def test_http_ask_bad_input_in_french(client):
    assert "vide" in client.post("/api/v1/ask", json={"question": "  "}).json()["detail"]
    r = client.post("/api/v1/ask", json={})
    assert r.status_code == 422 and "« question » est obligatoire" in r.json()["detail"]
    r = client.post("/api/v1/ask", content=b"{oops", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["detail"]


def test_http_eligibility_and_orient(client):
    r = client.post("/api/v1/eligibility", json=PROFILE)
    assert r.status_code == 200 and set(r.json()) >= ESTIMATE_KEYS
    bad = client.post("/api/v1/eligibility", json={**PROFILE, "code_postal": "69001"})
    assert bad.status_code == 422 and "code_postal" in bad.json()["detail"]
    r = client.post("/api/v1/orient", json={"besoin": "financement pour une MSP dans le 20e"})
    assert r.status_code == 200 and r.json()["partenaires"]


def test_http_chat_degrades_when_rasa_is_down(client):
    from channels.api import RelayConfig, configure_relay, current_relay
    from parismed.ports import free_port

    before = current_relay()
    configure_relay(RelayConfig(rasa_urls=[f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"]))
    try:
        r = client.post("/api/v1/chat", json={"sender": "t", "message": "bonjour"})
    finally:
        configure_relay(before.config, before.keeper)
    assert r.status_code == 200 and r.json()["degraded"] is True
    assert "indisponible" in r.json()["messages"][0]["text"]


def test_eligibility_takes_the_typed_profile(client):
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/api/v1/eligibility"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"] == "#/components/schemas/Profile"
    assert "professionnels" in schema["components"]["schemas"]["Profile"]["properties"]
    r = client.post("/api/v1/eligibility", json={"professionnels": []})
    assert r.status_code == 422 and "professionnels" in r.json()["detail"]


def test_openapi_documents_the_public_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/ask", "/api/v1/eligibility", "/api/v1/orient", "/api/v1/chat"} <= set(paths)
