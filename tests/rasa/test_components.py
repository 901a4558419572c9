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


def test_a_message_asking_several_questions_is_also_parsed_question_by_question():
    several, one, told_then_asked, *follow_ups = run_in_rasa_env("questions_check.py")
    assert several["intent"] == "question_reglementaire"  # the whole message, as before
    assert [(q["text"], q["intent"]) for q in several["questions"]] == [
        ("Je suis kiné dans le 19e, je peux avoir l'aide ?", "demande_eligibilite"),
        ("et faut-il une autorisation pour mettre une plaque ?", "question_reglementaire"),
    ]
    assert one["questions"] is None and told_then_asked["questions"] is None  # one question: parsed as before


def test_follow_up_questions_opening_with_et_or_aussi_are_classified():
    *_, erp_then_aid, works_then_partner, aid_then_works = run_in_rasa_env("questions_check.py")
    assert [q["intent"] for q in erp_then_aid["questions"]] == ["question_reglementaire", "estimer_aide"]
    assert [q["intent"] for q in works_then_partner["questions"]] == [
        "question_reglementaire",
        "orientation_partenaire",
    ]
    assert [q["intent"] for q in aid_then_works["questions"]][1] == "question_reglementaire"
    assert aid_then_works["questions"][0]["intent"] in {"estimer_aide", "demande_eligibilite"}
