"""action_orienter: partners with reason and link, completed with the known profile."""

from __future__ import annotations

import rules_bridge
from assistant.actions.handoff import ActionIncompris
from assistant.actions.orientation import ActionOrienter, orientation_query
from tests.assistant.as_helpers import (
    action_event,
    bot_event,
    make_tracker,
    responses,
    run_action,
    slots_set,
    user_event,
)


def test_query_is_completed_with_the_profile():
    tracker = make_tracker(
        "je cherche un local", "orientation_partenaire", slots={"arrondissement": "19", "professions": ["infirmier"]}
    )
    query = orientation_query(tracker)
    assert query.startswith("je cherche un local")
    assert "19e" in query and "infirmier" in query


def test_button_payload_uses_the_profile_only():
    tracker = make_tracker("/orientation_partenaire", "orientation_partenaire", slots={"arrondissement": "20"})
    assert orientation_query(tracker) == "Dans le 20e arrondissement."


def test_the_known_arrondissement_reaches_the_partners_after_a_profession():
    # « … dans le 16e masseur-kinésithérapeute » read « 16 » as a headcount: the CPTS asked for the arrondissement
    slots = {"arrondissement": "16", "professions": ["masseur_kinesitherapeute"]}
    query = orientation_query(make_tracker("qui dois-je contacter ?", "orientation_partenaire", slots=slots))
    assert rules_bridge.extract(query).arrondissement == 16
    names = [p.nom for p in rules_bridge.orient(query).partenaires]
    assert "CPTS de votre arrondissement (16e)" in names and "CPTS de votre arrondissement" not in names


def test_colleagues_are_a_need_partners_answer():
    names = [
        p.nom for p in rules_bridge.orient("et pour trouver des collègues ? Dans le 20e arrondissement.").partenaires
    ]
    assert any("CPTS" in name for name in names)  # « Je n'ai pas trouvé de partenaire » (third outside test)


def test_partners_are_listed(fake_module, domain):
    partners = [
        rules_bridge.Partner(
            id="pc", nom="GIE Paris Commerces", raison="Locaux à loyer modéré.", url="https://pariscommerces.fr"
        )
    ]
    fake_module("rules_bridge", orient=lambda text, general: rules_bridge.Orientation(partenaires=partners))
    messages, events = run_action(
        ActionOrienter(), make_tracker("je cherche un local", "orientation_partenaire"), domain
    )
    assert responses(messages)[0] == "orientation_intro"
    assert messages[1]["text"] == "- **GIE Paris Commerces** : Locaux à loyer modéré. (https://pariscommerces.fr)"
    assert slots_set(events) == {"offre_equipe": False}


def test_no_partner(fake_module, domain):
    fake_module("rules_bridge", orient=lambda text, general: rules_bridge.Orientation(partenaires=[]))
    messages, _ = run_action(ActionOrienter(), make_tracker("bla", "orientation_partenaire"), domain)
    assert responses(messages) == ["orientation_vide"]


def test_failure_apologises_and_offers_the_team(fake_module, domain):
    def broken(text, general):
        raise rules_bridge.GridError("annuaire absent")

    fake_module("rules_bridge", orient=broken)
    messages, events = run_action(
        ActionOrienter(), make_tracker("je cherche un local", "orientation_partenaire"), domain
    )
    assert responses(messages) == ["orientation_erreur"]
    assert slots_set(events) == {"offre_equipe": True}


def test_real_orientation_for_premises(domain):
    messages, _ = run_action(
        ActionOrienter(), make_tracker("je cherche un local dans le 19e", "orientation_partenaire"), domain
    )
    assert responses(messages)[0] == "orientation_intro"
    assert "https://" in messages[1]["text"]
    assert messages[1]["text"].startswith("- **")


def test_a_need_no_partner_matches_is_told_so_with_the_team_offered(domain):
    """The same function as `parismed orient` and POST /api/v1/orient: no partner, and the chat says so."""
    messages, events = run_action(
        ActionOrienter(),
        make_tracker("déclaration d'impôts", "orientation_partenaire", slots={"arrondissement": "19"}),
        domain,
    )
    assert responses(messages) == ["orientation_vide"]
    assert "parler_humain" in str(messages[0])  # the « Parler à l'équipe » button of the reply
    assert slots_set(events) == {"offre_equipe": False}


def test_the_find_a_partner_button_lists_the_general_partners_with_the_profile(domain):
    tracker = make_tracker(
        "/orientation_partenaire",
        "orientation_partenaire",
        slots={"arrondissement": "20", "professions": ["infirmier"]},
    )
    messages, _ = run_action(ActionOrienter(), tracker, domain)
    assert responses(messages)[0] == "orientation_intro"
    listed = messages[1]["text"]
    assert "Paris Méd'" in listed and "CPTS" in listed and "infirmiers" in listed.lower()


def test_the_button_asks_in_general_and_typed_words_are_read_as_they_are(fake_module, domain):
    calls = []

    def record(text, general):
        calls.append((text, general))
        return rules_bridge.Orientation(partenaires=[])

    fake_module("rules_bridge", orient=record)
    run_action(ActionOrienter(), make_tracker("/orientation_partenaire", "orientation_partenaire"), domain)
    run_action(ActionOrienter(), make_tracker("déclaration d'impôts", "orientation_partenaire"), domain)
    assert calls == [("", True), ("déclaration d'impôts", False)]


def _after_partners(asked: str, text: str, intent: str):
    """A message sent right after the partners listed for `asked` (typed words or a button's payload)."""
    history = [
        user_event(asked, "orientation_partenaire"),
        action_event("action_orienter"),
        bot_event("Voici les partenaires qui peuvent vous aider :"),
        action_event("action_listen"),
    ]
    return make_tracker(text, intent, history=history)


def test_a_need_the_nlu_did_not_understand_right_after_partners_gets_its_partners(domain):
    tracker = _after_partners("/orientation_partenaire", "un financement pour du matériel", "nlu_fallback")
    messages, _ = run_action(ActionIncompris(), tracker, domain)
    assert responses(messages)[0] == "orientation_intro"  # was « Je ne suis pas sûr d'avoir compris »
    assert "Région Île-de-France" in messages[1]["text"]
    tracker = _after_partners("/orientation_partenaire", "sdfkj qsdf", "nlu_fallback")
    messages, _ = run_action(ActionIncompris(), tracker, domain)
    assert responses(messages) == ["reformuler"]


def test_a_place_given_right_after_the_partners_refines_the_need(domain):
    # « je cherche un local » then « dans le 20e de préférence » opened the estimate (fourth outside test)
    tracker = _after_partners("je cherche un local", "dans le 20e de préférence", "informer")
    assert orientation_query(tracker) == "je cherche un local. dans le 20e de préférence"
    messages, _ = run_action(ActionOrienter(), tracker, domain)
    assert responses(messages)[0] == "orientation_intro" and "CPTS Paris 20e" in messages[1]["text"]
