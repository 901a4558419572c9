"""Profile validation: synonyms accepted, every error names its field in a French message."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from rules_bridge import MAX_PROFESSIONALS, Profile, ProfileError, estimate, profile_error_from_validation
from rules_bridge.profile import coerce_profile

KINE = [{"profession": "masseur_kinesitherapeute", "nombre": 2}]


@pytest.mark.parametrize(
    ("synonym", "canonical"),
    [
        ("kiné", "masseur_kinesitherapeute"),
        ("Kinés", "masseur_kinesitherapeute"),
        ("MG", "medecin_generaliste"),
        ("médecin généraliste", "medecin_generaliste"),
        ("IDE", "infirmier"),
        ("infirmière", "infirmier"),
        ("SF", "sage_femme"),
        ("sage-femme", "sage_femme"),
        ("dentiste", "chirurgien_dentiste"),
        ("podologue", "pedicure_podologue"),
        ("Orthophoniste", "orthophoniste"),
        ("pédiatre", "medecin_specialiste"),
        ("psychologue", "psychologue"),
        ("medecin_generaliste", "medecin_generaliste"),
    ],
)
def test_profession_synonyms(synonym, canonical):
    p = coerce_profile({"professionnels": [{"profession": synonym}], "arrondissement": 19})
    assert p.professionnels[0].profession == canonical


@pytest.mark.parametrize("value", [19, "19", "19e", "19ème", "19eme", " 19 E ", "19e arrondissement"])
def test_arrondissement_formats(value):
    assert coerce_profile({"professionnels": KINE, "arrondissement": value}).arrondissement == 19


def test_first_arrondissement_and_postal_codes():
    assert coerce_profile({"professionnels": KINE, "arrondissement": "1er"}).arrondissement == 1
    assert coerce_profile({"professionnels": KINE, "code_postal": "75116"}).arrondissement == 16
    assert coerce_profile({"professionnels": KINE, "code_postal": 75019}).arrondissement == 19
    assert coerce_profile({"professionnels": KINE, "code_postal": "75 019"}).code_postal == "75019"
    both = coerce_profile({"professionnels": KINE, "code_postal": "75016", "arrondissement": "16e"})
    assert both.arrondissement == 16


@pytest.mark.parametrize(
    ("field", "value", "canonical"),
    [
        ("structure", "maison de santé", "msp"),
        ("structure", "CDS", "centre_sante"),
        ("structure", "cabinet de groupe", "cabinet_groupe"),
        ("projet", "déplacement", "demenagement"),
        ("projet", "deplacement", "demenagement"),
        ("projet", "recherche de local", "recherche_local"),
        ("zone_ars", "ZIP", "zip"),
        ("zone_ars", "hors zone", "hors_zone"),
        ("qpv", "oui", True),
        ("qpv", "non", False),
        ("projet_sante", True, True),
        ("primo_installation", "false", False),
    ],
)
def test_other_synonyms(field, value, canonical):
    p = coerce_profile({"professionnels": KINE, "arrondissement": 19, field: value})
    assert getattr(p, field) == ([canonical] if field == "projet" else canonical)


def test_sector_synonyms():
    p = coerce_profile(
        {
            "professionnels": [
                {"profession": "MG", "secteur": "secteur 1"},
                {"profession": "MG", "secteur": "OPTAM"},
                {"profession": "kiné", "secteur": "conventionné"},
                {"profession": "kiné", "secteur": "1"},
            ],
            "arrondissement": 19,
        }
    )
    assert [x.secteur for x in p.professionnels] == ["1", "optam", "conventionne", "conventionne"]


BAD = [
    (
        {"professionnels": [{"profession": "plombier"}], "arrondissement": 19},
        "professionnels[0].profession",
        "profession connue",
    ),
    ({"professionnels": [{"profession": ""}], "arrondissement": 19}, "professionnels[0].profession", "profession"),
    ({"professionnels": [{"profession": 12}], "arrondissement": 19}, "professionnels[0].profession", "profession"),
    (
        {"professionnels": [{"profession": "kiné", "nombre": 0}], "arrondissement": 19},
        "professionnels[0].nombre",
        "supérieur ou égal à 1",
    ),
    (
        {"professionnels": [{"profession": "kiné", "nombre": -3}], "arrondissement": 19},
        "professionnels[0].nombre",
        "supérieur ou égal à 1",
    ),
    (
        {"professionnels": [{"profession": "kiné", "nombre": "trois"}], "arrondissement": 19},
        "professionnels[0].nombre",
        "nombre entier",
    ),
    (
        {"professionnels": [{"profession": "kiné", "nombre": 2.5}], "arrondissement": 19},
        "professionnels[0].nombre",
        "nombre entier",
    ),
    (
        {"professionnels": [{"profession": "kiné", "nombre": True}], "arrondissement": 19},
        "professionnels[0].nombre",
        "nombre entier",
    ),
    (
        {"professionnels": [{"profession": "kiné", "nombre": 100000}], "arrondissement": 19},
        "professionnels[0].nombre",
        f"inférieur ou égal à {MAX_PROFESSIONALS}",
    ),
    (
        {
            "professionnels": [{"profession": "kiné", "nombre": MAX_PROFESSIONALS}, {"profession": "infirmier"}],
            "arrondissement": 19,
        },
        "professionnels",
        f"{MAX_PROFESSIONALS + 1} professionnels en tout",
    ),
    (
        {"professionnels": [{"profession": "kiné", "secteur": "2"}], "arrondissement": 19},
        "professionnels[0].secteur",
        "médecin",
    ),
    (
        {"professionnels": [{"profession": "MG", "secteur": "3b"}], "arrondissement": 19},
        "professionnels[0].secteur",
        "secteur connu",
    ),
    (
        {"professionnels": [{"profession": "kiné", "age": 40}], "arrondissement": 19},
        "professionnels[0].age",
        "pas reconnu",
    ),
    ({"professionnels": [], "arrondissement": 19}, "professionnels", "au moins un professionnel"),
    ({"professionnels": "trois kinés", "arrondissement": 19}, "professionnels", "liste"),
    ({"arrondissement": 19}, "professionnels", "obligatoire"),
    ({"professionnels": KINE}, "code_postal", "obligatoire"),
    ({"professionnels": KINE, "code_postal": "93100"}, "code_postal", "75001 à 75020 ou 75116"),
    ({"professionnels": KINE, "code_postal": "75021"}, "code_postal", "code postal parisien"),
    ({"professionnels": KINE, "code_postal": ["75019"]}, "code_postal", "code postal"),
    ({"professionnels": KINE, "arrondissement": 21}, "arrondissement", "de 1 à 20"),
    ({"professionnels": KINE, "arrondissement": 0}, "arrondissement", "de 1 à 20"),
    ({"professionnels": KINE, "arrondissement": "Montmartre"}, "arrondissement", "de 1 à 20"),
    ({"professionnels": KINE, "arrondissement": 18, "code_postal": "75019"}, "arrondissement", "ne correspond pas"),
    ({"professionnels": KINE, "arrondissement": 19, "structure": "hôpital"}, "structure", "msp"),
    ({"professionnels": KINE, "arrondissement": 19, "projet": "vacances"}, "projet", "installation"),
    ({"professionnels": KINE, "arrondissement": 19, "zone_ars": "zone rouge"}, "zone_ars", "zip"),
    ({"professionnels": KINE, "arrondissement": 19, "qpv": "peut-être"}, "qpv", "oui ou non"),
    ({"professionnels": KINE, "arrondissement": 19, "projet_sante": 3}, "projet_sante", "oui ou non"),
    ({"professionnels": KINE, "arrondissement": 19, "primo_installation": "bof"}, "primo_installation", "oui ou non"),
    (
        {"professionnels": KINE, "arrondissement": 19, "depenses_investissement_eur": -1},
        "depenses_investissement_eur",
        "supérieur ou égal à 0",
    ),
    (
        {"professionnels": KINE, "arrondissement": 19, "depenses_investissement_eur": "beaucoup"},
        "depenses_investissement_eur",
        "nombre entier",
    ),
    ({"professionnels": KINE, "arrondissement": 19, "codepostal": "75019"}, "codepostal", "pas reconnu"),
]


@pytest.mark.parametrize(("profile", "field", "fragment"), BAD, ids=[b[1] + ":" + b[2] for b in BAD])
def test_errors_name_the_field_in_french(profile, field, fragment):
    with pytest.raises(ProfileError) as info:
        estimate(profile)
    err = info.value
    assert err.field == field
    assert f"« {field} »" in err.message
    assert fragment in err.message
    assert err.to_dict()["field"] == field and err.to_dict()["errors"]


def test_postal_code_message_matches_the_brief():
    with pytest.raises(ProfileError) as info:
        estimate({"professionnels": KINE, "code_postal": "93100"})
    assert info.value.message == (
        "Le champ « code_postal » doit être un code postal parisien (75001 à 75020 ou 75116) : « 93100 » ne l'est pas."
    )


def test_non_dict_profile_is_a_profile_error():
    for bad in (None, "kiné dans le 19e", 42, ["kiné"]):
        with pytest.raises(ProfileError) as info:
            estimate(bad)  # type: ignore[arg-type]
        assert info.value.field == "profil"


def test_all_problems_are_listed():
    with pytest.raises(ProfileError) as info:
        estimate({"professionnels": [{"profession": "plombier", "nombre": 0}], "code_postal": "13001"})
    fields = [f for f, _ in info.value.errors]
    assert "professionnels[0].profession" in fields and "professionnels[0].nombre" in fields and "code_postal" in fields


def test_validation_error_helper():
    with pytest.raises(ValidationError) as info:
        Profile.model_validate({"professionnels": [{"profession": "kiné", "nombre": "x"}], "arrondissement": 19})
    err = profile_error_from_validation(info.value)
    assert isinstance(err, ProfileError)
    assert err.field == "professionnels[0].nombre"
    assert "« professionnels[0].nombre »" in err.message


def test_an_unknown_profession_is_answered_with_the_professions_french_names():
    with pytest.raises(ProfileError) as err:
        coerce_profile({"professionnels": [{"profession": "plombier"}], "arrondissement": 19})
    message = str(err.value)
    assert "masseur-kinésithérapeute" in message and "sage-femme" in message
    assert "masseur_kinesitherapeute" not in message  # identifiers read as a bug (third outside test)
