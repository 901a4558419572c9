"""Whether a message is written in English rather than French: a few function words of each language, counted.

Enough to tell a user who writes in English that the service answers in French (third outside test: « Hello, do you
speak English? » got « Je ne suis pas sûr d'avoir compris »), not a language identifier.
"""

from __future__ import annotations

from .fold import words

# fmt: off
_ENGLISH = frozenset([
    "the", "is", "are", "was", "do", "does", "did", "you", "your", "i", "my", "me", "we", "our", "what", "how", "where",
    "when", "which", "who", "can", "could", "would", "should", "hello", "hi", "please", "thanks", "english", "speak",
    "want", "wanting", "need", "open", "practice", "office", "doctor", "nurse", "with", "and", "of", "to", "for", "in",
    "it", "this", "that", "there", "have", "has",
])
_FRENCH = frozenset([
    "je", "j", "vous", "tu", "il", "elle", "on", "nous", "le", "la", "les", "l", "un", "une", "des", "de", "du", "d",
    "est", "et", "pour", "dans", "mon", "ma", "mes", "notre", "quel", "quelle", "comment", "bonjour", "merci", "suis",
    "avec", "pas", "que", "qui", "c", "ce", "au", "aux", "sur", "faut", "peut", "cabinet",
])
# fmt: on
MIN_ENGLISH_WORDS = 3


def looks_english(text: str) -> bool:
    """At least `MIN_ENGLISH_WORDS` English function words, and more of them than French ones."""
    said = words(text)
    english = sum(w in _ENGLISH for w in said)
    french = sum(w in _FRENCH for w in said)
    return english >= MIN_ENGLISH_WORDS and english > french
