"""docs/grille.md is generated from the grid and never drifts."""

from __future__ import annotations

from rules_bridge import load_grid
from rules_bridge.docs import DOC_PATH, main, render
from rules_bridge.reference import load_reference


def test_committed_document_equals_the_generated_one():
    assert DOC_PATH.exists(), "run: python -m rules_bridge.docs"
    assert DOC_PATH.read_text(encoding="utf-8") == render(), (
        "docs/grille.md is out of date: run `python -m rules_bridge.docs`"
    )


def test_check_mode(tmp_path, capsys):
    out = tmp_path / "grille.md"
    assert main(["--check", "--output", str(out)]) == 1
    assert main(["--output", str(out)]) == 0
    assert main(["--check", "--output", str(out)]) == 0
    capsys.readouterr()


def test_every_assumption_and_source_is_listed():
    text = render()
    g = load_grid()
    for path, value in g.iter_values():
        if value.hypothese:
            assert value.note in text, path
    ref = load_reference()
    for key in g.cited_sources():
        assert f"- [{key}] {ref.sources[key].titre}" in text
    for arr in ref.arrondissements.values():
        assert f"| {arr.libelle}" in text
    for partner in ref.partners.values():
        assert partner.nom in text
    assert "comité technique" in text and "Conseil de Paris" in text
