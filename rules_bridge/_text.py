"""Rules-specific text helpers; folding, words, keys and money come from ``frenchtext`` (one copy each)."""

from __future__ import annotations

from frenchtext import words


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


def arrondissement_short(number: int) -> str:
    """``1`` → ``1er``, ``19`` → ``19e``."""
    return "1er" if number == 1 else f"{number}e"
