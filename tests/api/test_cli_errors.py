"""Every failure of `parismed estimate`, `orient` and `ask` exits with code 2 (as an invalid JSON profile does), with
one French message on stderr naming the field, and nothing on stdout a script could take for a result. The HTTP
API answers the same profiles with a 422 naming the same field."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tests.support import app_without_servers

CLI = [sys.executable, "-m", "parismed.cli"]
TEAM = [{"profession": "infirmier", "nombre": 2}]

# (profile, field named in the message): one case per validation path of the profile.
BAD_PROFILES = [
    (
        {"professionnels": [{"profession": "infirmier", "nombre": -2}], "code_postal": "75019"},
        "professionnels[0].nombre",
    ),
    (
        {"professionnels": [{"profession": "infirmier", "nombre": 0}], "code_postal": "75019"},
        "professionnels[0].nombre",
    ),
    (
        {"professionnels": [{"profession": "infirmier", "nombre": 1.5}], "code_postal": "75019"},
        "professionnels[0].nombre",
    ),
    (
        {"professionnels": [{"profession": "infirmier", "nombre": "deux"}], "code_postal": "75019"},
        "professionnels[0].nombre",
    ),
    (
        {"professionnels": [{"profession": "infirmier", "nombre": 5000}], "code_postal": "75019"},
        "professionnels[0].nombre",
    ),
    ({"professionnels": [{"profession": "plombier"}], "code_postal": "75019"}, "professionnels[0].profession"),
    ({"professionnels": [{"nombre": 2}], "code_postal": "75019"}, "professionnels[0].profession"),
    (
        {"professionnels": [{"profession": "infirmier", "secteur": "2"}], "code_postal": "75019"},
        "professionnels[0].secteur",
    ),
    ({"professionnels": [{"profession": "infirmier", "age": 3}], "code_postal": "75019"}, "professionnels[0].age"),
    ({"professionnels": [None], "code_postal": "75019"}, "professionnels[0]"),
    (
        {
            "professionnels": [{"profession": "infirmier", "nombre": 150}, {"profession": "kiné", "nombre": 60}],
            "code_postal": "75019",
        },
        "professionnels",
    ),
    ({"professionnels": [], "code_postal": "75019"}, "professionnels"),
    ({"professionnels": "infirmier", "code_postal": "75019"}, "professionnels"),
    ({"code_postal": "75019"}, "professionnels"),
    ({"professionnels": TEAM, "code_postal": "69001"}, "code_postal"),
    ({"professionnels": TEAM, "code_postal": ["75019"]}, "code_postal"),
    ({"professionnels": TEAM}, "code_postal"),
    ({"professionnels": TEAM, "arrondissement": 25}, "arrondissement"),
    ({"professionnels": TEAM, "code_postal": "75019", "arrondissement": 3}, "arrondissement"),
    ({"professionnels": TEAM, "code_postal": "75019", "structure": "hôpital"}, "structure"),
    ({"professionnels": TEAM, "code_postal": "75019", "projet": ["installation", "vacances"]}, "projet"),
    ({"professionnels": TEAM, "code_postal": "75019", "zone_ars": "zone bleue"}, "zone_ars"),
    ({"professionnels": TEAM, "code_postal": "75019", "qpv": "peut-être"}, "qpv"),
    (
        {"professionnels": TEAM, "code_postal": "75019", "depenses_investissement_eur": -10},
        "depenses_investissement_eur",
    ),
    ({"professionnels": TEAM, "code_postal": "75019", "couleur": "bleu"}, "couleur"),
]


def _ids(cases):
    return [field + ":" + json.dumps(profile, ensure_ascii=False)[:40] for profile, field in cases]


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        CLI + list(args), capture_output=True, text=True, input=stdin, env={**os.environ, **(env or {})}
    )


def _is_french_error(stderr: str, field: str | None = None) -> bool:
    return (
        stderr.startswith("Erreur\u00a0: ")
        and "Traceback" not in stderr
        and (field is None or f"« {field} »" in stderr)
    )


@pytest.mark.parametrize(("profile", "field"), BAD_PROFILES, ids=_ids(BAD_PROFILES))
def test_every_bad_profile_exits_2_naming_the_field_and_prints_nothing(profile, field):
    from parismed.cli import app

    result = CliRunner().invoke(app, ["estimate", "--json", json.dumps(profile)])
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    assert _is_french_error(result.stderr, field), result.stderr


@pytest.mark.parametrize("text", ["{pas du json", "[]", '"75019"', "null"])
def test_a_profile_that_is_not_a_json_object_exits_2(text):
    from parismed.cli import app

    result = CliRunner().invoke(app, ["estimate", "--json", text])
    assert result.exit_code == 2 and result.stdout == "" and _is_french_error(result.stderr)


def test_the_installed_command_exits_2_on_a_negative_headcount_and_an_outside_postcode():
    """The tester's two cases, through the real entry point and its exit status."""
    for profile, field in (BAD_PROFILES[0], BAD_PROFILES[13]):
        out = run_cli("estimate", "--json", json.dumps(profile))
        assert out.returncode == 2 and out.stdout == "" and _is_french_error(out.stderr, field), out


