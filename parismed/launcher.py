"""Starts the two processes (Rasa server, application), waits until both answer, stops both on Ctrl-C.

Used by `make run` and by the end-to-end tests (same code, other ports)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

from parismed.config import PROJECT_ROOT, get_settings
from parismed.ports import port_is_free

RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
APP_PYTHON = Path(sys.executable)
QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "RASA_TELEMETRY_ENABLED": "false",
    "LOG_LEVEL_LIBRARIES": "ERROR",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "PYTHONUNBUFFERED": "1",
    "PYTHONWARNINGS": "ignore::DeprecationWarning,ignore::FutureWarning,ignore::UserWarning",
}
# Server processes (the application and Rasa) serve concurrent requests, each request's numeric work is small, so
# the numeric libraries (OpenBLAS, OpenMP: numpy, scipy, scikit-learn, the encoders) get one thread each: with their
# default pools of two, idle threads spin between calls (in the application, one answer cost ~60 ms of CPU instead
# of ~7 ms, same latency), CPU that the other server needs on a 2-core machine.
SERVER_NUMERICS_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# glibc gives each worker thread its own heap arena, which kept ~100 MB more under 32 concurrent users (make bench):
# two arenas are plenty for a process whose heavy work runs one request at a time.
APP_SERVER_ENV = {**SERVER_NUMERICS_ENV, "MALLOC_ARENA_MAX": "2"}


# Rasa's own log is noisy (library deprecation warnings it re-enables); the terminal shows its errors only.
_RASA_SHOWN = re.compile(rb"ERROR|CRITICAL|Traceback|Exception|Rasa server is up")


class LaunchError(RuntimeError):
    """Start-up failed; the message is French and tells what to do."""


@dataclass
class Stack:
    app_port: int
    rasa_port: int
    var_dir: Path
    host: str = "127.0.0.1"
    actions_port: int = 0  # loopback port of the action server; 0 means app_port + 1
    echo: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def app_url(self) -> str:
        return f"http://{self.host}:{self.app_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_port(self) -> int:
        return self.actions_port or self.app_port + 1

    @property
    def action_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.action_port}/webhook"

    def _env(self) -> dict[str, str]:
        settings = get_settings()
        env = {**os.environ, **QUIET_ENV, **self.extra_env}
        env.update(
            {
                "PARISMED_VAR_DIR": str(self.var_dir),
                "PARISMED_APP_PORT": str(self.app_port),
                "PARISMED_RASA_URL": self.rasa_url,
                "PARISMED_ACTIONS_HOST": "127.0.0.1",
                "PARISMED_ACTIONS_PORT": str(self.action_port),
                "ACTION_ENDPOINT_URL": self.action_endpoint,
                "MPLCONFIGDIR": str(self.var_dir / "mpl"),
                "KERAS_HOME": str(self.var_dir / "keras"),
            }
        )
        env.pop("PARISMED_RASA_URLS", None)  # this stack has one Rasa: the relay uses PARISMED_RASA_URL
        env.setdefault("PARISMED_GUIDE_DIR", str(settings.guide_dir))
        return env

    def _rasa_env(self, env: dict[str, str]) -> dict[str, str]:
        """Rasa's environment: one thread per numeric library, and its tracker store: the var folder's SQLite file
        unless PARISMED_TRACKER_STORE_URL says otherwise."""
        settings = get_settings().model_copy(update={"var_dir": self.var_dir})
        if "PARISMED_TRACKER_STORE_URL" in self.extra_env:
            settings = settings.model_copy(update={"tracker_store_url": self.extra_env["PARISMED_TRACKER_STORE_URL"]})
        return {**env, **SERVER_NUMERICS_ENV, "PARISMED_TRACKER_STORE_URL": settings.tracker_store_url_for_rasa}

    def _endpoints(self) -> Path:
        """endpoints.yml, plus a Redis lock store when PARISMED_LOCK_STORE_URL is set (written under var/)."""
        lock_url = self.extra_env.get("PARISMED_LOCK_STORE_URL", get_settings().lock_store_url)
        source = PROJECT_ROOT / "endpoints.yml"
        if not lock_url:
            return source
        endpoints = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        endpoints["lock_store"] = {"type": "redis", "url": lock_url, "key_prefix": "parismed"}
        path = self.var_dir / "rasa-endpoints.yml"
        path.write_text(yaml.safe_dump(endpoints, sort_keys=False), encoding="utf-8")
        return path

    def rasa_command(self) -> list[str]:
        # No --enable-api: the application only uses Rasa's REST channel, so Rasa's HTTP API (and its token on
        # the command line) is not needed.
        return [
            str(RASA_BIN),
            "run",
            "-i",
            self.host,
            "-p",
            str(self.rasa_port),
            "--model",
            str(PROJECT_ROOT / "models"),
            "--credentials",
            str(PROJECT_ROOT / "credentials.yml"),
            "--endpoints",
            str(self._endpoints()),
        ]

    def start(self, timeout: float = 240, with_rasa: bool = True) -> Stack:
        ports = [("l'application", self.app_port), ("le serveur d'actions", self.action_port)]
        ports += [("Rasa", self.rasa_port)] if with_rasa else []
        for name, port in ports:
            if not port_is_free(self.host, port):
                raise LaunchError(
                    f"Le port {port} ({name}) est déjà utilisé : arrêtez l'autre programme "
                    f"(« lsof -i :{port} ») ou choisissez un autre port (PARISMED_APP_PORT, "
                    f"PARISMED_RASA_URL)."
                )
        models = PROJECT_ROOT / "models"
        if with_rasa and not RASA_BIN.exists():
            raise LaunchError("L'environnement Rasa est absent : lancez « make run » (il l'installe).")
        if with_rasa and not any(models.glob("*.tar.gz")):
            raise LaunchError("Aucun modèle Rasa entraîné : lancez « make train » ou « make run ».")
        (self.var_dir / "logs").mkdir(parents=True, exist_ok=True)
        env = self._env()
        self._spawn(
            "app",
            [
                str(APP_PYTHON),
                "-m",
                "uvicorn",
                "parismed.app:app",
                "--host",
                self.host,
                "--port",
                str(self.app_port),
                "--log-level",
                "warning",
            ],
            {**env, **APP_SERVER_ENV},
        )
        if with_rasa:
            self._spawn("rasa", self.rasa_command(), self._rasa_env(env))
        try:
            self.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, name: str, cmd: list[str], env: dict[str, str]) -> None:
        log = open(self.var_dir / "logs" / f"{name}.log", "ab")
        proc = subprocess.Popen(
            cmd, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = proc
        threading.Thread(target=self._pump, args=(name, proc, log), daemon=True).start()

    def _pump(self, name: str, proc: subprocess.Popen, log) -> None:
        """Copies a child's output to its log file (and to the terminal with a prefix when echo is on)."""
        assert proc.stdout is not None  # started with stdout=PIPE
        for line in iter(proc.stdout.readline, b""):
            log.write(line)
            log.flush()
            if self.echo and (name != "rasa" or _RASA_SHOWN.search(line)):
                sys.stdout.write(f"{name:<4} | {line.decode(errors='replace')}")
                sys.stdout.flush()
        log.close()

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        # Rasa's root URL answers once the server (and its model) is up, without the HTTP API.
        checks = {"app": f"{self.app_url}/health", "rasa": f"{self.rasa_url}/"}
        checks = {name: url for name, url in checks.items() if name in self.processes}
        ready: set[str] = set()
        while len(ready) < len(checks):
            for name, url in checks.items():
                proc = self.processes[name]
                if proc.poll() is not None:
                    raise LaunchError(
                        f"Le processus {name} s'est arrêté au démarrage (code {proc.returncode}) ; "
                        f"voir {self.var_dir / 'logs' / (name + '.log')}."
                    )
                if name in ready:
                    continue
                try:
                    if httpx.get(url, timeout=2).status_code == 200:
                        ready.add(name)
                except httpx.HTTPError:
                    pass
            if time.monotonic() > deadline:
                raise LaunchError(
                    f"Démarrage trop long (> {timeout:.0f} s) ; voir les journaux dans {self.var_dir / 'logs'}."
                )
            time.sleep(0.5)

    def restart_rasa(self, timeout: float = 240) -> None:
        """Kill Rasa (SIGKILL, as a crash) and start it again; conversations come back from the tracker store."""
        proc = self.processes.pop("rasa")
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        self._spawn("rasa", self.rasa_command(), self._rasa_env(self._env()))
        self.wait_ready(timeout)

    def stop(self) -> None:
        for proc in self.processes.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.processes.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM both stop cleanly (SIGINT may be ignored when started in the background)."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


