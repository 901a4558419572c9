"""Composition of the domain packages from the application's settings (the one place that knows both)."""

from __future__ import annotations

import knowledge_base
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
