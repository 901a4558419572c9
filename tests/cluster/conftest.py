"""The scaled stack for the cluster tests: PostgreSQL, Redis, two Rasa, two applications, nginx (real processes).

CI runs as root on a fresh machine: the fixture installs what is missing with scripts/cluster/install.sh."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from parismed.cli_cluster import INSTALL_SCRIPT, Cluster
from parismed.config import PROJECT_ROOT
from tests.support import ensure_rasa_model, private_var_dir, running


def pytest_configure(config):
    config.addinivalue_line("markers", "cluster: starts the scaled stack behind nginx (make test-cluster)")


@pytest.fixture(scope="session")
def cluster():
    subprocess.run([str(INSTALL_SCRIPT)], cwd=PROJECT_ROOT, check=True)
    # Not under pytest's tmp folder: that one is private to root and PostgreSQL runs as its own user.
    var_dir = private_var_dir(Path(tempfile.mkdtemp(prefix="parismed-cluster-")))
    os.chmod(var_dir, 0o711)
    ensure_rasa_model()
    # Ports 0: the cluster chooses every port outside the ephemeral range when it starts (reserve_ports).
    stack = Cluster(app_port=0, rasa_port=0, var_dir=var_dir, extra_env={"PARISMED_COOKIE_SECURE": "false"})
    with running(stack, timeout=420):
        yield stack
    if not os.environ.get("PARISMED_KEEP_CLUSTER"):
        shutil.rmtree(var_dir, ignore_errors=True)