def run_all(with_rasa: bool = True) -> int:
    _stop_on_signals()
    settings = get_settings()
    rasa_port = int(settings.rasa_url.rsplit(":", 1)[-1].split("/")[0])
    stack = Stack(
        app_port=settings.app_port,
        rasa_port=rasa_port,
        var_dir=settings.var_dir,
        actions_port=settings.actions_port,
        echo=True,
    )
    started = time.monotonic()
    print("Démarrage de l'assistant Paris Méd' (Rasa met environ 45 s à charger son modèle)…", flush=True)
    try:
        stack.start(with_rasa=with_rasa)
    except LaunchError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        stack.stop()
        return 130
    return serve_until_stopped(stack, settings.base_url, started, what="l'assistant")


def serve_until_stopped(stack: Stack, url: str, started: float, *, what: str, note: str = "") -> int:
    """Prints the address, waits until Ctrl-C (0) or until a process dies (1), then stops every process."""
    print(
        f"\nPrêt en {time.monotonic() - started:.0f} s. Ouvrez {url} "
        f"(console de l'équipe : {url}/staff/, API : {url}/docs).{note} Ctrl-C pour arrêter.\n",
        flush=True,
    )
    try:
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(1)
        dead = [n for n, p in stack.processes.items() if p.poll() is not None]
        print(f"Erreur : le processus {', '.join(dead)} s'est arrêté ; voir {stack.var_dir / 'logs'}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\nArrêt de {what}…", flush=True)
        return 0
    finally:
        stack.stop()
