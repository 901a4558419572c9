"""Accent and case folding: the one copy used by search, rules, triage, the assistant and the webinar batch."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "’": "'", "‘": "'", "ʼ": "'"})
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case, ligatures expanded, accents removed, curly apostrophes straightened.

    ``« Œuvre Accès Médecin’s »`` → ``« oeuvre acces medecin's »``; punctuation and spacing are kept.
    """
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """Folded words; hyphens, apostrophes, underscores and punctuation separate words."""
    return _WORD.findall(fold(text))


@lru_cache(maxsize=8192)
def key(text: str) -> str:
    """Canonical lookup key: folded words joined by single spaces (``Sage-Femme`` → ``sage femme``)."""
    return " ".join(words(text))
