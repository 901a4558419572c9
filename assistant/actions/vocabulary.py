"""Normalise user wording (entity values, free text) into rules_bridge identifiers.

The one module of the actions that knows the vocabulary: every other module asks it. The vocabulary lives in
``lexicon.yml`` (data) until rules_bridge exposes its own (then this module becomes a thin view of it).
Running ``python -m assistant.actions.vocabulary`` prints the NLU synonyms file generated from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import yaml

from frenchtext import key

LEXICON_PATH = Path(__file__).with_name("lexicon.yml")

MAX_PROFESSIONALS = 500  # same limit as rules_bridge.Professionnel.nombre
PARIS_POSTAL_PREFIX = "75"
# 75116 is the second postal code of the 16th arrondissement.
_EXTRA_PARIS_POSTAL_CODES = {"75116": 16}

_ROMAN = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
    "xi": 11,
    "xii": 12,
    "xiii": 13,
    "xiv": 14,
    "xv": 15,
    "xvi": 16,
    "xvii": 17,
    "xviii": 18,
    "xix": 19,
    "xx": 20,
}
_ORDINAL_SUFFIX = r"(?:e|er|ere|eme|ieme|em|me|è|ème|ième)?"


def fold(text: str) -> str:
    """Lower-case, no accents, hyphens/apostrophes/punctuation as spaces (frenchtext.key)."""
    return key(str(text))


def _singular(folded: str) -> str:
    return " ".join(w[:-1] if len(w) > 3 and w[-1] in "sx" else w for w in folded.split())


@dataclass(frozen=True)
class Lexicon:
    professions: Mapping[str, str]
    structures: Mapping[str, str]
    projets: Mapping[str, str]
    secteurs: Mapping[str, str]
    numbers: Mapping[str, int]
    arrondissement_words: Mapping[str, int]
    sector_professions: frozenset
    raw: Mapping[str, Any]


def _alias_table(section: Mapping[Any, List[str]]) -> Dict[str, str]:
    table: Dict[str, str] = {}
    for identifier, aliases in section.items():
        identifier = str(identifier)
        for alias in [identifier, *aliases]:
            table[fold(alias)] = identifier
            table[_singular(fold(alias))] = identifier
    return table


@lru_cache(maxsize=1)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    arrondissement_words: Dict[str, int] = {}
    for number, words in raw["arrondissements"].items():
        for word in words:
            arrondissement_words[fold(word)] = int(number)
    return Lexicon(
        professions=_alias_table(raw["professions"]),
        structures=_alias_table(raw["structures"]),
        projets=_alias_table(raw["projets"]),
        secteurs=_alias_table(raw["secteurs"]),
        numbers={fold(k): int(v) for k, v in raw["nombres"].items()},
        arrondissement_words=arrondissement_words,
        sector_professions=frozenset(raw.get("secteur_demande_pour") or []),
        raw=raw,
    )


def _lookup(table: Mapping[str, str], value: Any) -> Optional[str]:
    if value is None:
        return None
    folded = fold(str(value))
    if not folded:
        return None
    return table.get(folded) or table.get(_singular(folded))


def normalize_profession(value: Any) -> Optional[str]:
    """'kinés' -> 'masseur_kinesitherapeute'; unknown -> None."""
    return _lookup(load_lexicon().professions, value)


def profession_label(identifier: str, count: int = 1) -> str:
    """French name of a profession id (first alias in the lexicon), plural when count > 1."""
    aliases = load_lexicon().raw["professions"].get(identifier) or [identifier.replace("_", " ")]
    return _plural(aliases[0]) if count > 1 else aliases[0]


def find_professions(text: str) -> List[str]:
    """Professions named anywhere in a free text, in reading order (longest aliases first)."""
    folded = fold(text or "")
    if not folded:
        return []
    table = load_lexicon().professions
    taken: List[range] = []
    found: List[tuple] = []
    for alias in sorted(table, key=len, reverse=True):
        for match in re.finditer(rf"\b{re.escape(alias)}s?\b", folded):
            span = range(match.start(), match.end())
            if any(span.start < other.stop and other.start < span.stop for other in taken):
                continue
            taken.append(span)
            found.append((match.start(), table[alias]))
    ordered: List[str] = []
    for _, identifier in sorted(found):
        if identifier not in ordered:
            ordered.append(identifier)
    return ordered


def needs_sector(professions: List[str]) -> bool:
    """True when one of the professions is a doctor (the form then asks the sector)."""
    return any(p in load_lexicon().sector_professions for p in professions or [])


def normalize_structure(value: Any) -> Optional[str]:
    return _lookup(load_lexicon().structures, value)


def normalize_projet(value: Any) -> Optional[str]:
    return _lookup(load_lexicon().projets, value)


def normalize_secteur(value: Any) -> Optional[str]:
    """'secteur 1' -> '1', 'secteur 2 avec OPTAM' -> 'optam'; unknown -> None."""
    if value is None:
        return None
    found = _lookup(load_lexicon().secteurs, value)
    if found:
        return found
    folded = fold(str(value))
    if "optam" in folded:
        return "optam"
    match = re.fullmatch(r"(?:secteur )?([123])", folded)
    if match:
        return {"1": "1", "2": "2", "3": "non_conventionne"}[match.group(1)]
    return None


def parse_count(value: Any) -> Optional[int]:
    """'3', 3.0, 'trois', 'seul', 'nous sommes 3' -> int; nothing or ambiguous -> None.

    No range check here: 0 is returned as 0 so that the caller can explain why it is refused.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() else None
    folded = fold(str(value))
    digits = re.findall(r"\b\d+\b", folded)
    if digits:
        return int(digits[0]) if len(digits) == 1 else None
    numbers = load_lexicon().numbers
    found = [(word, numbers[word]) for word in folded.split() if word in numbers]
    if len(found) > 1:  # « un cabinet de trois » : the article does not count
        found = [(word, n) for word, n in found if word not in ("un", "une")]
    return found[0][1] if len(found) == 1 else None


