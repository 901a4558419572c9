"""The one vocabulary (typed API) and the Rasa synonyms generated from it."""

from __future__ import annotations

import subprocess
import sys

import yaml

from rules_bridge import MAX_PROFESSIONALS, load_grid, vocabulary
from rules_bridge.synonyms import HEADER, render, wordings
from rules_bridge.vocabulary import KINDS


def test_vocabulary_normalises_every_synonym_to_its_id():
    v = vocabulary()
    for kind in KINDS:
        for canonical, synonyms in v.table(kind).items():
            for synonym in synonyms:
                if not synonym.endswith("*"):
                    assert v.normalise(kind, synonym) == canonical, (kind, synonym)
    assert v.normalise("profession", "Kinés") == "masseur_kinesitherapeute"
    assert v.normalise("profession", "radiologue") == "medecin_specialiste"
    assert v.normalise("structure", "dispensaire") == "centre_sante"
    assert v.normalise("secteur", "3") == "non_conventionne"
    assert v.normalise("profession", "plombier") is None


def test_every_grid_profession_structure_and_project_is_in_the_vocabulary():
    v, g = vocabulary(), load_grid()
    assert set(g.professions) == set(v.professions)
    assert set(g.structures) == set(v.structures) and set(g.projets) == set(v.projets)
    assert 50 <= MAX_PROFESSIONALS <= 1000


def test_generated_synonyms_are_valid_rasa_nlu_and_cover_the_vocabulary():
    data = yaml.safe_load(render())
    assert render().startswith(HEADER) and data["version"] == "3.1"
    synonyms = {item["synonym"]: item["examples"] for item in data["nlu"] if "synonym" in item}
    lookups = {item["lookup"]: item["examples"] for item in data["nlu"] if "lookup" in item}
    assert set(lookups) == set(KINDS)
    v = vocabulary()
    for kind in KINDS:
        for canonical in v.table(kind):
            examples = synonyms.get(canonical, "")
            for form in wordings(kind)[canonical]:
                assert f"- {form}\n" in examples and f"- {form}\n" in lookups[kind]
    # A wording maps to one id only (Rasa would silently keep the last one).
    seen: dict[str, str] = {}
    for canonical, examples in synonyms.items():
        for line in examples.splitlines():
            text = line.removeprefix("- ")
            assert seen.setdefault(text, canonical) == canonical, text
    assert "- kinés\n" in synonyms["masseur_kinesitherapeute"] and "- kines\n" in synonyms["masseur_kinesitherapeute"]
    assert "- secteur 3\n" in synonyms["non_conventionne"]
    # Rasa maps synonyms whatever the entity: a bare « 3 » would turn headcounts and arrondissements into a sector.
    assert not any(
        line.strip().removeprefix("- ").isdigit()
        for e in [*synonyms.values(), *lookups.values()]
        for line in e.splitlines()
    )
    assert not any("*" in e for e in synonyms.values())


def test_generator_command_writes_the_file_to_stdout():
    out = subprocess.run([sys.executable, "-m", "rules_bridge.synonyms"], capture_output=True, text=True, check=True)
    assert out.stdout == render()
