"""The one way user text is cut into sentences: after « . ! ? … » followed by white space, and at line breaks
(messages and e-mails often end a sentence with a new line and no full stop)."""

from __future__ import annotations

import re

from .fold import words

_BREAK = re.compile(r"(?<=[.!?…])\s+|\n+")


def sentences(text: str) -> list[str]:
    """The non-empty sentences of a text, stripped, in order."""
    return [s.strip() for s in _BREAK.split(text) if s.strip()]


def asking_sentences(text: str) -> list[str]:
    """The sentences that end with « ? », without the context told around them (« Nous sommes trois kinés. »)."""
    return [s for s in sentences(text) if s.endswith("?")]


# A second question coordinated in the same sentence: « …, et est-ce que… », « … et faut-il… », « …, et dois-je… ».
_SECOND_QUESTION = re.compile(
    r"(?:,\s*|\s+)(?=(?:et|mais)\s+(?:est[- ]ce\s+qu\w*|faut[- ]il|dois[- ](?:je|on)|doit[- ](?:on|il|elle)"
    r"|peut[- ](?:on|il|elle)|puis[- ]je|peux[- ]je|ai[- ]je|a[- ]t[- ](?:on|il|elle)|y\s+a[- ]t[- ]il|suis[- ]je"
    r"|sommes[- ]nous|avons[- ]nous|pouvons[- ]nous|devons[- ]nous)\b)",
    re.IGNORECASE,
)


def asked_questions(text: str) -> list[str]:
    """The questions a message asks: its asking sentences, each cut where it coordinates a second question (« Paris
    Méd' peut-il financer mes travaux, et est-ce que mon cabinet est un ERP ? » asks two). A courtesy part asks
    nothing (« merci, et faut-il une autorisation… ? » asks one: « merci » was answered « pas de réponse sûre »)."""
    from .courtesy import is_courtesy  # courtesy cuts sentences with this module

    parts = [part for sentence in asking_sentences(text) for part in _SECOND_QUESTION.split(sentence)]
    return [part for part in parts if part.strip() and not is_courtesy(part)]


def within_limit(text: str, limit: int) -> str:
    """The part of a long message to read when only `limit` characters can be: the whole text when it fits; else its
    asking sentences, the last ones first, as many as fit (a long e-mail tells its situation, then asks); else its
    last `limit` characters."""
    text = text.strip()
    if len(text) <= limit:
        return text
    chosen: list[str] = []
    for sentence in reversed(asking_sentences(text)):
        if sum(len(c) + 1 for c in chosen) + len(sentence) > limit:
            break
        chosen.insert(0, sentence)
    return " ".join(chosen) if chosen else text[-limit:].lstrip()


# Words that open a question asking for a fact (« Quel article… ? », « Combien de… ? »), not a yes or no; « ou » is
# « où » typed without its accent.
_INTERROGATIVES = frozenset(
    [
        "quel",
        "quelle",
        "quels",
        "quelles",
        "qui",
        "quoi",
        "comment",
        "combien",
        "cmb",
        "ou",
        "pourquoi",
        "quand",
        "lequel",
        "laquelle",
        "lesquels",
        "lesquelles",
    ]
)
_PREPOSITIONS = frozenset(
    [
        "a",
        "au",
        "aux",
        "aupres",
        "de",
        "du",
        "des",
        "dans",
        "pour",
        "par",
        "sur",
        "avec",
        "chez",
        "en",
        "jusqu",
        "depuis",
        "vers",
    ]
)
# Openings skipped before the question proper (« Et du coup, combien… ? »).
_LEAD_INS = frozenset(
    [
        "et",
        "mais",
        "alors",
        "donc",
        "du",
        "coup",
        "ok",
        "bon",
        "bref",
        "sinon",
        "aussi",
        "enfin",
        "svp",
        "stp",
        "bonjour",
        "merci",
        "re",
    ]
)

# Interrogative words that ask for a fact wherever they stand (« qui », « où », « quand » may be a relative or a
# conjunction inside a yes/no question). « Oui, un cabinet… doit être équipé » answered « Il me faut combien de
# trucs anti-feu ? » (fifth outside test).
_ASKING_ANYWHERE = frozenset(["combien", "quel", "quelle", "quels", "quelles", "comment", "pourquoi"])
# Hedges that may close a question after its interrogative word (« ça ferait combien à peu près ? »).
_CLOSING_HEDGES = (
    ("a", "peu", "pres"),
    ("en", "gros"),
    ("au", "juste"),
    ("environ",),
    ("exactement",),
    ("precisement",),
    ("concretement",),
    ("svp",),
    ("stp",),
)


def _without_closing_hedges(tokens: list[str]) -> list[str]:
    trimmed = True
    while trimmed:
        trimmed = False
        for hedge in _CLOSING_HEDGES:
            if len(tokens) > len(hedge) and tuple(tokens[-len(hedge) :]) == hedge:
                tokens, trimmed = tokens[: -len(hedge)], True
    return tokens


def _asks_for_a_fact(sentence: str) -> bool:
    tokens = words(sentence)
    while tokens and tokens[0] in _LEAD_INS:
        tokens = tokens[1:]
    if not tokens:
        return False
    text = f" {' '.join(tokens)} "
    if " est ce " in text.replace(" qu est ce ", " "):  # « Qui a raison, et est-ce que j'ai le choix ? » asks both
        return False
    if tokens[0] in _INTERROGATIVES or tokens[0] in {"que", "qu"}:
        return True
    # « À qui… ? », « Auprès de quel organisme… ? », « Dans quels cas… ? »
    leading = [t for t in tokens[:3] if t in _PREPOSITIONS]
    if leading and len(tokens) > len(leading) and tokens[len(leading)] in _INTERROGATIVES - {"ou"}:
        return True
    if set(tokens) & _ASKING_ANYWHERE:  # « Il me faut combien de trucs anti-feu ? », « on fait comment ? »
        return True
    return _without_closing_hedges(tokens)[-1] in _INTERROGATIVES or any(
        p in text for p in (" c est quoi ", " c quoi ", " cest quoi ")
    )


def is_open_question(text: str) -> bool:
    """Whether a message asks only for facts (« Quel article encadre… ? », « C'est quoi une SISA ? »): each of its
    asking sentences (its last sentence when none ends with « ? ») opens with an interrogative word or ends with
    one. Such a question is not answered by « oui » or « non »."""
    asks = asking_sentences(text) or sentences(text)[-1:]
    return bool(asks) and all(_asks_for_a_fact(s) for s in asks)
