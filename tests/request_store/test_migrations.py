"""Alembic migrations: a fresh database reaches the models' schema; an older create_all database is upgraded."""

from __future__ import annotations

import sqlite3

from sqlalchemy import inspect

from request_store import Base, Store
from request_store.schema import current_revision


def _columns(store: Store, table: str) -> set[str]:
    return {c["name"] for c in inspect(store.engine).get_columns(table)}


def test_fresh_database_gets_every_table_and_column(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'fresh.db'}")
    store.upgrade()
    assert current_revision(store.engine) == "0003"
    for table in Base.metadata.sorted_tables:
        assert _columns(store, table.name) == {c.name for c in table.columns}, table.name
    store.upgrade()  # idempotent
    a = store.create_request("chat", "après migration", idempotency_key="k")
    assert not store.create_request("chat", "rejouée", idempotency_key="k").created and a.created
    store.dispose()


def test_database_from_before_migrations_is_upgraded_and_keeps_its_rows(tmp_path):
    """A database made by the old create_all (revision 0001's schema, no alembic_version) keeps its data."""
    path = tmp_path / "old.db"
    old = Store(f"sqlite:///{path}")
    old.upgrade()
    with old.engine.begin() as conn:  # back to the pre-migration state: schema 0001, no history
        from alembic import command

        from request_store.schema import alembic_config

        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
        conn.exec_driver_sql("DROP TABLE alembic_version")
        conn.exec_driver_sql(
            "INSERT INTO staff_requests (source, texte, created_at, updated_at, status, priorite, priorite_rang) "
            "VALUES ('chat', 'ancienne demande', '2026-01-01', '2026-01-01', 'nouvelle', 'normale', 1)"
        )
    old.dispose()
    assert "idempotency_key" not in {r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(staff_requests)")}

    store = Store(f"sqlite:///{path}")
    store.upgrade()
    assert current_revision(store.engine) == "0003"
    assert "idempotency_key" in _columns(store, "staff_requests")
    assert [r.texte for r in store.all_requests()] == ["ancienne demande"]
    store.dispose()


def test_database_made_by_create_all_is_stamped_at_head(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'ca.db'}")
    store.create_all()
    store.upgrade()
    assert current_revision(store.engine) == "0003"
    store.dispose()
