"""`make run-cluster` / `parismed cluster run`: the scaled stack on one machine.

PostgreSQL (application database and Rasa's tracker store) and Redis (Rasa's lock store, shared rate limits)
from Debian packages, N Rasa instances and N application instances, nginx in front. Every instance is
stateless: any Rasa instance can serve any turn of any conversation, any application instance any request.
Builds on `parismed.launcher.Stack` (process spawning, logs, stop); used by the cluster tests and benchmarks.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import redis
import typer
import yaml

from parismed.config import PROJECT_ROOT, get_settings
from parismed.launcher import (
    APP_PYTHON,
    APP_SERVER_ENV,
    RASA_BIN,
    SERVER_NUMERICS_ENV,
    LaunchError,
    Stack,
    _stop_on_signals,
    serve_until_stopped,
)
from parismed.ports import port_is_free, reserve_ports

INSTALL_SCRIPT = PROJECT_ROOT / "scripts" / "cluster" / "install.sh"
NGINX_TEMPLATE = PROJECT_ROOT / "deploy" / "nginx" / "cluster.conf.template"
PG_USER = "parismed"
APP_DB = "parismed"
RASA_DB = "rasa"
# Rasa keeps a conversation's lock this long when the instance holding it dies (default 60 s): a turn retried
# on the other instance waits at most this long.
LOCK_LIFETIME_S = 10

app = typer.Typer(help="Pile répartie : PostgreSQL, Redis, plusieurs Rasa et applications derrière nginx.")


def _debian_binary(name: str) -> Path:
    """PostgreSQL's server binaries are not on PATH on Debian (/usr/lib/postgresql/<version>/bin)."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1]
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if not path:
        raise LaunchError(f"{name} est introuvable : lancez « scripts/cluster/install.sh » (droits root).")
    return Path(path)


@dataclass
class Service:
    """One process of the cluster: how to start it, when it is ready, how to stop it cleanly."""

    name: str
    cmd: list[str]
    env: dict[str, str]
    ready: Callable[[], bool]
    user: str | None = None
    stop_signal: int = signal.SIGTERM


