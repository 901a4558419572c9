"""Text normalisation for lexical search: spaCy fr_core_news_md lemmas, accent/case folding, stop words,
abbreviation expansion, and a light typo repair against the index vocabulary (rapidfuzz).

The index is analysed with the whole spaCy pipeline (tagger, morphology, rule lemmatizer); the lemma spaCy gave
most often to each word form of the indexed texts is kept as a table (`Analyzer.lemmas`, persisted with the
index), so a query is only tokenised and its words looked up: in that table, then in the model's own
form → lemma lookup table, else kept as written. Measured on the dev questions: the same retrieval and decision
figures, a fraction of the CPU (the tagger's neural network ran for every question before)."""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from frenchtext import asking_sentences, fold, french_pipeline, sentences
from frenchtext.courtesy import after_thanks

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)?")
_TAG = re.compile(r"<[^>]{0,200}>")
_SYNONYMS_FILE = Path(__file__).with_name("synonyms.yaml")
_DERIVATIONS_FILE = Path(__file__).with_name("derivations.yaml")
# Times the asking sentences of a long message are repeated after it: the context (« nous sommes trois
# infirmières… ») then weighs less than the question itself, in BM25 and in the sentence embedding alike. Chosen on
# the dev splits (0, 1, 2: independent set R@1 0.742, 0.758, 0.774; authors' set unchanged).
QUESTION_EMPHASIS = 2


def clean_user_text(text: str) -> str:
    """Removes HTML tags and entities and collapses white space."""
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", text))).strip()


def as_message(text: str) -> str:
    """A user's message as ranking reads it: a new question after thanks without the thanks (« Merci ! Dernière
    question : c'est quoi une ZAC ? » → « c'est quoi une ZAC ? », `frenchtext.courtesy.after_thanks`), and its
    asking sentences emphasised (`emphasise_questions`). Session 12: removing every courtesy lead (« Bonjour, je
    suis kiné… ») instead changed 36 of the 2 900 development and training questions and lost 2 right answers of
    the independent dev questions (cross-fitted): not kept."""
    return emphasise_questions(after_thanks(text, joiner="\n"))


def emphasise_questions(text: str) -> str:
    """A message of several sentences, some asking and some only telling the situation, followed by its asking
    sentences repeated `QUESTION_EMPHASIS` times; other texts unchanged. Sentences and asking sentences are
    `frenchtext`'s (the triage and the webinar cut messages the same way; the knowledge base's former own rule, which
    also counted an interrogative opening without « ? », gave the same text for every dev and training question)."""
    parts = sentences(text)
    asking = asking_sentences(text)
    if len(parts) < 2 or not asking or len(asking) == len(parts):
        return text
    return text + (" " + " ".join(asking)) * QUESTION_EMPHASIS


@lru_cache(maxsize=1)
def synonyms() -> dict[str, str]:
    table = yaml.safe_load(_SYNONYMS_FILE.read_text(encoding="utf-8")) or {}
    return {fold(str(k)): str(v) for k, v in table.items()}


@lru_cache(maxsize=1)
def _word_families() -> dict[str, frozenset[str]]:
    families = yaml.safe_load(_DERIVATIONS_FILE.read_text(encoding="utf-8")) or []
    return {str(term): frozenset(map(str, family)) for family in families for term in family}


def with_word_families(terms: set[str]) -> set[str]:
    """`terms` with the other members of their word families (« durer » brings « duree »: derivations.yaml)."""
    families = _word_families()
    return terms.union(*(families[t] for t in terms if t in families))


def expand(text: str) -> str:
    """Appends the expansions of known abbreviations found in the text."""
    table = synonyms()
    extra = [table[w] for w in _WORD.findall(fold(text)) if w in table]
    return text + (" " + " ".join(extra) if extra else "")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.fr.stop_words import STOP_WORDS

    keep = {"ne", "pas", "sans", "seul", "seule"}  # negations matter in rules ("pas d'ERP", "sans compensation")
    return frozenset(fold(w) for w in STOP_WORDS if w not in keep)


@lru_cache(maxsize=1)
def _model_lookup() -> Any:
    """fr_core_news_md's own form → lemma table (the rule lemmatizer's fallback), about 217 000 forms."""
    return french_pipeline().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")


