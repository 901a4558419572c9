"""Triage: accuracy on the labelled set, the `classify` contract, priority rules, keyword matching."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from channels.staff import classify, triage_app
from channels.staff.classify import (
    THEMES,
    ThemeModel,
    assess_priority,
    classify_theme,
    question_sentences,
    theme_model,
    theme_rules,
)
from channels.staff.evaluation import (
    DEFAULT_SET,
    DEV_SET,
    INDEPENDENT_SET,
    evaluate,
    load_set,
    train_theme_model,
    training_items,
)
from channels.staff.matching import KeywordSet, fold, tokens_of


@pytest.fixture(scope="module")
def held_out():
    return evaluate(DEFAULT_SET)


def test_labelled_set_is_large_and_varied():
    items = load_set(DEFAULT_SET)
    assert len(items) >= 60
    assert {i["theme"] for i in items} == set(THEMES)
    assert len({i["id"] for i in items}) == len(items)
    dev_texts = {i["texte"].strip() for i in load_set(DEV_SET)}
    assert not dev_texts & {i["texte"].strip() for i in items}  # tuning set and measured set are disjoint


def test_rules_alone_on_their_held_out_set():
    # the keyword rules were frozen before this set: 90.9 % exact (the learned model now trains on it)
    rules = theme_rules()
    items = load_set(DEFAULT_SET)
    assert sum(rules.theme(i["texte"]) == i["theme"] for i in items) / len(items) >= 0.85


def test_theme_model_is_data_for_every_theme():
    model = theme_model()
    assert model is not None
    assert sorted(model.model.classes) == sorted(THEMES)
    assert model.model.coef.shape == (len(model.model.index), len(THEMES)) and len(model.model.index) > 1000


def test_theme_model_never_trains_on_the_test_split():
    test_texts = {i["texte"].strip() for i in load_set(INDEPENDENT_SET, "test")}
    training = training_items()
    assert len(training) >= 300
    assert not test_texts & {i["texte"].strip() for i in training}


def test_trained_coefficients_read_back_as_a_model():
    items = load_set(DEFAULT_SET)[:40]
    data = train_theme_model(items, {"C": 100.0, "min_df": 1})
    model = ThemeModel.from_data(data)
    rules = theme_rules()
    fitted = sum(model.theme(i["texte"], rules) == i["theme"] for i in items)
    assert fitted >= 0.95 * len(items)  # the plain-data coefficients give back the fitted classifier


def test_independent_set_has_disjoint_splits_and_every_theme():
    dev, test = load_set(INDEPENDENT_SET, "dev"), load_set(INDEPENDENT_SET, "test")
    assert len(dev) + len(test) >= 150
    assert {i["theme"] for i in test} == set(THEMES)
    assert not {i["id"] for i in dev} & {i["id"] for i in test}


def test_independent_test_split_does_not_regress():
    # measured once per retrained model on the test split: 86.0 % exact with three writers' requests, 84.9 % with
    # four, 86.0 % with six, 83.7 % with eight, 88.4 % with ten, 87.2 % (75/86) with twelve, 89.5 % (77/86) with
    # sixteen and e5 sentence vectors, each chosen on leave-one-writer-out validation (eval/RESULTATS.md); rules
    # alone 74.4 %; target 90 %. The floor sits one request under the last measure.
    assert evaluate(INDEPENDENT_SET, "test").theme_accuracy >= 0.883


@pytest.mark.parametrize(
    "texte",
    [
        "Bonjour, notre agence améliore le référencement Google des cabinets médicaux. Pouvez-vous relayer ?",
        "Interne, je réalise un questionnaire sur l'installation des médecins. Pourriez-vous le diffuser ?",
        "Nous souhaiterions louer une salle municipale pour un mariage. Pourriez-vous nous envoyer vos tarifs ?",
    ],
)
def test_requests_outside_the_scheme_are_autre_not_orientation(texte):
    assert classify_theme(texte) == "autre"


def test_the_need_asked_outweighs_the_context():
    texte = (
        "Notre cabinet de 2 médecins dans le 19e a un local trop petit. "
        "Pourriez-vous nous aider à trouver un médecin pour nous rejoindre ?"
    )
    assert classify_theme(texte) == "equipe"


def test_arrondissement_and_profession_accuracy(held_out):
    # measured with rules_bridge.extract (held out for the extraction; the theme model trains on this set): arrondissement 98.5 %, professions (exact set) 92.4 %
    assert held_out.arrondissement_accuracy >= 0.90
    assert held_out.professions_accuracy >= 0.85


def test_every_theme_is_recognised_at_least_once(held_out):
    hits = {i.theme for i in held_out.items if i.predicted_theme == i.theme}
    assert hits == set(THEMES)


def test_evaluate_command_prints_the_figures():
    result = CliRunner().invoke(triage_app, ["evaluate", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["demandes"] >= 60
    assert {"theme_exact", "theme_souple", "arrondissement", "professions_exactes"} <= set(data)


def test_classify_contract(fake_guide):
    out = classify(
        "Bonjour, nous sommes 3 kinés dans le 19e et cherchons un local, c'est urgent. Faut-il une rampe d'accès ?"
    )
    assert set(out) == {"theme", "professions", "arrondissement", "zone_ars", "priorite", "partenaires", "brouillon"}
    assert out["theme"] == "locaux"
    assert out["professions"] == ["masseur_kinesitherapeute"]
    assert out["arrondissement"] == 19
    assert set(out["priorite"]) == {"niveau", "raison"} and out["priorite"]["niveau"] == "haute"
    assert out["priorite"]["raison"].endswith(".")
    assert all(set(p) == {"nom", "raison", "url"} for p in out["partenaires"]) and out["partenaires"]
    draft = out["brouillon"]
    assert draft.startswith("Bonjour,") and "L'équipe Paris Méd'" in draft
    assert "https://exemple.paris.fr/guide" in draft  # cited guide answer
    assert "Faut-il une rampe d'accès ?" in fake_guide  # the question inside the request was asked too
    json.dumps(out)  # serialisable as is


def test_cli_classify_json_matches_the_function(fake_guide):
    texte = "Je cherche un associé kiné pour mon cabinet du 12e."
    result = CliRunner().invoke(triage_app, ["classify", texte, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["theme"] == "equipe" and data["arrondissement"] == 12


def test_draft_asks_for_what_is_missing(fake_guide):
    draft = classify("Bonjour, quelles démarches pour s'installer ?")["brouillon"]
    assert "les professions" in draft and "l'arrondissement" in draft


@pytest.mark.parametrize(
    "texte, theme, source, niveau",
    [
        (
            "Notre bail expire à la fin du mois, c'est urgent : pouvez-vous nous aider à trouver un local ?",
            "locaux",
            None,
            "haute",
        ),
        ("Je cherche un local dans le 19e.", "locaux", "chat", "normale"),
        ("Mon associé part à la retraite, le cabinet risque la fermeture.", "equipe", "chat", "haute"),
        ("Merci de me désinscrire de la newsletter.", "autre", None, "basse"),
        (
            "Pour information, quelles aides existent ? Rien d'urgent, projet dans deux ans.",
            "financement",
            None,
            "basse",
        ),
        ("Quelles démarches pour m'installer ?", "orientation", None, "normale"),
    ],
)
def test_priority_rules(texte, theme, source, niveau):
    # the theme is given (the theme model is measured on the labelled sets, not on single sentences)
    assert assess_priority(texte, theme, None, source)["niveau"] == niveau


def test_priority_uses_the_ars_zone():
    p = assess_priority("Je cherche un local en QPV.", "locaux", "zip", "chat")
    assert p["niveau"] == "haute"
    assert "ZIP" in p["raison"] and "assistant en ligne" in p["raison"]
    assert assess_priority("Je cherche un local.", "locaux", "hors_zone", None)["niveau"] == "normale"


def test_fold_and_typo_tolerance():
    assert fold("Accessibilité ŒUVRE d'art — 75019 €") == "accessibilite oeuvre d art 75019 euros"
    kws = KeywordSet(["accessibilit*", "subvention*", "local"])
    assert kws.find(list(tokens_of("normes d'accesibilité"))) == ["accessibilit*"]  # one letter missing
    assert kws.find(list(tokens_of("une subvension"))) == ["subvention*"]  # one wrong letter
    assert kws.find(list(tokens_of("le locataire"))) == []  # exact word, short: no fuzzy match


def test_overlapping_keywords_count_once():
    kws = KeywordSet(["quelles demarches", "demarches"])
    assert kws.find(list(tokens_of("Quelles démarches ?"))) == ["quelles demarches"]
    assert kws.find(list(tokens_of("Quelles démarches, et quelles autres démarches ?"))) == [
        "quelles demarches",
        "demarches",
    ]


def test_question_sentences():
    text = "Bonjour. Nous sommes 3 kinés. Quelle aide pour le 19e ? Et pour les travaux ?\nMerci"
    assert question_sentences(text) == ["Quelle aide pour le 19e ?", "Et pour les travaux ?"]
