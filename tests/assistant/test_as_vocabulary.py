"""Normalisation of user wording, and consistency of the NLU data with the lexicon and rules_bridge."""

from __future__ import annotations

import re

import pytest
import yaml

from assistant.actions.vocabulary import (
    find_professions,
    load_lexicon,
    needs_sector,
    normalize_profession,
    normalize_projet,
    normalize_secteur,
    normalize_structure,
    parse_count,
    parse_location,
    synonyms_yaml,
)
from parismed.config import PROJECT_ROOT
from tests.assistant.as_helpers import has_module

NLU_DIR = PROJECT_ROOT / "assistant" / "data" / "nlu"


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("kiné", "masseur_kinesitherapeute"),
        ("Kinés", "masseur_kinesitherapeute"),
        ("masseurs-kinésithérapeutes", "masseur_kinesitherapeute"),
        ("MG", "medecin_generaliste"),
        ("généraliste", "medecin_generaliste"),
        ("IDE", "infirmier"),
        ("infirmières", "infirmier"),
        ("SF", "sage_femme"),
        ("sages femmes", "sage_femme"),
        ("dentiste", "chirurgien_dentiste"),
        ("pedicure-podologue", "pedicure_podologue"),
        ("plombier", None),
    ],
)
def test_profession_synonyms(said, expected):
    assert normalize_profession(said) == expected


@pytest.mark.parametrize(
    ("said", "arrondissement", "in_paris"),
    [
        ("19e", 19, True),
        ("19eme", 19, True),
        ("dix-neuvième", 19, True),
        ("le 1er", 1, True),
        ("Paris 13", 13, True),
        ("75019", 19, True),
        ("75116", 16, True),
        ("XXe", 20, True),
        ("93100", None, False),
        ("25e", None, False),
    ],
)
def test_locations(said, arrondissement, in_paris):
    location = parse_location(said)
    assert location is not None
    assert (location.arrondissement, location.in_paris) == (arrondissement, in_paris)


def test_location_absent():
    assert parse_location("je ne sais pas") is None


@pytest.mark.parametrize(
    ("said", "count"),
    [
        ("3", 3),
        (3.0, 3),
        ("trois", 3),
        ("je suis seule", 1),
        ("nous sommes 4", 4),
        ("0", 0),
        ("un cabinet de cinq", 5),
        ("2 et 3", None),
        ("plusieurs", None),
        ("19e", None),
    ],
)
def test_counts(said, count):
    assert parse_count(said) == count


def test_other_vocabularies():
    assert normalize_secteur("conventionné secteur 1") == "1"
    assert normalize_secteur("Secteur 2 avec OPTAM") == "optam"
    assert normalize_secteur("secteur 2") == "2"
    assert normalize_secteur("n'importe quoi") is None
    assert normalize_structure("maison de santé") == "msp"
    assert normalize_structure("CDS") == "centre_sante"
    assert normalize_projet("déménager") == "demenagement"


def test_find_professions_in_free_text():
    assert find_professions("nous sommes 2 kinés et une infirmière") == ["masseur_kinesitherapeute", "infirmier"]
    assert find_professions("je suis médecin généraliste") == ["medecin_generaliste"]
    assert find_professions("bonjour") == []


def test_sector_is_asked_for_doctors_only():
    assert needs_sector(["infirmier", "medecin_generaliste"])
    assert not needs_sector(["infirmier", "orthophoniste"])


def test_synonyms_file_is_generated_from_the_lexicon():
    assert (NLU_DIR / "synonyms.yml").read_text(encoding="utf-8") == synonyms_yaml()


def _annotated_values():
    """(entity, value) of every annotation in the NLU training data, after synonyms."""
    synonyms = {}
    for block in yaml.safe_load((NLU_DIR / "synonyms.yml").read_text(encoding="utf-8"))["nlu"]:
        if "synonym" not in block:  # the lookup table of number words
            continue
        for line in block["examples"].splitlines():
            synonyms[line.strip()[2:].strip().lower()] = block["synonym"]
    for path in NLU_DIR.glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for text, name in re.findall(r"\[([^\]]+)\]\((\w+)\)", block.get("examples", "")):
                yield name, synonyms.get(text.lower(), text), path.name


def test_every_annotated_entity_normalises():
    normalisers = {
        "profession": normalize_profession,
        "structure": normalize_structure,
        "projet": normalize_projet,
        "secteur": normalize_secteur,
        "nombre_professionnels": parse_count,
        "arrondissement": parse_location,
        "code_postal": parse_location,
    }
    failures = [(name, value, where) for name, value, where in _annotated_values() if normalisers[name](value) is None]
    assert failures == []


@pytest.mark.skipif(not has_module("rules_bridge"), reason="rules_bridge not available")
def test_lexicon_ids_are_accepted_by_rules_bridge():
    from rules_bridge import ProfileError, estimate

    lexicon = load_lexicon().raw
    for profession in lexicon["professions"]:
        for structure in [None, *lexicon["structures"]]:
            profile = {"professionnels": [{"profession": profession, "nombre": 2}], "arrondissement": 19}
            if structure:
                profile["structure"] = structure
            try:
                estimate(profile)
            except ProfileError as error:  # pragma: no cover - the failure message is the point
                pytest.fail(f"{profession}/{structure}: {error.message}")
    for projet in lexicon["projets"]:
        estimate({"professionnels": [{"profession": "infirmier", "nombre": 2}], "arrondissement": 19, "projet": projet})
    for sector in lexicon["secteurs"]:
        estimate(
            {
                "professionnels": [{"profession": "medecin_generaliste", "nombre": 2, "secteur": sector}],
                "arrondissement": 19,
            }
        )
