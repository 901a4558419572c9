"""action_estimer_aide: one short text + one estimate card; profile built from the slots; French errors."""

from __future__ import annotations

import pytest

import rules_bridge
from assistant.actions.estimate import ActionEstimerAide, ActionExpliquerEstimation, EstimateCard, cited_sources
from assistant.actions.profile import build_profile, split_team
from assistant.actions.vocabulary import profession_label
from frenchtext import format_eur
from tests.assistant.as_helpers import action_event, make_tracker, responses, run_action, slots_set, user_event

ESTIMATE_SLOTS = {"professions": ["masseur_kinesitherapeute"], "arrondissement": "19", "nombre_professionnels": 3.0}


@pytest.mark.parametrize(
    ("professions", "total", "said", "expected", "guessed"),
    [
        (["infirmier"], 3, None, {"infirmier": 3}, False),
        (["infirmier"], 4, {"infirmier": 3}, {"infirmier": 4}, False),  # corrected total wins
        (["a", "b"], 3, {"a": 2, "b": 1}, {"a": 2, "b": 1}, False),
        (["a", "b"], 3, None, {"a": 2, "b": 1}, True),
        (["a", "b"], 5, {"a": 2}, {"a": 2, "b": 3}, True),
        (["a", "b", "c"], 1, None, {"a": 1, "b": 1, "c": 1}, True),
    ],
)
def test_split_team(professions, total, said, expected, guessed):
    assert split_team(professions, total, said) == (expected, guessed)


def test_build_profile_from_slots():
    tracker = make_tracker(
        "",
        slots={
            "professions": ["kiné", "medecin_generaliste"],
            "arrondissement": "19",
            "nombre_professionnels": 3.0,
            "secteur": "secteur 1",
            "structure": "maison de santé",
            "projet": "déménager",
        },
    )
    profile, guessed = build_profile(tracker)
    assert profile == {
        "professionnels": [
            {"profession": "masseur_kinesitherapeute", "nombre": 2},
            {"profession": "medecin_generaliste", "nombre": 1, "secteur": "1"},
        ],
        "arrondissement": 19,
        "structure": "msp",
        "projet": "demenagement",
    }
    assert guessed == "2 masseurs-kinésithérapeutes et 1 médecin généraliste"


@pytest.mark.parametrize(
    ("team", "part", "expected"),
    [
        # « on est 3 généralistes en secteur 2 » then « et si l'un de nous passe en secteur 1 ? »
        (
            {"professions": ["medecin_generaliste"], "nombre_professionnels": 3.0},
            {"secteur": "1", "nombre": 1},
            [("medecin_generaliste", 2, "2"), ("medecin_generaliste", 1, "1")],
        ),
        # a lone doctor among kinés: « l'un de nous » can only be the doctor
        (
            {
                "professions": ["medecin_generaliste", "masseur_kinesitherapeute"],
                "repartition": {"medecin_generaliste": 1, "masseur_kinesitherapeute": 2},
                "nombre_professionnels": 3.0,
            },
            {"secteur": "1", "nombre": 1},
            [("medecin_generaliste", 1, "1"), ("masseur_kinesitherapeute", 2, None)],
        ),
        (
            {"professions": ["medecin_generaliste"], "nombre_professionnels": 3.0},
            None,
            [("medecin_generaliste", 3, "2")],
        ),
    ],
)
def test_build_profile_with_part_of_the_doctors_in_another_sector(team, part, expected):
    tracker = make_tracker("", slots={**team, "arrondissement": "18", "secteur": "2", "secteur_partiel": part})
    profile, _ = build_profile(tracker)
    assert [(m["profession"], m["nombre"], m.get("secteur")) for m in profile["professionnels"]] == expected


def test_estimate_failure_apologises(fake_module, domain):
    def broken(profile):
        raise rules_bridge.GridError("grille absente")

    fake_module("rules_bridge", estimate=broken)
    messages, events = run_action(ActionEstimerAide(), make_tracker("", slots=ESTIMATE_SLOTS), domain)
    assert responses(messages) == ["estimation_erreur"]
    assert slots_set(events) == {"offre_equipe": True}


def test_profile_error_is_explained(fake_module, domain):
    def refuse(profile):
        raise rules_bridge.ProfileError("code_postal", "Indiquez le lieu du projet.")

    fake_module("rules_bridge", estimate=refuse)
    messages, _ = run_action(ActionEstimerAide(), make_tracker("", slots=ESTIMATE_SLOTS), domain)
    assert responses(messages) == ["profil_incomplet"]
    assert messages[0]["text"].endswith("Indiquez le lieu du projet.")


def test_unexpected_failure_is_not_swallowed(fake_module, domain):
    def bug(profile):
        raise KeyError("bug")

    fake_module("rules_bridge", estimate=bug)
    with pytest.raises(KeyError):
        run_action(ActionEstimerAide(), make_tracker("", slots=ESTIMATE_SLOTS), domain)


