"""Turns the best sections into a quoted, cited answer — or an honest decline with the hand-off offer."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from frenchtext import fold, words

from .guide import Section
from .index import Index
from .retriever import Ranking, confidence

DECLINE = (
    "Le guide B.A.-BA réglementaire ne couvre pas cette question, et je préfère ne pas vous répondre "
    "au hasard. Je peux la transmettre à l'équipe Paris Méd', qui vous répondra directement."
)
NOT_UNDERSTOOD = (
    "Je n'ai pas compris votre message. Pouvez-vous reformuler votre question en quelques mots ? "
    "Par exemple : « Mon cabinet doit-il être accessible aux personnes handicapées ? »"
)
MAX_SENTENCES = 3
_CAVEAT = re.compile(r"^\*?À confirmer", re.I)


class Previous(BaseModel):
    """The conversation's previous turn, so that a follow-up (« et si je veux résilier plus tôt ? ») is read
    with its topic."""

    question: str = Field(description="The user's previous question.")
    section_id: str | None = Field(None, description="Id of the guide section the previous answer cited first.")


# A message that starts like this continues the previous turn rather than opening a new topic.
_FOLLOW_UP_OPENINGS = {"et", "mais", "donc", "alors", "aussi", "sinon", "si", "ok", "puis", "ensuite", "dans", "pour"}
_FOLLOW_UP_MAX_WORDS = 10


def is_follow_up(question: str, alone: Answer) -> bool:
    """Whether a question needs the previous turn: declined alone, or short and opening like a continuation."""
    tokens = words(question)
    if not alone.answered:
        return True
    return len(tokens) <= _FOLLOW_UP_MAX_WORDS and bool(tokens) and tokens[0] in _FOLLOW_UP_OPENINGS


class Source(BaseModel):
    title: str = Field(description="Titre du thème du guide.")
    section: str = Field(description="Question (section) du guide citée.")
    url: str = Field(description="Lien public de la source (vide quand la section repose sur un document sans lien).")
    document: str = Field("", description="Document source nommé en clair quand il n'a pas de lien public.")
    file: str = ""
    checked: str = Field("", description="Date de vérification des faits.")
    section_id: str = ""

    @classmethod
    def of(cls, s: Section) -> Source:
        return cls(
            title=s.theme_title,
            section=s.title,
            url=s.url,
            document="" if s.url else s.document,
            file=s.file,
            checked=s.verifie_le,
            section_id=s.id,
        )


class Answer(BaseModel):
    answer: str
    answered: bool
    sources: list[Source] = Field(default_factory=list)
    score: float
    understood: bool = Field(True, description="Faux quand le message ne contient aucun mot connu (charabia).")

    def to_contract(self) -> dict:
        return {
            "answer": self.answer,
            "answered": self.answered,
            "score": round(self.score, 4),
            "sources": [{"title": s.title, "section": s.section, "url": s.url} for s in self.sources],
        }


def extract(section: Section, sentence_terms: list[list[str]], query_terms: set[str]) -> str:
    """The first sentence (sections answer first) plus the sentences that share most terms with the question,
    kept in the guide's order; a flagged caveat («À confirmer…») is always kept. `sentence_terms` are the
    sentences' lexical terms, computed when the index was built."""
    sentences = section.sentences()
    if not sentences:
        return section.body
    caveats = [i for i, s in enumerate(sentences) if _CAVEAT.match(s)]
    scored = []
    for i in range(1, len(sentences)):
        if i in caveats:
            continue
        overlap = len(query_terms & set(sentence_terms[i])) if query_terms and i < len(sentence_terms) else 0
        scored.append((overlap, -i, i))
    chosen = {0} | {i for overlap, _, i in sorted(scored, reverse=True)[: MAX_SENTENCES - 1] if overlap > 0}
    chosen |= set(caveats)
    return "\n".join(sentences[i] for i in sorted(chosen))


def build_answer(index: Index, ranking: Ranking, query: str, threshold: float) -> Answer:
    best = int(ranking.order[0])
    score = confidence(ranking, best)
    if score < threshold:
        if not index.analyzer.recognises(query):
            return Answer(answer=NOT_UNDERSTOOD, answered=False, understood=False, sources=[], score=score)
        return Answer(answer=DECLINE, answered=False, sources=[], score=score)
    sections = index.sections
    top = sections[best]
    text = extract(top, index.sentence_terms[best], set(ranking.terms))
    sources = [Source.of(top)]
    # A second section is cited when it is nearly as relevant (questions often span two sections).
    if len(ranking.order) > 1:
        second = int(ranking.order[1])
        if confidence(ranking, second) >= max(threshold, score - 0.05) and fold(sections[second].id) != fold(top.id):
            sources.append(Source.of(sections[second]))
    return Answer(answer=text, answered=True, sources=sources, score=score)
