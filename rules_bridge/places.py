"""The one place parser: Paris postal codes (« 75116 »), arrondissements in digits, letters or roman numerals
(« 19e », « dix-neuvième », « XIXe », « Paris 13 ») and sectors grouping several arrondissements
(« Paris Centre »). Used by the free-text extraction and by profile validation (field ``arrondissement``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from frenchtext import fold
from rules_bridge._text import arrondissement_short, singular
from rules_bridge.matching import Tables, Tok, phrase_at, tables, tokenize
from rules_bridge.reference import load_reference

ORDINAL_DIGITS = re.compile(r"^(\d{1,2})(?:e|er|ere|eme|ieme|em|me)$")
_ROMAN = re.compile(r"^([ivx]{1,5})(?:e|er|eme|ieme)$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}
_POSTAL = re.compile(r"^\d{5}$")
_CURRENCY = {"euro", "euros", "eur", "e", "k"}
_NOUNISH = {"NOUN", "ADJ", "PROPN"}
# Words that make an ordinal a larger number: « vingt-cinquième » (25th) is not the 5e arrondissement.
_TENS = {"vingt", "vingts", "trente", "quarante", "cinquante", "soixante", "septante", "huitante", "nonante", "cent"}
# A field value that is only a number, possibly an ordinal and « arrondissement » (no spaCy needed).
_FIELD = re.compile(r"^\s*(\d{1,2})\s*(?:e|er|ere|eme|ieme|em|ème|è)?\s*(?:arr(?:ondissement|t|dt)?\.?)?\s*$")


class Place(BaseModel):
    """Where a request is: an arrondissement (1–20), the postal code when one was written, a French note when the
    place was approximated (« Paris Centre » read as the 1er arrondissement)."""

    model_config = ConfigDict(frozen=True)

    arrondissement: int | None = None
    code_postal: str | None = None
    note: str | None = None
    hors_paris: str | None = None  # a place outside Paris the text names, when it names no arrondissement


def _outside_paris(tokens: list[Tok], t: Tables, standalone: bool) -> tuple[str | None, set[int]]:
    """The first place outside Paris named in the text (« à Montreuil », « en Seine-Saint-Denis », « 93100 »), and
    the positions of the tokens right after such a name (« Lyon 3e »: the 3e is Lyon's, not Paris's)."""
    found: str | None = None
    after: set[int] = set()
    for i, tok in enumerate(tokens):
        if _POSTAL.match(tok.surface) and tok.surface not in t.postal and tok.surface.startswith(t.outside_postal):
            amount = i + 1 < len(tokens) and tokens[i + 1].surface in _CURRENCY  # « 95000 euros »
            found = found or (None if amount else tok.surface)
            continue
        for phrase, name in t.outside:
            if not phrase_at(tokens, i, phrase):
                continue
            after.add(i + len(phrase))
            alone = standalone and i == 0
            introduced = any(i >= len(w) and phrase_at(tokens, i - len(w), w) for w in t.outside_before)
            if alone or introduced:
                found = found or name
            break
    return found, after


def _roman(text: str) -> int:
    total, prev = 0, 0
    for ch in reversed(text):
        value = _ROMAN_VALUES[ch]
        total = total - value if value < prev else total + value
        prev = max(prev, value)
    return total


def _arrondissement(
    tokens: list[Tok],
    t: Tables,
    standalone: bool,
    skipped: set[int] = frozenset(),  # type: ignore[assignment]
) -> tuple[int | None, str | None]:
    # 1) A Paris postal code wins.
    for tok in tokens:
        if _POSTAL.match(tok.surface) and tok.surface in t.postal:
            return t.postal[tok.surface], tok.surface

    def context_ok(start: int, end: int, strict: bool) -> bool:
        nxt = tokens[end] if end < len(tokens) and not tokens[end].after_punct else None  # « 19e (QPV) »
        prev = tokens[start - 1].surface if start > 0 else ""
        if nxt is not None and nxt.surface in t.after:
            return True
        if nxt is not None and (nxt.surface in t.not_after or singular(nxt.surface) in t.not_after):
            return False
        if nxt is not None and nxt.pos in _NOUNISH and nxt.surface.isalpha():
            return False
        return (prev in t.before or nxt is None) if strict else True

    def candidates() -> Iterator[tuple[int, int]]:
        """Each arrondissement named, with the position of its first token."""
        for i, tok in enumerate(tokens):
            if i in skipped:  # « Lyon 3e »
                continue
            # « 19e », « 1er », « 19eme »
            m = ORDINAL_DIGITS.match(tok.surface)
            if m and 1 <= int(m.group(1)) <= 20 and context_ok(i, i + 1, strict=False):
                yield int(m.group(1)), i
            # « 19 e » / « 19 ème » split by the tokenizer
            if tok.surface.isdigit() and i + 1 < len(tokens) and tokens[i + 1].surface in {"e", "eme", "er", "ieme"}:
                n = int(tok.surface)
                if 1 <= n <= 20 and context_ok(i, i + 2, strict=False):
                    yield n, i
            # « XIXe »
            m = _ROMAN.match(tok.surface)
            if m and 1 <= _roman(m.group(1)) <= 20 and context_ok(i, i + 1, strict=True):
                yield _roman(m.group(1)), i
            # « Paris 19 », « 19 arrondissement »; a field value may be the bare number
            if tok.surface.isdigit() and 1 <= int(tok.surface) <= 20:
                prev = tokens[i - 1].surface if i > 0 else ""
                nxt = tokens[i + 1].surface if i + 1 < len(tokens) else ""
                if prev == "paris" or nxt in t.after or (standalone and len(tokens) == 1):
                    yield int(tok.surface), i
            # « dix-neuvième », « premier »
            if part_of_larger_number(tokens, i):
                continue
            for phrase, n in t.ordinals:
                end = i + len(phrase)
                if end <= len(tokens) and all(tokens[i + j].surface == phrase[j] for j in range(len(phrase))):
                    if context_ok(i, end, strict=True):
                        yield n, i

    found = list(candidates())
    if not found:
        return None, None
    # « installé seul dans le 8e, je veux monter un cabinet dans le 16e »: the project's place, not the current one
    project = [c for c in found if not _current_place(tokens, c[1], t)]
    return (project or found)[0][0], None


_CURRENT_WINDOW = 5  # words before the arrondissement where « installé », « actuellement »… mark the current place


def _current_place(tokens: list[Tok], i: int, t: Tables) -> bool:
    clause = tokens[i].clause
    return any(
        tokens[j].clause == clause and tokens[j].surface in t.current_before
        for j in range(max(0, i - _CURRENT_WINDOW), i)
    )


def part_of_larger_number(tokens: list[Tok], i: int) -> bool:
    """Whether the word at `i` ends a number written in letters (« vingt-cinquième », « trente et unième »)."""
    previous = tokens[i - 1].surface if i > 0 else ""
    before_previous = tokens[i - 2].surface if i > 1 else ""
    return previous in _TENS or (previous == "et" and before_previous in _TENS)


def _sector(tokens: list[Tok], t: Tables) -> tuple[int | None, str | None]:
    """« Paris Centre » (a sector grouping several arrondissements): its first arrondissement, with a French note."""
    ref = load_reference()
    for i in range(len(tokens)):
        for phrase, (name, numbers) in t.sectors.items():
            if phrase_at(tokens, i, phrase):
                shorts = [arrondissement_short(n) for n in numbers]
                codes = [cp for n in numbers for cp in ref.arrondissement(n).codes_postaux]
                note = t.sector_note.format(
                    secteur=name,
                    arrondissements=", ".join(shorts[:-1]) + " et " + shorts[-1],
                    retenu=shorts[0],
                    codes=", ".join(codes[:-1]) + " ou " + codes[-1],
                )
                return numbers[0], note
    return None, None


def place_in_tokens(tokens: list[Tok], *, standalone: bool = False) -> Place:
    """The place named in already tokenized text (see ``parse_place``)."""
    t = tables()
    outside, skipped = _outside_paris(tokens, t, standalone)
    arrondissement, code_postal = _arrondissement(tokens, t, standalone, skipped)
    if arrondissement is not None:
        return Place(arrondissement=arrondissement, code_postal=code_postal)
    arrondissement, note = _sector(tokens, t)
    return Place(arrondissement=arrondissement, note=note, hors_paris=None if arrondissement else outside)


def parse_place(text: str, *, standalone: bool = False) -> Place:
    """The place named in ``text`` (empty Place when none). ``standalone``: the text is only a place (a form
    field), so a bare number (« 19 ») is an arrondissement too."""
    if not text or not text.strip():
        return Place()
    quick = _FIELD.match(fold(text)) if standalone else None
    if quick:  # « 19 », « 19e », « 19e arr. »: no need for the language model
        number = int(quick.group(1))
        return Place(arrondissement=number) if 1 <= number <= 20 else Place()
    return _parse_cached(text, standalone)


@lru_cache(maxsize=1024)
def _parse_cached(text: str, standalone: bool) -> Place:
    return place_in_tokens(tokenize(text), standalone=standalone)
