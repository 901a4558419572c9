"""Chatter: the lines of a webinar chat that are not questions for the guide (greetings, thanks, sound or video
problems, replay and slides requests), and the courtesy words around real questions.

Rules kept as data (data/chatter.yaml), on folded text (`frenchtext.fold`): a line is chatter when each of its
sentences is either courtesy only (« Bonjour à tous », « Merci pour ce webinaire ! ») or a short logistics
sentence (« On n'entend plus le son », « Le replay sera-t-il envoyé ? »). A line the rules keep as a question is
then read by a learned model (data/chatter_model.json: logistic regression over character n-grams, trained on
chat lines written by other authors, `python -m channels.webinar.chatter_training`), which sets it aside only
when it is confident (`threshold`): the rules miss many wordings they were not written for. A real question
keeps its courtesy in the report, but retrieval and grouping see it without (``question_part``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from frenchtext import fold, sentences, within_limit, words
from frenchtext.courtesy import COURTESY_WORDS, THANKS, is_courtesy, strip_lead
from frenchtext.linear import LinearModel, char_ngrams

DATA = Path(__file__).resolve().parent / "data" / "chatter.yaml"
MODEL_FILE = DATA.parent / "chatter_model.json"
KIND_ORDER = (
    "replay",
    "supports",
    "technique",
    "deroulement",
    "remerciement",
    "salutation",
)  # the first kind found wins
GREETINGS = {"bonjour", "bonsoir", "salut", "hello", "hi", "coucou", "bjr", "bsr", "slt", "rebonjour", "hey"}


@dataclass(frozen=True)
class ChatterRules:
    labels: dict[str, str]
    counted: tuple[str, ...]
    domain: frozenset[str]
    strong: dict[str, tuple[re.Pattern[str], ...]]
    weak: dict[str, tuple[re.Pattern[str], ...]]
    max_logistics_words: int
    broadcast: frozenset[str]
    greeting_extra_words: int
    strong_yields_to_domain_words: int
    question_cues: frozenset[str]

    def sentence_kind(self, sentence: str) -> str | None:
        """Kind of a chatter sentence, or None for a sentence that asks something real."""
        tokens = words(sentence)
        if not tokens:
            return "salutation"
        if is_courtesy(sentence):
            return "remerciement" if THANKS & set(tokens) else "salutation"
        if len(tokens) > self.max_logistics_words:
            return None
        folded = " ".join(tokens)
        asks = sentence.rstrip().endswith("?") or bool(self.question_cues & set(tokens))
        domain = sum(t in self.domain for t in tokens)
        if domain < self.strong_yields_to_domain_words:
            for kind, patterns in self.strong.items():
                if any(p.search(folded) for p in patterns):
                    return kind
        if tokens[0] in THANKS and tokens[1] not in ("de", "d") and not asks:
            return "remerciement"  # « Merci pour cette intervention… », but not « Merci de me dire si… »
        if domain:
            return None
        others = [t for t in tokens if t not in COURTESY_WORDS]
        if all(t in self.broadcast for t in others):
            return "technique"
        if tokens[0] in GREETINGS and len(others) <= self.greeting_extra_words and not asks:
            return "salutation"
        return self._weak_kind(folded)

    def _weak_kind(self, folded: str) -> str | None:
        for kind, patterns in self.weak.items():
            if any(p.search(folded) for p in patterns):
                return kind
        return None

    def kind(self, text: str) -> str | None:
        """Kind of a chatter line (see KIND_ORDER), or None when the line holds a real question."""
        kinds = set()
        for sentence in sentences(text):
            k = self.sentence_kind(sentence)
            if k is None:
                return None
            kinds.add(k)
        return next((k for k in KIND_ORDER if k in kinds), "salutation")

    def question_part(self, text: str, limit: int) -> str:
        """The part of a question that retrieval and grouping should see: courtesy and logistics sentences
        removed, then, for a text longer than ``limit``, its question sentences within it (`within_limit`)."""
        kept = [strip_lead(s) for s in sentences(text) if self.sentence_kind(s) is None]
        return within_limit(" ".join(kept or [text.strip()]), limit)


def _compile(section: dict[str, list[str]] | None) -> dict[str, tuple[re.Pattern[str], ...]]:
    return {kind: tuple(re.compile(p) for p in patterns) for kind, patterns in (section or {}).items()}


@lru_cache(maxsize=1)
def chatter_rules() -> ChatterRules:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return ChatterRules(
        labels=dict(data["labels"]),
        counted=tuple(data["compte_organisateurs"]),
        domain=frozenset(fold(w) for w in data["domain_words"].split()),
        strong=_compile(data.get("strong")),
        weak=_compile(data.get("weak")),
        max_logistics_words=int(data["max_logistics_words"]),
        broadcast=frozenset(words(data["broadcast_words"])),
        greeting_extra_words=int(data["greeting_extra_words"]),
        strong_yields_to_domain_words=int(data["strong_yields_to_domain_words"]),
        question_cues=frozenset(words(data["question_cues"])),
    )


# The model's classes (the gold types of the labelled chat sets) and the report kind each non-question one maps to;
# « chatter » takes the kind of its sentences the rules recognise, else thanks, greeting or the session's running.
QUESTION = "question"
MODEL_KINDS = {"replay": "replay", "slides": "supports"}


def chatter_features(text: str, ngrams: tuple[int, int]) -> dict[str, float]:
    return char_ngrams([(words(text), 1.0)], ngrams)


@dataclass(frozen=True)
class ChatterModel:
    model: LinearModel
    ngrams: tuple[int, int]
    threshold: float  # probability of « not a question » from which a line the rules keep is set aside

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ChatterModel:
        """The model of data/chatter_model.json (as written by `chatter_training.fit`)."""
        return cls(
            model=LinearModel.from_data(data),
            ngrams=(int(data["ngrams"][0]), int(data["ngrams"][1])),
            threshold=float(data["threshold"]),
        )

    def kind(self, text: str, rules: ChatterRules) -> str | None:
        probs = self.model.probabilities(chatter_features(text, self.ngrams))
        if 1.0 - probs.get(QUESTION, 0.0) < self.threshold:
            return None
        best = max((c for c in self.model.classes if c != QUESTION), key=lambda c: probs[c])
        return MODEL_KINDS.get(best) or _generic_kind(text, rules)


def _generic_kind(text: str, rules: ChatterRules) -> str:
    kinds = {rules.sentence_kind(s) for s in sentences(text)}
    found = next((k for k in KIND_ORDER if k in kinds), None)
    if found:
        return found
    tokens = set(words(text))
    if tokens & rules.broadcast:
        return "technique"
    if tokens & THANKS:
        return "remerciement"
    return "salutation" if tokens & GREETINGS else "deroulement"


@lru_cache(maxsize=1)
def chatter_model() -> ChatterModel | None:
    """The learned model, or None when data/chatter_model.json is absent (the rules decide alone)."""
    if not MODEL_FILE.exists():
        return None
    return ChatterModel.from_data(json.loads(MODEL_FILE.read_text(encoding="utf-8")))


def chatter_kind(text: str) -> str | None:
    """Kind of a chatter line (see KIND_ORDER), or None for a line holding a real question: the rules' kind when
    they recognise the line, else the learned model's when it is confident."""
    rules = chatter_rules()
    kind = rules.kind(text)
    model = chatter_model()
    if kind is None and model is not None:
        return model.kind(text, rules)
    return kind
