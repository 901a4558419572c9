"""Limits shared by profile validation, extraction and the channels (one copy each)."""

from __future__ import annotations

MAX_PROFESSIONALS = 200
"""The largest team a request may describe (per profession line and in total): larger numbers are typos or
another kind of project (the biggest structure funded since 2023 is a health centre of a few dozen people)."""
