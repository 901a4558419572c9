"""Rasa's own checks, run with the Rasa environment: data validation and the conversation tests."""

import os
import subprocess

import pytest
import yaml

from parismed.config import PROJECT_ROOT
from parismed.launcher import QUIET_ENV, RASA_BIN

pytestmark = pytest.mark.e2e
ENV = {**os.environ, **QUIET_ENV, "MPLCONFIGDIR": str(PROJECT_ROOT / "var" / "mpl")}


def rasa(*args, cwd=PROJECT_ROOT, **kwargs):
    return subprocess.run([str(RASA_BIN), *args], cwd=cwd, env=ENV, capture_output=True, text=True, **kwargs)


def test_training_data_is_valid():
    result = rasa("data", "validate", "--data", "assistant/data", "--fail-on-warnings")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_conversation_tests_pass(tmp_path):
    stories = PROJECT_ROOT / "tests" / "rasa" / "test_stories.yml"
    result = rasa(
        "test",
        "core",
        "--stories",
        str(stories),
        "--model",
        "models",
        "--out",
        str(tmp_path),
        "--fail-on-prediction-errors",
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text()[-4000:] if failed.exists() else ""
    assert result.returncode == 0, details or (result.stdout[-3000:] + result.stderr[-3000:])
    count = len(yaml.safe_load(stories.read_text())["stories"])
    assert count >= 10
