"""Our Rasa components (assistant/components), checked in the Rasa environment: action replies get the same
verdicts as Rasa's own validation, the cheaper feature joining and the fixed-order graph runner give the same parses
and predictions."""

from typing import Any

import pytest

from parismed.config import PROJECT_ROOT
from tests.support import run_in_rasa_env as _run

pytestmark = pytest.mark.e2e


def run_in_rasa_env(script: str) -> Any:
    return _run(PROJECT_ROOT / "tests" / "rasa" / script)


def test_action_replies_get_the_same_verdicts_as_rasa_validation():
    verdicts = run_in_rasa_env("action_replies_check.py")
    assert len(verdicts) == 7
    for rasa_verdict, ours in verdicts:
        assert ours == rasa_verdict
    assert [v[0][0] for v in verdicts] == ["valid"] * 3 + ["invalid"] * 4
    assert "Failed to validate Action server response" in verdicts[-1][1][1]


def test_cheaper_feature_joining_gives_the_same_matrices_and_parses():
    result = run_in_rasa_env("sparse_features_check.py")
    assert result["installed"]
    assert result["synthetic_same"] == result["synthetic"] == 40
    assert result["messages"] >= 100
    assert result["identical"] == result["messages"]


def test_graphs_run_in_fixed_order_give_the_same_parses_and_predictions_as_dask():
    result = run_in_rasa_env("graph_runner_check.py")
    assert result["installed"]
    assert result["messages"] >= 100
    assert result["identical"] == result["messages"]
    assert len(result["actions"]) >= 5  # the check covers rules, forms and custom actions, not one path


def parses_of_questions_check() -> list[dict[str, Any]]:
    """The parses of questions_check.py's messages, in its order (its first six: several questions, then greetings)."""
    return run_in_rasa_env("questions_check.py")


def test_a_message_asking_several_questions_is_also_parsed_question_by_question():
    several, one, told_then_asked, *follow_ups = parses_of_questions_check()[:6]
    assert several["intent"] == "question_reglementaire"  # the whole message, as before
    assert [(q["text"], q["intent"]) for q in several["questions"]] == [
        ("Je suis kiné dans le 19e, je peux avoir l'aide ?", "demande_eligibilite"),
        ("et faut-il une autorisation pour mettre une plaque ?", "question_reglementaire"),
    ]
    assert one["questions"] is None and told_then_asked["questions"] is None  # one question: parsed as before


def test_follow_up_questions_opening_with_et_or_aussi_are_classified():
    *_, erp_then_aid, works_then_partner, aid_then_works = parses_of_questions_check()[:6]
    assert [q["intent"] for q in erp_then_aid["questions"]] == ["question_reglementaire", "estimer_aide"]
    assert [q["intent"] for q in works_then_partner["questions"]] == [
        "question_reglementaire",
        "orientation_partenaire",
    ]
    assert [q["intent"] for q in aid_then_works["questions"]][1] == "question_reglementaire"
    assert aid_then_works["questions"][0]["intent"] in {"estimer_aide", "demande_eligibilite"}


def test_a_second_question_coordinated_in_the_same_sentence_is_a_question_of_its_own():
    by_text = {parse["text"]: parse for parse in parses_of_questions_check()}
    aid_then_erp = by_text["Est-ce que Paris Méd' peut financer mes travaux, et est-ce que mon cabinet est un ERP ?"]
    assert [q["text"] for q in aid_then_erp["questions"]] == [
        "Est-ce que Paris Méd' peut financer mes travaux",
        "et est-ce que mon cabinet est un ERP ?",
    ]
    assert aid_then_erp["questions"][0]["intent"] in {"demande_eligibilite", "estimer_aide"}
    assert aid_then_erp["questions"][1]["intent"] == "question_reglementaire"


def test_an_opening_greeting_does_not_decide_the_intent_of_a_request():
    intents = {parse["text"]: parse["intent"] for parse in parses_of_questions_check()[7:]}
    assert intents == {
        "Bonjour, nous sommes 2 médecins généralistes secteur 1 et on veut ouvrir un cabinet de groupe dans le 19e "
        "avec des travaux": "informer",
        "Bonsoir madame, mon cabinet est-il un ERP ?": "question_reglementaire",
        "Hello, on est trois kinés dans le 20e, quelle aide ?": "estimer_aide",
        "Bonjour à vous, qui peut m'aider à trouver un local ?": "orientation_partenaire",
        "Bonjour": "saluer",  # a greeting alone stays a greeting
        "Bonsoir madame": "saluer",
        "Bonjour à vous": "saluer",
        "Hello !": "saluer",
    }
