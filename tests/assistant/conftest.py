"""Fixtures for the custom actions (helpers live in as_helpers.py)."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from tests.assistant.as_helpers import load_domain


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return load_domain()


@pytest.fixture
def fake_module(monkeypatch):
    """Install a fake module (the actions import knowledge_base, rules_bridge, channels.staff lazily)."""

    def install(name: str, **attributes: Any) -> types.ModuleType:
        module = types.ModuleType(name)
        for key, value in attributes.items():
            setattr(module, key, value)
        monkeypatch.setitem(sys.modules, name, module)
        return module

    return install
