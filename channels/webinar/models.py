"""The data of a webinar run, shared by the reader, the batch, the push to the queue and the writers.

No module here imports another module of the package: `batch` builds a :class:`BatchReport`, `output` writes
it, `push` sends it to the request store, and `run` composes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from knowledge_base import Answer

MAX_QUERY = 1000  # the knowledge base refuses longer questions: longer ones are searched on their question part
MAX_TITLE = 300  # a longer question is headed by its question part in the FAQ (the whole wording stays in the report)


@dataclass
class Question:
    line: int
    texte: str  # the whole wording, as written (whitespace normalised)
    auteur: str = ""
    email: str = ""
    query: str = ""  # what is embedded and searched: the question part, courtesy words removed
    sections: tuple[str, ...] = ()  # its best guide sections (set by the grouping)

    def __post_init__(self) -> None:
        if not self.query:
            self.query = self.texte[:MAX_QUERY]


@dataclass
class ReadResult:
    questions: list[Question] = field(default_factory=list)
    rejects: list[str] = field(default_factory=list)


@dataclass
class Group:
    numero: int
    questions: list[Question]  # the title (clearest question) first
    answer: Answer | None = None  # when the guide covers it
    theme: str = ""  # title of the guide page of the first source (FAQ sections)
    request_id: int | None = None

    @property
    def question(self) -> str:
        return self.questions[0].texte

    @property
    def title(self) -> str:
        """The FAQ's heading: the clearest question, or for a long one its question part (« dans quel ordre… ? »),
        cut at a word with « … » past `MAX_TITLE`. A 1,333-character question was the heading (fifth outside test)."""
        first = self.questions[0]
        if len(first.texte) <= MAX_TITLE:
            return first.texte
        part = first.query or first.texte
        return part if len(part) <= MAX_TITLE else part[:MAX_TITLE].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"

    @property
    def covered(self) -> bool:
        return self.answer is not None and self.answer.answered

    @property
    def variants(self) -> list[str]:
        seen, out = {self.question}, []
        for q in self.questions[1:]:
            if q.texte not in seen:
                seen.add(q.texte)
                out.append(q.texte)
        return out

    @property
    def authors(self) -> list[str]:
        return list(dict.fromkeys(q.auteur for q in self.questions if q.auteur))

    @property
    def emails(self) -> list[str]:
        return list(dict.fromkeys(q.email for q in self.questions if q.email))

    @property
    def sources(self) -> list[dict[str, str]]:
        """The answer's sources, each once."""
        seen, out = set(), []
        for s in self.answer.sources if self.answer else []:
            k = (s.title, s.section, s.url)
            if k not in seen:
                seen.add(k)
                out.append({"title": s.title, "section": s.section, "url": s.url})
        return out


@dataclass
class Chatter:
    """A line that is not a question for the guide: greeting, thanks, sound or video problem, replay, slides."""

    question: Question
    kind: str  # key of chatter.yaml (salutation, remerciement, deroulement, technique, replay, supports)


@dataclass
class BatchReport:
    source: str
    questions: int = 0  # rows read (questions and chatter)
    rejects: list[str] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    chatter: list[Chatter] = field(default_factory=list)
    chatter_labels: dict[str, str] = field(default_factory=dict)  # kind -> French label
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    pushed: int = 0  # requests created in the staff queue by this run
    already_pushed: int = 0  # groups found in the queue from an earlier run (idempotent push)

    @property
    def covered(self) -> list[Group]:
        return [g for g in self.groups if g.covered]

    @property
    def uncovered(self) -> list[Group]:
        return [g for g in self.groups if not g.covered]

    @property
    def real_questions(self) -> int:
        return sum(len(g.questions) for g in self.groups)

    @property
    def throughput(self) -> float:
        return self.questions / self.seconds if self.seconds else 0.0

    def chatter_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.chatter_labels, 0)
        for c in self.chatter:
            counts[c.kind] = counts.get(c.kind, 0) + 1
        return counts

    def summary(self) -> dict[str, Any]:
        return {
            "fichier": self.source,
            "questions_lues": self.questions,
            "lignes_rejetees": len(self.rejects),
            "logistique_hors_sujet": len(self.chatter),
            "logistique_par_type": self.chatter_counts(),
            "groupes": len(self.groups),
            "groupes_couverts": len(self.covered),
            "groupes_non_couverts": len(self.uncovered),
            "questions_fusionnees": self.real_questions - len(self.groups),
            "demandes_creees": self.pushed,
            "demandes_deja_envoyees": self.already_pushed,
            "duree_s": round(self.seconds, 2),
            "questions_par_s": round(self.throughput, 1),
            "durees_par_etape_s": {k: round(v, 2) for k, v in self.timings.items()},
            "rejets": self.rejects,
        }
