from pathlib import Path

import pytest

from knowledge_base import KBConfig
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.guide import load_sections, parse_file

SAMPLE = """---
theme: essai
title: Thème d'essai
---

## Première question ?
<!--
id: essai-premiere
sources:
  - url: https://example.org/a
    titre: Source A
    date: 2025
verifie_le: 2025
a_confirmer: true
mots_cles: [ERP, 13824]
-->
Réponse directe. Deuxième phrase.

## Seconde question ?
<!--
id: essai-seconde
sources: []
-->
Autre réponse.
"""


def test_sections_are_chunked_with_title_path_and_metadata(tmp_path: Path):
    path = tmp_path / "01-essai.md"
    path.write_text(SAMPLE, encoding="utf-8")
    first, second = parse_file(path)
    assert first.id == "essai-premiere" and second.id == "essai-seconde"
    assert first.title_path == "Thème d'essai › Première question ?"
    assert first.passage().startswith("Thème d'essai › Première question ?\nRéponse directe.")
    assert first.url == "https://example.org/a" and first.verifie_le == "2025"
    assert first.a_confirmer and first.mots_cles == ["ERP", "13824"]
    assert second.url == "" and second.body == "Autre réponse."


def test_sentences_keep_list_items_whole_and_abbreviations_inside(tmp_path: Path):
    path = tmp_path / "01-essai.md"
    path.write_text(SAMPLE, encoding="utf-8")
    section = parse_file(path)[0].model_copy(
        update={
            "body": "Quatre motifs :\n\n1. **Impossibilité technique** : pas de rampe. Trottoir étroit.\n"
            "- **Le droit au bail** est protégé (code de commerce, art. L145-14). Il se cède.\n"
            "Une indemnité est due (art. L145-14). Elle est fixée par le juge. Voir cf. Annexe."
        }
    )
    assert section.sentences() == [
        "Quatre motifs :",
        "1. **Impossibilité technique** : pas de rampe. Trottoir étroit.",
        "- **Le droit au bail** est protégé (code de commerce, art. L145-14). Il se cède.",
        "Une indemnité est due (art. L145-14).",
        "Elle est fixée par le juge.",
        "Voir cf. Annexe.",
    ]


def test_section_without_metadata_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "x.md"
    path.write_text("---\ntheme: t\ntitle: T\n---\n\n## Sans métadonnées ?\nTexte.\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="métadonnées"):
        parse_file(path)


def test_real_guide_is_complete_and_well_formed():
    sections = load_sections(KBConfig.model_fields["guide_dir"].default)
    assert len(sections) >= 60
    themes = {s.theme for s in sections}
    assert len(themes) >= 8
    for s in sections:
        assert s.body and s.title.endswith("?") or s.theme.startswith("glossaire"), s.id
        assert s.sources, f"{s.id} n'a pas de source"
        if s.a_confirmer:
            assert "à confirmer" in s.body.lower(), f"{s.id} : drapeau « à confirmer » sans explication"


def test_every_section_states_the_same_rule_on_silence_after_a_derogation_request():
    """The shared fact sheet's correction of 2026-11-29: a 5th-category practice's works authorisation is granted
    by silence even when it asks for an accessibility derogation; a section still saying « sauf si une dérogation »
    contradicts the others."""
    sections = load_sections(KBConfig.model_fields["guide_dir"].default)
    stale = [s.id for s in sections if "sauf si une dérogation" in s.body or "sauf si dérogation" in s.body]
    assert not stale
    silence = [s for s in sections if "réputée accordée" in s.body and "dérogation" in s.body]
    assert {"glossaire-at", "autorisations-travaux-delai", "accessibilite-derogation-procedure"} <= {
        s.id for s in silence
    }