def test_real_estimate_is_one_text_and_one_card(domain):
    expected = rules_bridge.estimate(
        {"professionnels": [{"profession": "masseur_kinesitherapeute", "nombre": 3}], "arrondissement": 19}
    )
    messages, events = run_action(ActionEstimerAide(), make_tracker("", slots=ESTIMATE_SLOTS), domain)
    assert len(messages) == 2
    text, card = messages
    assert format_eur(expected.aide_plancher_eur) in text["text"]
    assert "au moins" in text["text"] and "indicative" in text["text"]
    assert [b["payload"] for b in text["buttons"]] == ["/orientation_partenaire", "/parler_humain"]
    payload = EstimateCard.model_validate(card["custom"])  # the contract of docs/contracts.md
    assert payload.type == "estimate_card"
    assert payload.aide_plancher_eur == expected.aide_plancher_eur
    assert payload.montant == format_eur(expected.aide_plancher_eur)
    assert 1 <= len(payload.motifs) <= 3 and len(payload.partenaires) <= 3
    assert sum(line.montant_eur for line in payload.detail) == expected.aide_plancher_eur
    assert payload.sources and all("src-" not in s or "—" in s for s in payload.sources)
    assert payload.version_grille == expected.version_grille
    assert payload.repartition_supposee is None
    assert all("**" not in m for m in payload.motifs)  # plain text, no Markdown
    kept = slots_set(events)
    assert kept["offre_equipe"] is False
    assert kept["estimation"]["aide_plancher_eur"] == expected.aide_plancher_eur  # kept to restate it


def _estimated(domain, slots=ESTIMATE_SLOTS):
    """The slots after a first estimate of `slots` (the card shown)."""
    _, events = run_action(ActionEstimerAide(), make_tracker("", slots=slots), domain)
    return {**slots, **slots_set(events)}


def test_criteria_stated_in_the_conversation_reach_the_estimate(domain):
    # third outside test: nurses who said « notre local est dans un QPV » got « Local en QPV : non retenu »
    history = [
        user_event("On est 2 infirmières, notre local est dans un QPV du 19e, on s'installe", "informer"),
        action_event("formulaire_eligibilite"),
        user_event("on a aussi un projet de santé", "informer"),
    ]
    slots = {"professions": ["infirmier"], "arrondissement": "19", "nombre_professionnels": 2.0}
    tracker = make_tracker("", slots=slots, history=history)
    profile, _ = build_profile(tracker)
    assert (profile["qpv"], profile["projet_sante"]) == (True, True)
    messages, _ = run_action(ActionEstimerAide(), tracker, domain)
    lines = [line["ligne"] for line in messages[1]["custom"]["detail"]]
    assert not any("non retenu" in line for line in lines if "QPV" in line), lines
    assert (
        messages[1]["custom"]["aide_plancher_eur"]
        > rules_bridge.estimate(
            {"professionnels": [{"profession": "infirmier", "nombre": 2}], "arrondissement": 19}
        ).aide_plancher_eur
    )
    # the latest mention wins
    later = make_tracker(
        "", slots=slots, history=[*history, user_event("en fait le local n'est pas en QPV", "informer")]
    )
    assert build_profile(later)[0]["qpv"] is False


@pytest.mark.parametrize("question", ["c'est combien ?", "et ça fait combien au total ?", "c'est quoi le montant ?"])
def test_asked_again_with_nothing_changed_the_estimate_is_restated_not_sent_again(domain, question):
    slots = _estimated(domain)
    messages, events = run_action(ActionEstimerAide(), make_tracker(question, "estimer_aide", slots=slots), domain)
    assert responses(messages) == ["rappel_montant"]  # one short text, no second card
    amount = format_eur(slots["estimation"]["aide_plancher_eur"])
    assert f"au moins {amount}" in messages[0]["text"] and "hypothèses" in messages[0]["text"]
    assert "estimation" not in slots_set(events)


def test_an_estimate_kept_from_another_grid_version_is_computed_again(domain):
    slots = _estimated(domain)
    slots["estimation"] = {**slots["estimation"], "version_grille": "grille-remplacee"}  # staff published a new grid
    messages, events = run_action(
        ActionEstimerAide(), make_tracker("c'est combien ?", "estimer_aide", slots=slots), domain
    )
    assert len(messages) == 2 and messages[1]["custom"]["type"] == "estimate_card"
    assert slots_set(events)["estimation"]["version_grille"] == messages[1]["custom"]["version_grille"]


def test_why_not_eligible_restates_the_reasons(domain):
    slots = _estimated(domain, {**ESTIMATE_SLOTS, "nombre_professionnels": 1.0})
    assert slots["estimation"]["eligible"] is False
    tracker = make_tracker("pourquoi je ne suis pas éligible ?", "demande_eligibilite", slots=slots)
    messages, _ = run_action(ActionEstimerAide(), tracker, domain)
    assert len(messages) == 1 and "ne semble pas éligible" in messages[0]["text"]
    assert all(motif in messages[0]["text"] for motif in slots["estimation"]["motifs"])