@dataclass
class Cluster(Stack):
    """The scaled stack. `app_port` is nginx's public port, `rasa_port` the Rasa balancer's (loopback); 0 (and
    every other port) is chosen by `allocate_ports` (outside the ephemeral range) when the cluster starts."""

    rasa_count: int = 2
    app_count: int = 2
    services: dict[str, Service] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    # --- layout -------------------------------------------------------------------------------------------
    @property
    def cluster_dir(self) -> Path:
        return self.var_dir / "cluster"

    @property
    def public_url(self) -> str:
        return self.app_url

    @property
    def rasa_names(self) -> list[str]:
        return [f"rasa-{i}" for i in range(1, self.rasa_count + 1)]

    @property
    def app_names(self) -> list[str]:
        return [f"app-{i}" for i in range(1, self.app_count + 1)]

    @property
    def action_names(self) -> list[str]:
        """Each application instance runs the action server on a loopback port of its own."""
        return [f"actions-{i}" for i in range(1, self.app_count + 1)]

    def instance_of(self, address: str) -> str:
        """'127.0.0.1:41234' (as nginx logs it) -> 'rasa-2'."""
        port = int(address.rsplit(":", 1)[-1])
        return next((name for name, p in self.ports.items() if p == port), address)

    @property
    def pg_password(self) -> str:
        path = self.cluster_dir / ".pg_password"
        if not path.exists():
            self.cluster_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(24))
            path.chmod(0o600)
        return path.read_text().strip()

    def database_url(self, db: str, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{PG_USER}:{self.pg_password}@{self.host}:{self.ports['postgres']}/{db}"

    @property
    def redis_url(self) -> str:
        return f"redis://{self.host}:{self.ports['redis']}"

    def allocate_ports(self) -> None:
        """A port for every process (`reserve_ports`), kept across restarts; a given `app_port`/`rasa_port` stays."""
        names = ["postgres", "redis", "actions-lb", *self.rasa_names, *self.app_names, *self.action_names]
        given = {"rasa-lb": self.rasa_port, "public": self.app_port}
        self.ports.update({name: port for name, port in given.items() if port})
        missing = [name for name in [*names, *given] if name not in self.ports]
        self.ports.update(zip(missing, reserve_ports(len(missing), self.host, avoid=set(self.ports.values()))))
        self.rasa_port, self.app_port = self.ports["rasa-lb"], self.ports["public"]

    # --- services -----------------------------------------------------------------------------------------
    @staticmethod
    def _postgres_user() -> str | None:
        """PostgreSQL refuses to run as root: as root, its data belongs to the Debian 'postgres' user."""
        if os.geteuid() != 0:
            return None
        if not _user_exists("postgres"):
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        return "postgres"

    def _postgres(self) -> Service:
        data = self.cluster_dir / "pg"
        user = self._postgres_user()
        if not (data / "PG_VERSION").exists():
            data.mkdir(parents=True, exist_ok=True)
            pwdir = Path(tempfile.mkdtemp(prefix="parismed-pg-"))
            pwfile = pwdir / "pwfile"
            pwfile.write_text(self.pg_password + "\n")
            if user:
                for path in (data, pwdir, pwfile):
                    shutil.chown(path, user, user)
            data.chmod(0o700)
            done = subprocess.run(
                [
                    str(_debian_binary("initdb")),
                    "-D",
                    str(data),
                    "-U",
                    PG_USER,
                    f"--pwfile={pwfile}",
                    "--auth-host=scram-sha-256",
                    "--auth-local=peer",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ],
                user=user,
                cwd="/",
                capture_output=True,
                text=True,
            )
            shutil.rmtree(pwdir, ignore_errors=True)
            if done.returncode != 0:
                shutil.rmtree(data, ignore_errors=True)
                raise LaunchError(f"Initialisation de PostgreSQL impossible : {done.stderr.strip()[-400:]}")
        cmd = [
            str(_debian_binary("postgres")),
            "-D",
            str(data),
            "-p",
            str(self.ports["postgres"]),
            "-c",
            f"listen_addresses={self.host}",
            "-c",
            "unix_socket_directories=",
            "-c",
            "max_connections=200",
        ]

        def ready() -> bool:
            try:
                with psycopg.connect(self.database_url("postgres", "postgresql"), connect_timeout=2):
                    return True
            except psycopg.OperationalError:
                return False

        # SIGINT is PostgreSQL's « fast » shutdown (SIGTERM waits for every client to disconnect).
        return Service("postgres", cmd, {"LANG": "C.UTF-8"}, ready, user=user, stop_signal=signal.SIGINT)

    def _redis(self) -> Service:
        data = self.cluster_dir / "redis"
        data.mkdir(parents=True, exist_ok=True)
        cmd = [
            str(_debian_binary("redis-server")),
            "--bind",
            self.host,
            "--port",
            str(self.ports["redis"]),
            "--dir",
            str(data),
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
            "--daemonize",
            "no",
        ]

        def ready() -> bool:
            try:
                return bool(redis.Redis.from_url(self.redis_url, socket_timeout=2).ping())
            except redis.RedisError:
                return False

        return Service("redis", cmd, {}, ready)

    def _rasa_files(self) -> tuple[Path, Path]:
        """Rasa's endpoints and credentials for the cluster, derived from the project's files: the action server
        and lock store of the cluster, the project's tracker store on PostgreSQL."""
        endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text()) or {}
        endpoints["action_endpoint"] = {
            **(endpoints.get("action_endpoint") or {}),
            "url": f"http://{self.host}:{self.ports['actions-lb']}/webhook",
        }
        # The tracker store stays the project's (assistant.tracker_store, Rasa's SQL store with fewer queries per
        # turn); its URL, ${PARISMED_TRACKER_STORE_URL}, is the PostgreSQL database set in each instance's environment.
        endpoints["lock_store"] = {
            "type": "redis",
            "url": self.host,
            "port": self.ports["redis"],
            "db": 1,
            "key_prefix": "parismed",
        }
        # The scaled path uses the REST channel only (through the application): socket.io keeps its sessions
        # in one process's memory.
        credentials = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text()) or {}
        credentials = {"rest": credentials.get("rest")}
        paths = self.cluster_dir / "endpoints.yml", self.cluster_dir / "credentials.yml"
        paths[0].write_text(yaml.safe_dump(endpoints, sort_keys=False))
        paths[0].chmod(0o600)
        paths[1].write_text(yaml.safe_dump(credentials, sort_keys=False))
        return paths

    def _rasa(self, name: str, endpoints: Path, credentials: Path) -> Service:
        port = self.ports[name]
        # No --enable-api: the applications only use Rasa's REST channel (as in the embedded stack).
        cmd = [
            str(RASA_BIN),
            "run",
            "-i",
            self.host,
            "-p",
            str(port),
            "--model",
            str(PROJECT_ROOT / "models"),
            "--credentials",
            str(credentials),
            "--endpoints",
            str(endpoints),
        ]
        env = {
            **SERVER_NUMERICS_ENV,
            "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME_S),
            "SQL_POOL_SIZE": "5",
            "SQL_MAX_OVERFLOW": "10",
            "ACTION_ENDPOINT_URL": f"http://{self.host}:{self.ports['actions-lb']}/webhook",
            "PARISMED_TRACKER_STORE_URL": self.database_url(RASA_DB, "postgresql"),
            "PARISMED_LOCK_STORE_URL": f"{self.redis_url}/1",
        }
        # Rasa's root URL answers once the server and its model are up.
        return Service(name, cmd, env, lambda: _answers(f"http://{self.host}:{port}/"))

    def _app(self, name: str) -> Service:
        port = self.ports[name]
        actions_port = self.ports[name.replace("app-", "actions-")]
        cmd = [
            str(APP_PYTHON),
            "-m",
            "uvicorn",
            "parismed.app:app",
            "--host",
            self.host,
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--proxy-headers",
            "--forwarded-allow-ips",
            self.host,
            "--timeout-graceful-shutdown",
            "5",
        ]
        env = {
            **APP_SERVER_ENV,
            "PARISMED_APP_PORT": str(port),
            "PARISMED_ACTIONS_HOST": self.host,
            "PARISMED_ACTIONS_PORT": str(actions_port),
            "PARISMED_PUBLIC_URL": self.public_url,
            "PARISMED_DATABASE_URL": self.database_url(APP_DB),
            "PARISMED_RATE_LIMIT_STORAGE": f"{self.redis_url}/2",
            "PARISMED_RASA_URL": self.rasa_url,
            "PARISMED_RASA_URLS": self.rasa_url,
        }
        health = [f"http://{self.host}:{p}/health" for p in (port, actions_port)]
        return Service(name, cmd, env, lambda: all(_answers(url) for url in health))

    def _nginx(self) -> Service:
        prefix = self.cluster_dir / "nginx"
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        user_line = ""
        if os.geteuid() == 0:  # nginx's workers drop root; they only write their temporary files
            worker = "www-data" if _user_exists("www-data") else "nobody"
            user_line = f"user {worker};"
            for path in [prefix / "tmp", *(prefix / "tmp").iterdir()]:
                shutil.chown(path, worker)

        def servers(names: list[str], options: str = "max_fails=1 fail_timeout=3s") -> str:
            return "\n".join(f"        server {self.host}:{self.ports[n]} {options};" for n in names)

        instance_map = "\n".join(
            f'        "{self.host}:{self.ports[n]}" {n};' for n in [*self.app_names, *self.rasa_names]
        )
        conf = NGINX_TEMPLATE.read_text()
        for key, value in {
            "USER_LINE": user_line,
            "PREFIX": str(prefix),
            "HOST": self.host,
            "PUBLIC_PORT": str(self.ports["public"]),
            "RASA_PORT": str(self.ports["rasa-lb"]),
            "ACTIONS_PORT": str(self.ports["actions-lb"]),
            "APP_SERVERS": servers(self.app_names),
            "RASA_SERVERS": servers(self.rasa_names),
            "ACTION_SERVERS": servers(self.action_names),
            "INSTANCE_MAP": instance_map,
        }.items():
            conf = conf.replace(f"@@{key}@@", value)
        (prefix / "nginx.conf").write_text(conf)
        nginx = str(_debian_binary("nginx"))
        cmd = [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")]
        check = subprocess.run([*cmd, "-t", "-q"], capture_output=True, text=True)
        if check.returncode != 0:
            raise LaunchError(f"Configuration nginx refusée : {check.stderr.strip()[-400:]}")
        return Service(
            "nginx", cmd, {}, lambda: _answers(f"{self.public_url}/openapi.json"), stop_signal=signal.SIGQUIT
        )

    # --- life cycle ---------------------------------------------------------------------------------------
    def start(self, timeout: float = 300, with_rasa: bool = True) -> Cluster:
        if self.app_port and not port_is_free(self.host, self.app_port):
            raise LaunchError(
                f"Le port {self.app_port} est déjà utilisé : arrêtez l'autre programme (« lsof -i :{self.app_port} ») "
                "ou choisissez-en un autre (--port)."
            )
        if not RASA_BIN.exists() or not any((PROJECT_ROOT / "models").glob("*.tar.gz")):
            raise LaunchError("Environnement Rasa ou modèle absent : lancez « make run-cluster » (il les prépare).")
        (self.var_dir / "logs").mkdir(parents=True, exist_ok=True)
        self.allocate_ports()
        try:
            for service in (self._postgres(), self._redis()):
                self.launch(service)
            self.wait_for(["postgres", "redis"], 60)
            self._create_databases()
            self._migrate()
            endpoints, credentials = self._rasa_files()
            for name in self.rasa_names:
                self.launch(self._rasa(name, endpoints, credentials))
            for name in self.app_names:
                self.launch(self._app(name))
            self.launch(self._nginx())
            self.wait_for(list(self.services), timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def launch(self, service: Service) -> None:
        self.services[service.name] = service
        env = {**self._env(), **service.env}
        log = open(self.var_dir / "logs" / f"{service.name}.log", "ab")
        proc = subprocess.Popen(
            service.cmd,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=service.user,
        )
        self.processes[service.name] = proc
        # Stack's pump copies the output to var/logs/<name>.log (and to the terminal when echo is on).
        threading.Thread(target=self._pump, args=(service.name, proc, log), daemon=True).start()

    def wait_for(self, names: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = list(names)
        while pending:
            for name in list(pending):
                proc = self.processes[name]
                if proc.poll() is not None:
                    raise LaunchError(
                        f"Le processus {name} s'est arrêté au démarrage (code {proc.returncode}) ; "
                        f"voir {self.var_dir / 'logs' / (name + '.log')}."
                    )
                if self.services[name].ready():
                    pending.remove(name)
            if pending and time.monotonic() > deadline:
                raise LaunchError(
                    f"Démarrage trop long (> {timeout:.0f} s) de {', '.join(pending)} ; "
                    f"voir les journaux dans {self.var_dir / 'logs'}."
                )
            if pending:
                time.sleep(0.5)

    def _create_databases(self) -> None:
        with psycopg.connect(self.database_url("postgres", "postgresql"), autocommit=True) as conn:
            existing = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
            for db in (APP_DB, RASA_DB):
                if db not in existing:
                    conn.execute(f'CREATE DATABASE "{db}"')

    def _migrate(self) -> None:
        """The application's schema, once, before any instance starts (two instances must not race)."""
        env = {**self._env(), "PARISMED_DATABASE_URL": self.database_url(APP_DB)}
        done = subprocess.run(
            [str(APP_PYTHON), "-c", "from channels.staff import init_storage; init_storage()"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise LaunchError(f"Création du schéma de la base impossible : {done.stderr.strip()[-600:]}")

    def kill(self, name: str) -> None:
        """A crash: SIGKILL, no clean shutdown."""
        proc = self.processes[name]
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def stop_service(self, name: str, timeout: float = 30) -> None:
        proc = self.processes.get(name)
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, self.services[name].stop_signal)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def restart(self, *names: str, timeout: float = 240) -> None:
        """Stop (if running) and start again, in parallel; returns when all answer."""
        for name in names:
            self.stop_service(name)
            self.launch(self.services[name])
        self.wait_for(list(names), timeout)

    def stop(self) -> None:
        """The entry first, the state last: nginx, applications, Rasa, then Redis and PostgreSQL."""
        order = ["nginx", *self.app_names, *self.rasa_names, "redis", "postgres"]
        for name in order:
            proc = self.processes.get(name)
            if proc is not None and proc.poll() is None:
                try:
                    os.killpg(proc.pid, self.services[name].stop_signal)
                except ProcessLookupError:
                    pass
        for name in order:
            self.stop_service(name)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def install() -> None:
    """Debian packages and drivers (idempotent); the script explains what to do when it cannot."""
    done = subprocess.run([str(INSTALL_SCRIPT)], cwd=PROJECT_ROOT)
    if done.returncode != 0:
        raise LaunchError("Installation des dépendances de la pile répartie impossible (voir ci-dessus).")


@app.command("run")
def run_cmd(
    port: int = typer.Option(8080, help="Port public de nginx (127.0.0.1)."),
    rasa: int = typer.Option(2, min=1, help="Nombre d'instances Rasa."),
    apps: int = typer.Option(2, min=1, help="Nombre d'instances de l'application."),
    skip_install: bool = typer.Option(False, help="Ne pas vérifier les paquets Debian et les pilotes."),
) -> None:
    """Démarre la pile répartie (PostgreSQL, Redis, Rasa ×N, application ×N, nginx) ; Ctrl-C arrête tout."""
    _stop_on_signals()
    settings = get_settings()
    cluster = Cluster(app_port=port, rasa_port=0, var_dir=settings.var_dir, rasa_count=rasa, app_count=apps)
    started = time.monotonic()
    try:
        if not skip_install:
            install()
        print(
            f"Démarrage de la pile répartie ({rasa} Rasa, {apps} applications, PostgreSQL, Redis, nginx)…", flush=True
        )
        cluster.start()
    except LaunchError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        raise typer.Exit(1) from exc
    except KeyboardInterrupt:
        cluster.stop()
        raise typer.Exit(130) from None
    code = serve_until_stopped(
        cluster, cluster.public_url, started, what="la pile répartie", note=f" Données : {cluster.cluster_dir}."
    )
    if code:
        raise typer.Exit(code)


if __name__ == "__main__":
    app()
