"""Our Rasa components (assistant/components), checked in the Rasa environment: action replies get the same
verdicts as Rasa's own validation."""

import json
import os
import subprocess

import pytest

from parismed.config import PROJECT_ROOT
from parismed.launcher import QUIET_ENV, RASA_BIN

pytestmark = pytest.mark.e2e


def run_in_rasa_env(script, *args):
    env = {
        **os.environ,
        **QUIET_ENV,
        "PYTHONPATH": str(PROJECT_ROOT),
        "MPLCONFIGDIR": str(PROJECT_ROOT / "var" / "mpl"),
    }
    result = subprocess.run(
        [str(RASA_BIN.parent / "python"), str(PROJECT_ROOT / "tests" / "rasa" / script), *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


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