def test_a_changed_profile_gets_a_new_card(domain):
    slots = _estimated(domain)
    changed = {**slots, "nombre_professionnels": 4.0}
    messages, events = run_action(
        ActionEstimerAide(), make_tracker("et si on est 4 ?", "informer", slots=changed), domain
    )
    assert len(messages) == 2 and messages[1]["custom"]["type"] == "estimate_card"
    assert slots_set(events)["estimation"]["profil"]["professionnels"][0]["nombre"] == 4


def test_guessed_split_is_said_in_the_text_and_the_card(domain):
    tracker = make_tracker("", slots={**ESTIMATE_SLOTS, "professions": ["infirmier", "orthophoniste"]})
    messages, _ = run_action(ActionEstimerAide(), tracker, domain)
    assert len(messages) == 2
    assert "j'ai retenu la répartition suivante" in messages[0]["text"]
    assert messages[1]["custom"]["repartition_supposee"] == f"2 {profession_label('infirmier', 2)} et 1 orthophoniste"


def test_cited_sources_reads_only_the_sources_section():
    text = "## T\n\n### Pourquoi\n\n- motif\n\n### Sources\n\n- [src-1] Titre — Ville — 2024\n\n> fin"
    assert cited_sources(text) == ["[src-1] Titre — Ville — 2024"]


def _just_estimated(
    question: str, slots: dict, intent: str = "expliquer_estimation", last: str = "action_estimer_aide"
):
    """A tracker whose latest message `question` follows the action `last` (by default: the estimate just shown)."""
    history = [
        user_event("nous sommes 3 kinés dans le 19e", "informer"),
        action_event(last),
        action_event("action_listen"),
    ]
    return make_tracker(question, intent, slots=slots, history=history)


@pytest.mark.parametrize("question", ["pourquoi ?", "pourquoi ce montant ?", "comment c'est calculé ?"])
def test_why_or_how_right_after_an_estimate_gets_its_reasons_and_calculation(domain, question):
    slots = _estimated(domain)
    messages, events = run_action(ActionExpliquerEstimation(), _just_estimated(question, slots), domain)
    assert len(messages) == 1 and not messages[0].get("custom")  # one short text, no second card
    text = messages[0]["text"]
    assert f"au moins {format_eur(slots['estimation']['aide_plancher_eur'])}" in text
    assert all(motif in text for motif in slots["estimation"]["motifs"])
    assert "Le calcul, ligne par ligne\u00a0:" in text
    for line in slots["estimation"]["detail"]:
        assert f"{line['ligne']} → {line['somme']}" in text
    assert slots_set(events) == {"offre_equipe": False}
    # asked again right after the explanation: explained again
    messages, _ = run_action(
        ActionExpliquerEstimation(), _just_estimated("et pourquoi ?", slots, last="action_expliquer_estimation"), domain
    )
    assert "Le calcul, ligne par ligne" in messages[0]["text"]


def test_why_with_no_estimate_just_shown_is_not_understood(domain):
    slots = _estimated(domain)
    later = _just_estimated("pourquoi ?", slots, last="utter_de_rien")  # the conversation moved on
    messages, _ = run_action(ActionExpliquerEstimation(), later, domain)
    assert responses(messages) == ["reformuler"]
    messages, _ = run_action(ActionExpliquerEstimation(), make_tracker("pourquoi ?", "expliquer_estimation"), domain)
    assert responses(messages) == ["reformuler"]


def test_why_in_the_middle_of_the_form_is_not_an_answer(domain):
    tracker = make_tracker("pourquoi ?", "expliquer_estimation", active_loop="formulaire_eligibilite")
    messages, _ = run_action(ActionExpliquerEstimation(), tracker, domain)
    assert responses(messages) == ["reponse_non_comprise"]  # then the form asks its question again (rules)


def test_a_sector_said_for_a_team_without_doctors_is_said_to_be_unused(domain):
    # « chirurgien-dentiste conventionné secteur 2 » got an amount without a word on the sector (sixth outside test)
    slots = {"professions": ["chirurgien_dentiste"], "nombre_professionnels": 2, "arrondissement": "16", "secteur": "2"}
    messages, _ = run_action(ActionEstimerAide(), make_tracker("", slots=slots), domain)
    assert "n'entre pas dans ce calcul" in messages[0]["text"]
    doctors = {**slots, "professions": ["medecin_generaliste"], "secteur": "1"}
    messages, _ = run_action(ActionEstimerAide(), make_tracker("", slots=doctors), domain)
    assert "n'entre pas dans ce calcul" not in messages[0]["text"]
