"""Keyword matching on folded French text (rules written as data, see data/themes.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from frenchtext import fold as base_fold

_NON_WORD = re.compile(r"[^a-z0-9+]+")


def fold(text: str) -> str:
    """Triage key: ``frenchtext.fold``, « € » read as « euros », punctuation and apostrophes as spaces."""
    return " ".join(_NON_WORD.sub(" ", base_fold((text or "").replace("€", " euros "))).split())


def _within_one_edit(a: str, b: str) -> bool:
    """At most one insertion, deletion, substitution or transposition (optimal string alignment distance)."""
    return OSA.distance(a, b, score_cutoff=1) <= 1


@dataclass(frozen=True)
class Keyword:
    raw: str
    words: tuple[str, ...]

    @classmethod
    def parse(cls, raw: str) -> Keyword:
        words = []
        for w in raw.split():
            star = w.endswith("*")
            core = fold(w.rstrip("*")).replace(" ", "")
            words.append(core + ("*" if star else ""))
        return cls(raw=raw, words=tuple(words))


def _word_matches(pattern: str, token: str) -> bool:
    if pattern.endswith("*"):
        stem = pattern[:-1]
        if token.startswith(stem):
            return True
        # one typo allowed in long stems ("accesibilit*" for "accessibilit*")
        return (
            len(stem) >= 6
            and len(token) >= len(stem) - 1
            and (
                _within_one_edit(stem, token[: len(stem)])
                or _within_one_edit(stem, token[: len(stem) - 1])
                or _within_one_edit(stem, token[: len(stem) + 1])
            )
        )
    if token == pattern:
        return True
    return len(pattern) >= 6 and _within_one_edit(pattern, token)


class KeywordSet:
    """A list of keywords matched against a folded token sequence."""

    def __init__(self, keywords: list[str]):
        self.keywords = [Keyword.parse(k) for k in keywords]

    def find(self, tokens: list[str], covered: set[int] | None = None) -> list[str]:
        """Keywords found, each once; a token already used by an earlier keyword (``covered``) is not reused,
        so that "quelles demarches" and "demarches" do not count twice for the same words."""
        covered = covered if covered is not None else set()
        found = []
        for kw in sorted(self.keywords, key=lambda k: -len(k.words)):
            n = len(kw.words)
            for i in range(len(tokens) - n + 1):
                span = range(i, i + n)
                if any(p in covered for p in span):
                    continue
                if all(_word_matches(kw.words[j], tokens[i + j]) for j in range(n)):
                    found.append(kw.raw)
                    covered.update(span)
                    break
        return found


@lru_cache(maxsize=512)
def tokens_of(text: str) -> tuple[str, ...]:
    return tuple(fold(text).split())
