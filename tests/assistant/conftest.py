"""Fixtures for the custom actions (helpers live in as_helpers.py)."""

from __future__ import annotations

import importlib
import types
from typing import Any

import pytest

from tests.assistant.as_helpers import load_domain


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return load_domain()


@pytest.fixture
def fake_module(monkeypatch):
    """Replace public functions of a real package for one test (e.g. knowledge_base.answer): the actions call
    the packages' typed APIs directly, so the fakes must return the packages' own models."""

    def install(name: str, **attributes: Any) -> types.ModuleType:
        module = importlib.import_module(name)
        for attribute, value in attributes.items():
            assert hasattr(module, attribute), f"{name}.{attribute} does not exist"
            monkeypatch.setattr(module, attribute, value)
        return module

    return install
