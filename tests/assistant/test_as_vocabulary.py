"""Normalisation of user wording through rules_bridge, NLU data consistent with it, and the parity of the chat form
with rules_bridge.coerce_profile on every vocabulary entry (one vocabulary everywhere, issue 16)."""

from __future__ import annotations

import re

import pytest
import yaml

import rules_bridge
import rules_bridge.synonyms
from assistant.actions.forms import ValidateFormulaireEligibilite
from assistant.actions.messages import render
from assistant.actions.profile import build_profile
from assistant.actions.vocabulary import (
    needs_sector,
    normalize_profession,
    normalize_projet,
    normalize_secteur,
    normalize_structure,
    parse_count,
    parse_location,
)
from parismed.config import PROJECT_ROOT
from tests.assistant.as_helpers import make_tracker

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
        ("deux", 2),
        ("vingt-deux", 22),
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
    assert normalize_secteur("Secteur 1") == "1"
    assert normalize_secteur("secteur 2 OPTAM") == "optam"
    assert normalize_secteur("secteur 3") == "non_conventionne"
    assert normalize_secteur("secteur 2") == "2"
    assert normalize_secteur("n'importe quoi") is None
    assert normalize_structure("maison de santé") == "msp"
    assert normalize_structure("CDS") == "centre_sante"
    assert normalize_projet("déménager") == "demenagement"


def test_sector_is_asked_for_doctors_only():
    assert needs_sector(["infirmier", "medecin_generaliste"])
    assert not needs_sector(["infirmier", "orthophoniste"])


def test_synonyms_file_is_generated_from_the_rules_bridge_vocabulary():
    def data(text: str) -> list[str]:  # what Rasa reads: comments aside
        return [line for line in text.splitlines() if not line.startswith("#")]

    generated = (NLU_DIR / "synonyms.yml").read_text(encoding="utf-8")
    assert generated.startswith(rules_bridge.synonyms.HEADER)
    assert data(generated) == data(rules_bridge.synonyms.render())
    assert not re.search(r"^\s+- \d+$", generated, re.M)  # « 3 » must not become « non_conventionne »


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


def _every_entry(kind):
    for canonical, synonyms in rules_bridge.vocabulary().table(kind).items():
        for wording in [canonical, *synonyms]:
            if not wording.endswith("*"):  # free-text prefixes are not values
                yield wording


class _Silent:
    """A dispatcher that fails when the form refuses a value (a profession named but not counted is told so: that is
    no refusal)."""

    def utter_message(self, **kwargs):
        told_not_counted = kwargs.get("text", "").endswith(render("professions_non_retenues", raisons="")["text"])
        if not told_not_counted:
            raise AssertionError(f"the form refused a vocabulary entry: {kwargs}")


def test_every_profession_wording_gives_the_same_id_in_the_chat_form_and_rules_bridge(domain):
    form = ValidateFormulaireEligibilite()
    for wording in _every_entry("profession"):
        rules = rules_bridge.coerce_profile({"professionnels": [{"profession": wording}], "arrondissement": 19})
        chat = form.validate_professions([wording], _Silent(), make_tracker(""), domain)["professions"]
        assert chat == [rules.professionnels[0].profession], wording


def test_every_sector_wording_gives_the_same_value_in_the_chat_form_and_rules_bridge(domain):
    form = ValidateFormulaireEligibilite()
    for wording in _every_entry("secteur"):
        chat = form.validate_secteur(wording, _Silent(), make_tracker(""), domain)["secteur"]
        profile, _ = build_profile(
            make_tracker("", slots={"professions": ["medecin_generaliste"], "arrondissement": "19", "secteur": chat})
        )
        rules = rules_bridge.coerce_profile(
            {"professionnels": [{"profession": "medecin_generaliste", "secteur": wording}], "arrondissement": 19}
        )
        assert rules_bridge.coerce_profile(profile).professionnels[0].secteur == rules.professionnels[0].secteur, (
            wording
        )


@pytest.mark.parametrize("kind", ["structure", "projet"])
def test_every_structure_and_project_wording_gives_the_same_profile(kind):
    for wording in _every_entry(kind):
        slots = {"professions": ["infirmier"], "arrondissement": "19", kind: wording}
        chat, _ = build_profile(make_tracker("", slots=slots))
        rules = rules_bridge.coerce_profile(
            {"professionnels": [{"profession": "infirmier"}], "arrondissement": 19, kind: wording}
        )
        assert rules_bridge.coerce_profile(chat) == rules, wording


def test_every_arrondissement_answer_gives_the_same_place(domain):
    form = ValidateFormulaireEligibilite()
    for number in range(1, 21):
        for said in (str(number), f"{number}e", f"750{number:02d}", f"Paris {number}"):
            chat = form.validate_arrondissement(said, _Silent(), make_tracker(""), domain)["arrondissement"]
            place = rules_bridge.parse_place(said, standalone=True)
            assert chat == str(place.arrondissement) == str(number), said


def test_headcount_limit_is_the_rules_bridge_one(domain):
    form = ValidateFormulaireEligibilite()
    limit = rules_bridge.MAX_PROFESSIONALS
    ok = form.validate_nombre_professionnels(limit, _Silent(), make_tracker(""), domain)
    assert ok == {"nombre_professionnels": float(limit)}
    rules_bridge.coerce_profile({"professionnels": [{"profession": "infirmier", "nombre": limit}], "arrondissement": 1})