def test_a_grid_that_cannot_be_loaded_is_an_error_in_french_not_a_traceback():
    env = {"PARISMED_GRID_VERSION": "grille-introuvable"}
    out = run_cli("estimate", "--json", json.dumps({"professionnels": TEAM, "code_postal": "75019"}), env=env)
    assert out.returncode == 2 and out.stdout == ""
    assert _is_french_error(out.stderr) and "« grille-introuvable » introuvable" in out.stderr
    out = run_cli("orient", "je cherche un local", "--json", env=env)
    assert out.returncode == 2 and out.stdout == "" and _is_french_error(out.stderr)


def test_orient_without_a_need_exits_2():
    from parismed.cli import app

    result = CliRunner().invoke(app, ["orient", "  ", "--json"])
    assert result.exit_code == 2 and result.stdout == "" and _is_french_error(result.stderr)


def test_orient_says_when_no_partner_matches():
    from parismed.cli import app
    from rules_bridge import NO_PARTNER

    as_json = CliRunner().invoke(app, ["orient", "déclaration d'impôts", "--json"])
    assert as_json.exit_code == 0 and json.loads(as_json.stdout) == {"partenaires": [], "message": NO_PARTNER}
    human = CliRunner().invoke(app, ["orient", "déclaration d'impôts"])
    assert human.exit_code == 0 and human.stdout.strip() == NO_PARTNER
    assert "Aucun partenaire de la liste" in NO_PARTNER and "équipe Paris Méd'" in NO_PARTNER
    found = CliRunner().invoke(app, ["orient", "je cherche un local dans le 19e"])
    assert found.exit_code == 0 and NO_PARTNER not in found.stdout and "Paris Commerces" in found.stdout


def test_ask_jsonl_reports_a_bad_line_as_an_error_not_as_an_answer():
    too_long = "cabinet " * 2000
    out = run_cli("ask", "--jsonl", stdin=f"c'est quoi une CPTS\n{too_long}\n")
    assert out.returncode == 2
    first, second = (json.loads(line) for line in out.stdout.splitlines())
    assert first["answered"] is True
    assert set(second) == {"erreur", "ligne"} and second["ligne"] == 2 and "trop longue" in second["erreur"]
    assert _is_french_error(out.stderr) and "ligne 2" in out.stderr


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with app_without_servers(tmp_path_factory.mktemp("var"), PARISMED_RATE_LIMITS="false") as c:
        yield c


@pytest.mark.parametrize(("profile", "field"), BAD_PROFILES, ids=_ids(BAD_PROFILES))
def test_the_api_answers_the_same_profiles_with_a_french_422_naming_the_field(client, profile, field):
    r = client.post("/api/v1/eligibility", json=profile)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "Traceback" not in detail
    assert f"« {field} »" in detail, detail  # named as the CLI names it


@pytest.mark.parametrize("index", [0, 7, 9, 13, 18])
def test_the_api_and_the_cli_say_the_same_thing(client, index):
    from parismed.cli import app

    profile, _ = BAD_PROFILES[index]
    cli = CliRunner().invoke(app, ["estimate", "--json", json.dumps(profile)]).stderr.strip()
    api = client.post("/api/v1/eligibility", json=profile).json()["detail"]
    assert cli == f"Erreur\u00a0: {api}"


def test_the_api_orient_gives_an_empty_list_when_no_partner_matches(client):
    from rules_bridge import NO_PARTNER

    r = client.post("/api/v1/orient", json={"besoin": "déclaration d'impôts"})
    assert r.status_code == 200 and r.json() == {"partenaires": [], "message": NO_PARTNER}
    r = client.post("/api/v1/orient", json={"besoin": "je cherche un local dans le 19e"})
    assert r.status_code == 200 and r.json()["partenaires"][0]["nom"].startswith("GIE Paris Commerces")
    assert "message" not in r.json()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["estimate", "--jsn", "{}"], "option inconnue\u00a0: --jsn (vouliez-vous dire --json ?)"),
        (["orient"], "paramètre manquant\u00a0: besoin"),
        (["ask", "c'est", "quoi", "un", "ERP"], "argument en trop\u00a0: quoi un ERP. Mettez la question"),
        (["estimer"], "commande inconnue\u00a0: estimer"),
        (["estimate", "--json"], "l'option --json attend une valeur"),
        (["cluster", "run", "--rasa", "deux"], "valeur invalide pour rasa"),
    ],
)
def test_usage_errors_are_said_in_french_with_exit_code_2(args, said):
    run = subprocess.run([*CLI, *args], capture_output=True, text=True, env=os.environ | {"HF_HUB_OFFLINE": "1"})
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.startswith("Erreur\u00a0: ") and said in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and "Usage" not in run.stderr and "--help" in run.stderr


def test_estimate_help_shows_the_profile_format():
    # fifth outside test: « --help ne décrit pas le format du profil », six profiles written ahead were all refused
    import subprocess
    import sys

    shown = subprocess.run(
        [sys.executable, "-m", "parismed.cli", "estimate", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "professionnels" in shown and "arrondissement" in shown and "Exemple" in shown
