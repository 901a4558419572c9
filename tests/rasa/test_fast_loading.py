"""The fast-loading DIET (assistant/components/fast_loading.py) holds the trained weights and predicts
exactly as Rasa's own loading does."""
import json
import os
import subprocess

import pytest

from parismed.config import PROJECT_ROOT
from parismed.launcher import QUIET_ENV, RASA_BIN

pytestmark = pytest.mark.e2e


def latest_model():
    models = sorted((PROJECT_ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        pytest.fail("Aucun modèle Rasa : lancez « make train ».")
    return models[-1]


def test_fast_loading_predicts_like_rasa_loading():
    env = {**os.environ, **QUIET_ENV, "PYTHONPATH": str(PROJECT_ROOT),
           "MPLCONFIGDIR": str(PROJECT_ROOT / "var" / "mpl")}
    result = subprocess.run([str(RASA_BIN.parent / "python"), str(PROJECT_ROOT / "tests/rasa/fast_loading_check.py"),
                             str(latest_model())], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["weights"] == report["weights_rasa_loading"] > 50
    assert report["differing_weights"] == []
    assert report["max_prediction_gap"] == 0.0
