"""The one way user text is cut into sentences: after « . ! ? … » followed by white space, and at line breaks
(messages and e-mails often end a sentence with a new line and no full stop)."""

from __future__ import annotations

import re

_BREAK = re.compile(r"(?<=[.!?…])\s+|\n+")


def sentences(text: str) -> list[str]:
    """The non-empty sentences of a text, stripped, in order."""
    return [s.strip() for s in _BREAK.split(text) if s.strip()]


def asking_sentences(text: str) -> list[str]:
    """The sentences that end with « ? », without the context told around them (« Nous sommes trois kinés. »)."""
    return [s for s in sentences(text) if s.endswith("?")]
