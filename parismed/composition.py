"""Composition of the domain packages from the application's settings (the one place that knows both)."""

from __future__ import annotations

from pathlib import Path

import knowledge_base
import rules_bridge
from parismed.config import Settings, get_settings


def knowledge_base_config(settings: Settings) -> knowledge_base.KBConfig:
    return knowledge_base.KBConfig.in_folder(
        settings.var_dir,
        index_dir=settings.index_dir,
        guide_dir=settings.guide_dir,
        embedding_model=settings.embedding_model,
        threshold=settings.answer_threshold or None,
    )


def configure_knowledge_base(settings: Settings | None = None) -> knowledge_base.KBConfig:
    """Points the shared knowledge-base service at the settings' guide, index and models."""
    config = knowledge_base_config(settings or get_settings())
    knowledge_base.configure(config)
    return config


# --- The active grid (rules_bridge) -------------------------------------------------------------------------
# ``var/grille-active.txt`` is written by ``parismed grille charger``/``activer``; the setting
# ``PARISMED_GRID_VERSION`` wins when set; versions loaded by staff live in ``var/grilles/``.
ACTIVE_GRID_FILE = "grille-active.txt"
LOADED_GRIDS_DIR = "grilles"


def active_file(settings: Settings) -> Path:
    return settings.var_dir / ACTIVE_GRID_FILE


def loaded_dir(settings: Settings) -> Path:
    return settings.var_dir / LOADED_GRIDS_DIR


def active_version(settings: Settings) -> str:
    """The setting when set, else the version written by ``grille charger``/``activer``, else "" (newest)."""
    if settings.grid_version:
        return settings.grid_version
    path = active_file(settings)
    return path.read_text(encoding="utf-8").strip() if path.exists() else ""


def configure_rules_bridge(settings: Settings | None = None) -> None:
    """Point rules_bridge at the active grid and at the versions loaded by staff (start-up, every command)."""
    s = settings or get_settings()
    rules_bridge.configure_grids(active_version(s), [loaded_dir(s)])