class Analyzer:
    """Turns text into BM25 terms; `vocabulary` (set after indexing) enables typo repair of queries, and `lemmas`
    (set after indexing) replaces the spaCy pipeline by a lookup."""

    def __init__(self) -> None:
        self.vocabulary: list[str] = []
        self._vocab_set: frozenset[str] = frozenset()
        self.lemmas: dict[str, str] = {}
        self._folded_lemmas: dict[str, str] = {}
        self._seen: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def set_vocabulary(self, vocabulary: list[str]) -> None:
        self.vocabulary = sorted(vocabulary)
        self._vocab_set = frozenset(vocabulary)

    def set_lemmas(self, lemmas: dict[str, str]) -> None:
        self.lemmas = dict(lemmas)
        # Accents are often left out in chat (« medecins », « eligible »): the folded form finds the guide's word.
        self._folded_lemmas = {}
        for form, lemma in sorted(self.lemmas.items()):
            self._folded_lemmas.setdefault(fold(form), lemma)

    def learned_lemmas(self) -> dict[str, str]:
        """The lemma spaCy gave most often to each (lower-case) word form of the texts analysed so far."""
        return {form: counts.most_common(1)[0][0] for form, counts in sorted(self._seen.items())}

    def lemma(self, form: str) -> str:
        """The lemma of a lower-case word form without running the pipeline: the index's table, then the model's."""
        known = self.lemmas.get(form)
        if known is None:
            known = self._folded_lemmas.get(fold(form))
        if known is not None:
            return known
        looked_up = _model_lookup().get(form)
        if isinstance(looked_up, list):
            return str(looked_up[0]) if looked_up else form
        return str(looked_up) if looked_up else form

    def terms(self, text: str, repair: bool = False) -> list[str]:
        return self.terms_many([text], repair=repair)[0]

    def terms_many(self, texts: list[str], repair: bool = False) -> list[list[str]]:
        """BM25 terms of each text: the pipeline's lemmas while indexing, the lookup once `lemmas` is set."""
        stops = _stop_words()
        nlp = french_pipeline()
        expanded = (expand(t) for t in texts)
        if self.lemmas:
            docs = (nlp.make_doc(t) for t in expanded)  # tokeniser only
        else:
            docs = nlp.pipe(expanded, batch_size=32)
        out = []
        for doc in docs:
            words = []
            for tok in doc:
                if tok.is_punct or tok.is_space:
                    continue
                if self.lemmas:
                    lemma_text = self.lemma(tok.lower_)
                else:
                    lemma_text = tok.lemma_ or tok.text
                    self._seen[tok.lower_][lemma_text] += 1
                for lemma in _WORD.findall(fold(lemma_text)):
                    lemma = lemma.split("'")[-1]
                    if lemma in stops or len(lemma) < 2 and not lemma.isdigit():
                        continue
                    words.append(lemma)
            out.append(self.repaired(words) if repair else words)
        return out

    def repaired(self, terms: list[str]) -> list[str]:
        """Terms of `terms_many(..., repair=False)` with the words the guide lacks repaired (`repair=True`)."""
        if not self._vocab_set:
            return list(terms)
        return [t if t in self._vocab_set else self._repair(t) for t in terms]

    def unknown_share(self, terms: list[str]) -> float:
        """Share of the terms (before typo repair) that the guide's vocabulary lacks: high for questions about
        something else (a visa, a tax return) worded near the guide's domain."""
        if not terms or not self._vocab_set:
            return 0.0
        return sum(1 for t in terms if t not in self._vocab_set) / len(terms)

    def recognises(self, text: str) -> bool:
        """Whether the text has at least one word that French (the spaCy model's vectors) or the guide knows:
        false for keyboard mashing such as « azertyuiop qsdfg », which deserves « je n'ai pas compris » rather
        than a decline offering to forward it to the staff."""
        stops = _stop_words()
        for tok in french_pipeline().make_doc(expand(text)):  # vectors and number shapes need no pipeline
            if tok.is_punct or tok.is_space:
                continue
            word = fold(tok.text)
            if tok.like_num or word in self._vocab_set or fold(self.lemma(tok.lower_)) in self._vocab_set:
                return True
            if self._vocab_set and self._repair(word) in self._vocab_set:  # a typo of a word of the guide
                return True
            if word not in stops and tok.has_vector:
                return True
        return False

    @lru_cache(maxsize=4096)  # noqa: B019 - one Analyzer per loaded index, kept for the process's life
    def _repair(self, word: str) -> str:
        if len(word) < 5 or word.isdigit():
            return word
        # Normalised Indel similarity ≥ 80 %, as difflib's ratio ≥ 0.8 was (same repair for 285 of the 297 unknown
        # words of the evaluation questions, the rest are ties broken differently), 20 times faster per word.
        close = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=80)
        return str(close[0]) if close else word
