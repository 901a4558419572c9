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
from parismed.config import PROJECT_ROOT, get_settings
from parismed.launcher import free_port
from tests.conftest import _ensure_rasa_model


def pytest_configure(config):
    config.addinivalue_line("markers", "cluster: starts the scaled stack behind nginx (make test-cluster)")


@pytest.fixture(scope="session")
def cluster():
    subprocess.run([str(INSTALL_SCRIPT)], cwd=PROJECT_ROOT, check=True)
    # Not under pytest's tmp folder: that one is private to root and PostgreSQL runs as its own user.
    var_dir = Path(tempfile.mkdtemp(prefix="parismed-cluster-"))
    os.chmod(var_dir, 0o711)
    settings = get_settings()
    from knowledge_base import build_index
    from parismed.composition import configure_knowledge_base

    configure_knowledge_base()
    build_index()  # no-op when the guide did not change
    for name in ("index", "models"):
        if (settings.var_dir / name).exists():
            shutil.copytree(settings.var_dir / name, var_dir / name)
    _ensure_rasa_model()
    stack = Cluster(
        app_port=free_port(),
        rasa_port=free_port(),
        var_dir=var_dir,
        extra_env={"PARISMED_COOKIE_SECURE": "false"},
    )
    stack.start(timeout=420)
    yield stack
    stack.stop()
    if not os.environ.get("PARISMED_KEEP_CLUSTER"):
        shutil.rmtree(var_dir, ignore_errors=True)
