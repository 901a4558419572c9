"""The staff console's settings, passed in by the composition root (``configure``).

When nothing was configured (a test or a tool using the console's modules directly), the same ``PARISMED_*``
environment variables are read as a fallback, so the console never imports the composition root.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_VAR_DIR = Path(__file__).resolve().parents[2] / "var"


class StaffConfig(BaseModel):
    database_url: str
    secret_key: str
    cookie_secure: bool = True
    login_max_failures: int = 5
    login_lockout_minutes: int = 15


class _FromEnvironment(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARISMED_", extra="ignore")

    database_url: str = ""
    var_dir: Path = DEFAULT_VAR_DIR
    secret_key: str = ""
    cookie_secure: bool = True
    login_max_failures: int = 5
    login_lockout_minutes: int = 15

    def to_config(self) -> StaffConfig:
        secret = self.secret_key
        stored = self.var_dir / ".staff_secret"
        if not secret:
            secret = stored.read_text().strip() if stored.exists() else secrets.token_urlsafe(32)
        return StaffConfig(
            database_url=self.database_url or f"sqlite:///{self.var_dir / 'parismed.db'}",
            secret_key=secret,
            cookie_secure=self.cookie_secure,
            login_max_failures=self.login_max_failures,
            login_lockout_minutes=self.login_lockout_minutes,
        )


_configured: StaffConfig | None = None
_fallback: StaffConfig | None = None


def configure(config: StaffConfig | None) -> None:
    """Set the console's settings (composition root); ``None`` goes back to the environment fallback."""
    global _configured, _fallback
    _configured = config
    _fallback = None


def current() -> StaffConfig:
    global _fallback
    if _configured is not None:
        return _configured
    if _fallback is None:
        _fallback = _FromEnvironment().to_config()
    return _fallback


def forget_fallback() -> None:
    """Read the environment again at the next call (tests that change PARISMED_* variables)."""
    global _fallback
    _fallback = None
