"""French explanations of an estimate."""

from __future__ import annotations

from frenchtext import format_eur
from rules_bridge import estimate, explain_html, explain_markdown
from rules_bridge.reference import load_reference

ELIGIBLE = {
    "professionnels": [{"profession": "kiné", "nombre": 2}, {"profession": "orthophoniste"}],
    "code_postal": "75015",
    "projet": "agrandissement",
}


def test_markdown_states_result_lines_assumptions_partners_and_caveat():
    e = estimate(ELIGIBLE)
    md = explain_markdown(e)
    total = format_eur(e.aide_plancher_eur)
    assert f"Aide plancher estimée : au moins {total} (estimation indicative)" in md
    for line in e.detail:
        assert line.ligne in md
    for h in e.hypotheses:
        assert h in md
    for p in e.partenaires:
        assert p.nom in md
    assert "### Pour affiner l'estimation, précisez" in md and "adresse" in md
    assert "simulation indicative" in md and "comité technique" in md and "Conseil de Paris" in md
    # eligibility rules are sourced: the document is named as users read it, not by its key
    assert f"- {load_reference().sources['seed-000'].citation()}" in md and "[seed-000]" not in md


def test_markdown_without_table():
    md = explain_markdown(estimate(ELIGIBLE), with_sources=False)
    assert "|" not in md and "- Base : 2 masseurs-kinésithérapeutes" in md


def test_ineligible_and_accompaniment_wording():
    no = explain_markdown(
        estimate({"professionnels": [{"profession": "MG", "nombre": 3, "secteur": "2"}], "arrondissement": 8})
    )
    assert "ne semble pas éligible" in no and "secteur 2" in no
    local = explain_markdown(
        estimate({"professionnels": [{"profession": "IDE"}], "arrondissement": 11, "projet": "recherche_local"})
    )
    assert "accompagnement" in local and "GIE Paris Commerces" in local


def test_unverified_addresses_are_flagged():
    md = explain_markdown(estimate(ELIGIBLE))
    assert "(adresse à vérifier)" in md  # the Paris Méd' page address is not verified


def test_html_rendering_escapes_markup():
    html = explain_html(estimate(ELIGIBLE))
    assert "<h2>" in html and "<table>" in html and "<li>" in html
    assert "<script" not in html