@dataclass(frozen=True)
class Location:
    """Result of parsing a location value."""

    arrondissement: Optional[int] = None
    code_postal: Optional[str] = None
    in_paris: bool = False


def parse_postal_code(code: str) -> Location:
    code = code.strip()
    if code in _EXTRA_PARIS_POSTAL_CODES:
        return Location(_EXTRA_PARIS_POSTAL_CODES[code], code, True)
    if code.startswith(PARIS_POSTAL_PREFIX):
        number = int(code[2:])
        if 1 <= number <= 20:
            return Location(number, code, True)
    return Location(None, code, False)


def parse_location(value: Any) -> Optional[Location]:
    """Parse '19', '19e', 'dix-neuvième', 'XIXe', 'Paris 19', '75019' (or '93100', not in Paris).

    Returns None when nothing looks like a location; a Location with in_paris=False for a postal
    code outside Paris or a number that is not an arrondissement.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        value = str(int(value))
    folded = fold(str(value))
    postal = re.search(r"\b(\d{5})\b", folded)
    if postal:
        return parse_postal_code(postal.group(1))
    words = load_lexicon().arrondissement_words
    if folded in words:
        return Location(words[folded], None, True)
    for word, number in sorted(words.items(), key=lambda item: -len(item[0])):
        if re.search(rf"\b{re.escape(word)}\b", folded):
            return Location(number, None, True)
    match = re.search(rf"\b(\d{{1,3}}){_ORDINAL_SUFFIX}\b", folded)
    if match:
        number = int(match.group(1))
        return Location(number if 1 <= number <= 20 else None, None, 1 <= number <= 20)
    roman = re.fullmatch(rf"(?:paris )?([ivx]+){_ORDINAL_SUFFIX}(?: arrondissement)?", folded)
    if roman and roman.group(1) in _ROMAN:
        return Location(_ROMAN[roman.group(1)], None, True)
    return None


_NOT_PLURALISED = {"de", "du", "des", "en", "la", "le", "famille", "pratique", "avancee", "avancée"}


def _plural(alias: str) -> str:
    """Naive French plural of a profession name: 'sage-femme' -> 'sages-femmes'."""

    def word(w: str) -> str:
        if len(w) <= 3 or w in _NOT_PLURALISED or w[-1] in "sx":
            return w
        if w.endswith("al"):
            return w[:-2] + "aux"
        return w + "s"

    return " ".join("-".join(word(part) for part in token.split("-")) for token in alias.split(" "))


def synonyms_yaml() -> str:
    """The NLU synonyms file generated from the lexicon (entity values = rules_bridge ids)."""
    raw = load_lexicon().raw
    lines = [
        "# GENERATED from assistant/actions/lexicon.yml by `python -m assistant.actions.vocabulary`.",
        "# Do not edit by hand: edit the lexicon and regenerate.",
        'version: "3.1"',
        "",
        "nlu:",
    ]

    def block(identifier: str, aliases: List[str]) -> None:
        examples: List[str] = []
        for alias in aliases:
            for variant in (alias.lower(), fold(alias)):
                if variant != identifier and variant not in examples:
                    examples.append(variant)
        if not examples:
            return
        lines.append(f'  - synonym: "{identifier}"')
        lines.append("    examples: |")
        lines.extend(f"      - {example}" for example in examples)
        lines.append("")

    for identifier, aliases in raw["professions"].items():
        block(str(identifier), [v for alias in aliases for v in (alias, _plural(alias))])
    for section in ("structures", "projets", "secteurs"):
        for identifier, aliases in raw[section].items():
            block(str(identifier), list(aliases))
    by_value: Dict[int, List[str]] = {}
    for word, number in raw["nombres"].items():
        by_value.setdefault(int(number), []).append(str(word))
    for number, words in sorted(by_value.items()):
        block(str(number), words)
    for number, words in raw["arrondissements"].items():
        number = int(number)
        suffixes = ["er", "ère", "ere"] if number == 1 else []
        suffixes += ["e", "eme", "ème", "è", "ieme", "ième"]
        aliases = [f"{number}{suffix}" for suffix in suffixes] + list(words)
        block(str(number), aliases)
    # Number words as a lookup table: a feature (RegexFeaturizer) that lets the entity extractor read « deux »,
    # « trois »… as headcounts even where the training data only has digits. « un », « une », « seul » are
    # left out: they are mostly articles and adjectives.
    words = [w for w, n in raw["nombres"].items() if int(n) > 1]
    lines += ["  - lookup: nombre_en_lettres", "    examples: |", *(f"      - {w}" for w in words), ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover - code generation helper
    print(synonyms_yaml(), end="")
