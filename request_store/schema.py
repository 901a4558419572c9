"""Schema migrations of the store's database (Alembic scripts in ``request_store/migrations``)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"  # the schema that create_all made before migrations existed


def alembic_config() -> Config:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (idempotent; creates the tables when the database is empty).

    A database made before migrations existed (tables but no ``alembic_version``) is stamped at the baseline
    first, or at the head when it already has the head's columns (made by ``create_all`` of the current models).
    """
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        inspector = inspect(conn)
        tables = set(inspector.get_table_names())
        if "staff_requests" in tables and "alembic_version" not in tables:
            columns = {c["name"] for c in inspector.get_columns("staff_requests")}
            start = "head" if "idempotency_key" in columns else BASELINE
            log.info("Database without migration history: stamped at %s", start)
            command.stamp(config, start)
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        if "alembic_version" not in tables:
            return None
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
