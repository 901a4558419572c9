"""Helpers shared by the test packages, written once: a Rasa model to serve, a check run in Rasa's environment, a
private var folder for a stack of real servers, a started stack that is always stopped, an ASGI app served in a thread, the application in a test client, the staff console alone.

Free ports come from ``parismed.ports.free_port`` (the launchers' own), never from a copy here."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from parismed.config import PROJECT_ROOT, get_settings
from parismed.launcher import QUIET_ENV, RASA_BIN, Stack
from parismed.ports import free_port


def ensure_rasa_model() -> None:
    """`make test` trains first; when pytest runs alone, train now (Rasa skips it if nothing changed)."""
    if any((PROJECT_ROOT / "models").glob("*.tar.gz")):
        return
    subprocess.run(
        [str(RASA_BIN), "train", "--data", "assistant/data", "--out", "models", "--quiet"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **QUIET_ENV},
        check=True,
    )


def run_in_rasa_env(script: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 600) -> Any:
    """Runs a check script with Rasa's Python (the project on its path, from the project folder), fails the test
    with the end of its error output if it fails, and returns the JSON its last line prints."""
    result = subprocess.run(
        [str(RASA_BIN.parent / "python"), str(script), *args],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            **QUIET_ENV,
            "PYTHONPATH": str(PROJECT_ROOT),
            "MPLCONFIGDIR": str(PROJECT_ROOT / "var" / "mpl"),
            **(env or {}),
        },
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def private_var_dir(var_dir: Path) -> Path:
    """``var_dir`` ready for a stack of its own: the guide's index built if the guide changed (else a no-op), the
    index and the models of the usual var folder copied in; databases and logs start empty. Returns ``var_dir``."""
    from knowledge_base import build_index
    from parismed.composition import knowledge_base_config

    settings = get_settings()
    build_index(config=knowledge_base_config(settings))
    for name in ("index", "models"):
        if (settings.var_dir / name).exists():
            shutil.copytree(settings.var_dir / name, var_dir / name)
    return var_dir


S = TypeVar("S", bound=Stack)


@contextmanager
def running(stack: S, timeout: float) -> Iterator[S]:
    """The stack (``Stack`` or ``Cluster``) started, and stopped at the end whatever happened."""
    stack.start(timeout=timeout)
    try:
        yield stack
    finally:
        stack.stop()


@contextmanager
def served(app: Any, *, timeout: float = 15) -> Iterator[str]:
    """An ASGI app served by uvicorn in a thread on a free loopback port; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError(f"the test server on port {port} did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def app_without_servers(var_dir: Path, **env: str) -> Iterator[Any]:
    """The whole application in a FastAPI TestClient, on a private var folder and SQLite database, without the
    action server (the rules and the knowledge base are called directly) and without warm-up; `env`: more
    PARISMED_* settings."""
    from fastapi.testclient import TestClient

    mp = pytest.MonkeyPatch()
    mp.setenv("PARISMED_VAR_DIR", str(var_dir))
    mp.setenv("PARISMED_DATABASE_URL", f"sqlite:///{var_dir / 'parismed.db'}")
    mp.setenv("PARISMED_WARM_UP", "false")
    mp.setenv("PARISMED_SERVE_ACTIONS", "false")
    for name, value in env.items():
        mp.setenv(name, value)
    get_settings.cache_clear()
    from parismed.app import create_app

    try:
        with TestClient(create_app()) as client:
            yield client
    finally:
        mp.undo()
        get_settings.cache_clear()


@contextmanager
def staff_console(
    monkeypatch: pytest.MonkeyPatch,
    database: Path,
    *,
    cookie_secure: bool,
    password: str,
    name: str,
    email: str = "agent@paris.fr",
) -> Iterator[str]:
    """The staff console's router alone (prefix /staff) on a local server: settings from ``monkeypatch``'d
    variables (a random secret key), a fresh SQLite ``database`` with one account. Yields the base URL (without
    /staff)."""
    from fastapi import FastAPI

    from channels.staff import router, storage
    from channels.staff.security import add_user

    monkeypatch.setenv("PARISMED_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("PARISMED_SECRET_KEY", secrets.token_urlsafe(32))
    monkeypatch.setenv("PARISMED_COOKIE_SECURE", "true" if cookie_secure else "false")
    get_settings.cache_clear()
    storage.dispose_engines()
    storage.init_storage()
    try:
        add_user(email, password, name=name)
        app = FastAPI()
        app.include_router(router, prefix="/staff")
        with served(app) as base:
            yield base
    finally:
        storage.dispose_engines()
        get_settings.cache_clear()
