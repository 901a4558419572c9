"""Text normalisation shared by the vocabulary tables, profile validation and extraction."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "’": "'", "‘": "'", "ʼ": "'"})
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case, ligatures expanded, accents removed (``Médecin Généraliste`` → ``medecin generaliste``)."""
    text = unicodedata.normalize("NFKD", str(text).translate(_LIGATURES))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """Folded words; hyphens, apostrophes, underscores and punctuation separate words."""
    return _WORD.findall(fold(text))


@lru_cache(maxsize=8192)
def key(text: str) -> str:
    """Canonical lookup key: folded words joined by single spaces."""
    return " ".join(words(text))


def singular(word: str) -> str:
    """Very small plural folding (``kines`` → ``kine``, ``locaux`` → ``locau``), enough for keyword matching."""
    if len(word) > 3 and word[-1] in "sx":
        return word[:-1]
    return word


def phrase_key(text: str) -> tuple[str, ...]:
    """Folded, singularised words of a phrase, for token-sequence matching."""
    return tuple(singular(w) for w in words(text))


def sentence_case(text: str) -> str:
    """Upper-case the first letter only, keeping acronyms intact (``local en QPV`` → ``Local en QPV``).

    Unlike ``str.capitalize()``, which lower-cases the rest of the string (« qpv », « msp »).
    """
    return text[:1].upper() + text[1:]


def format_eur(amount: int) -> str:
    """French formatting of a euro amount: ``12345`` → ``12 345 €``, ``-500`` → ``-500 €``."""
    sign = "-" if amount < 0 else ""
    digits = f"{abs(int(amount)):,}".replace(",", " ")
    return f"{sign}{digits} €"


def arrondissement_short(number: int) -> str:
    """``1`` → ``1er``, ``19`` → ``19e``."""
    return "1er" if number == 1 else f"{number}e"
