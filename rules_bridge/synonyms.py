"""Rasa NLU synonyms and lookup tables generated from the vocabulary (one source for the chat and the rules).

    python -m rules_bridge.synonyms > assistant/data/nlu/synonyms.yml

Entities ``profession``, ``structure``, ``secteur`` and ``projet``: each synonym maps a wording (with its
unaccented and plural variants) to the canonical id the rules bridge accepts; the lookup tables list the same
wordings. Free-text prefixes (« déménag* ») have no meaning for Rasa and are left out.
"""

from __future__ import annotations

import sys

from frenchtext import fold
from rules_bridge.vocabulary import KINDS, Kind, vocabulary

HEADER = (
    "# GENERATED from rules_bridge/data/vocabulaire.yaml by `python -m rules_bridge.synonyms`.\n"
    "# Do not edit by hand: edit the vocabulary and regenerate.\n"
)


def _plural(text: str) -> str:
    """Plural of the last word (« cabinet de groupe » stays as is: only single words and « X-Y » are pluralised)."""
    if " " in text or text[-1:] in {"s", "x", "z"} or not text[-1:].isalpha():
        return text
    return text + "s"


def variants(text: str) -> list[str]:
    """The wording, lower-cased, its plural and their unaccented forms, without duplicates."""
    base = text.strip().lower()
    forms = [base, _plural(base)]
    forms += [fold(f) for f in forms]
    return list(dict.fromkeys(f for f in forms if f))


def wordings(kind: Kind) -> dict[str, list[str]]:
    """Canonical id → wordings for one entity; a wording claimed by two ids stays with the first."""
    seen: set[str] = set()
    out: dict[str, list[str]] = {}
    for canonical, synonyms in vocabulary().table(kind).items():
        forms: list[str] = []
        for synonym in [canonical.replace("_", " "), *synonyms]:
            if synonym.endswith("*"):
                continue
            for form in variants(synonym):
                if form not in seen and form != canonical:
                    seen.add(form)
                    forms.append(form)
        out[canonical] = forms
    return out


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
