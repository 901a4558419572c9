"""Rasa NLU synonyms and lookup tables generated from the vocabulary (one source for the chat and the rules).

    python -m rules_bridge.synonyms > assistant/data/nlu/synonyms.yml

Entities ``profession``, ``structure``, ``secteur`` and ``projet``: each synonym maps a wording (with its
unaccented and plural variants) to the canonical id the rules bridge accepts; the lookup tables list the same
wordings. Free-text prefixes (« déménag* ») have no meaning for Rasa and are left out, and so are wordings that are
only a number (the sector « 3 »): Rasa's EntitySynonymMapper ignores the entity type and would turn every headcount
or arrondissement « 3 » into « non_conventionne ». The form reads a bare number itself (``vocabulary().normalise``
on the answer to the sector question).
"""

from __future__ import annotations

import sys
from functools import lru_cache

from frenchtext import fold
from rules_bridge.vocabulary import KINDS, Kind, vocabulary

HEADER = (
    "# GENERATED from rules_bridge/data/vocabulaire.yaml by `python -m rules_bridge.synonyms`.\n"
    "# Do not edit by hand: edit the vocabulary and regenerate.\n"
)


def _plural(text: str) -> str:
    """Plural of a one-word wording (« kiné » → « kinés »); phrases and words ending in s, x, z stay as they are."""
    if " " in text or text[-1:] in {"s", "x", "z"} or not text[-1:].isalpha():
        return text
    return text + "s"


def _as_written(text: str) -> list[str]:
    base = text.strip().lower()
    return list(dict.fromkeys(f for f in (base, fold(base)) if f))


def variants(text: str) -> list[str]:
    """The wording, lower-cased, its plural and their unaccented forms, without duplicates."""
    return list(dict.fromkeys([*_as_written(text), *_as_written(_plural(text.strip().lower()))]))


@lru_cache(maxsize=1)
def _all_wordings() -> dict[Kind, dict[str, list[str]]]:
    """Per entity, canonical id → wordings. Rasa maps synonyms whatever the entity, so a wording belongs to one id
    of all four tables: wordings as written (and unaccented) first, then generated plurals where still free
    (« cds » is a health centre as written, not the plural of « cd », a dental surgeon)."""
    tables = {kind: vocabulary().table(kind) for kind in KINDS}
    owner: dict[str, str] = {}
    out: dict[Kind, dict[str, list[str]]] = {kind: {c: [] for c in table} for kind, table in tables.items()}
    for generated in (False, True):
        for kind, table in tables.items():
            for canonical, synonyms in table.items():
                for synonym in [canonical.replace("_", " "), *synonyms]:
                    if synonym.endswith("*") or synonym.strip().isdigit():
                        continue
                    forms = variants(synonym) if generated else _as_written(synonym)
                    for form in forms:
                        if form != canonical and owner.setdefault(form, canonical) == canonical:
                            if form not in out[kind][canonical]:
                                out[kind][canonical].append(form)
    return out


def wordings(kind: Kind) -> dict[str, list[str]]:
    """Canonical id → wordings for one entity (see ``_all_wordings``)."""
    return _all_wordings()[kind]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render() -> str:
    lines = [HEADER.rstrip("\n"), 'version: "3.1"', "", "nlu:"]
    for kind in KINDS:
        table = wordings(kind)
        for canonical, forms in table.items():
            if not forms:
                continue
            lines += [f"  - synonym: {_quote(canonical)}", "    examples: |"]
            lines += [f"      - {form}" for form in forms]
        lines += [f"  - lookup: {kind}", "    examples: |"]
        every = dict.fromkeys(form for forms in table.values() for form in forms)
        lines += [f"      - {form}" for form in every]
    return "\n".join(lines) + "\n"


def main() -> int:
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
