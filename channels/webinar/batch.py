"""The webinar follow-up batch: read → embed → retrieve → group → answer each group once → write."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .grouping import DEFAULT_THRESHOLD, central_order, embed_questions, group_indices, retrieve
from .reader import Question, read_questions

log = logging.getLogger(__name__)
MAX_ANSWER_TRIES = 3  # members of a group tried, most representative first, until the guide answers


class WebinarError(Exception):
    """Expected failure of the batch, with a French message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Group:
    numero: int
    questions: list[Question]  # most representative first
    answer: dict[str, Any] | None = None  # knowledge_base Answer contract when the guide covers it
    theme: str = ""  # title of the guide page of the first source (FAQ sections)
    request_id: int | None = None

    @property
    def question(self) -> str:
        return self.questions[0].texte

    @property
    def covered(self) -> bool:
        return bool(self.answer and self.answer.get("answered"))

    @property
    def variants(self) -> list[str]:
        seen, out = {self.question}, []
        for q in self.questions[1:]:
            if q.texte not in seen:
                seen.add(q.texte)
                out.append(q.texte)
        return out


@dataclass
class BatchReport:
    source: str
    questions: int = 0
    rejects: list[str] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    pushed: int = 0

    @property
    def covered(self) -> list[Group]:
        return [g for g in self.groups if g.covered]

    @property
    def uncovered(self) -> list[Group]:
        return [g for g in self.groups if not g.covered]

    @property
    def throughput(self) -> float:
        return self.questions / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "fichier": self.source,
            "questions_lues": self.questions,
            "lignes_rejetees": len(self.rejects),
            "groupes": len(self.groups),
            "groupes_couverts": len(self.covered),
            "groupes_non_couverts": len(self.uncovered),
            "questions_fusionnees": self.questions - len(self.groups),
            "demandes_creees": self.pushed,
            "duree_s": round(self.seconds, 2),
            "questions_par_s": round(self.throughput, 1),
            "durees_par_etape_s": {k: round(v, 2) for k, v in self.timings.items()},
            "rejets": self.rejects,
        }


Progress = Callable[[str, int | None], Callable[[], None]]


def _no_progress(_label: str, _total: int | None) -> Callable[[], None]:
    return lambda: None


def _answer(text: str) -> dict[str, Any] | None:
    from knowledge_base import KnowledgeBaseError, answer

    try:
        return answer(text).to_contract()
    except KnowledgeBaseError as exc:
        log.info("Guide refused %r: %s", text[:80], exc)
        return None


def run_batch(
    path: Path,
    out_dir: Path,
    *,
    push_to_queue: bool = False,
    threshold: float = DEFAULT_THRESHOLD,
    title: str | None = None,
    progress: Progress = _no_progress,
) -> BatchReport:
    """Answers the questions of ``path`` and writes faq.html, faq.md, faq.csv, non_couvertes.csv, rapport.json."""
    from .output import write_all

    path, out_dir = Path(path), Path(out_dir)
    if not path.is_file():
        raise WebinarError(f"Fichier de questions introuvable : {path}")
    start = time.perf_counter()
    report = BatchReport(source=path.name)

    t = time.perf_counter()
    read = read_questions(path)
    report.rejects = read.rejects
    questions = read.questions
    report.questions = len(questions)
    report.timings["lecture"] = time.perf_counter() - t
    if not questions:
        raise WebinarError(
            "Aucune question exploitable dans le fichier."
            + (f" Problèmes : {' '.join(read.rejects[:5])}" if read.rejects else "")
        )

    texts = [q.texte for q in questions]
    t = time.perf_counter()
    tick = progress("Représentation des questions", None)
    vectors = embed_questions(texts)
    tick()
    report.timings["plongements"] = time.perf_counter() - t

    t = time.perf_counter()
    retrievals = retrieve(texts, progress=progress("Recherche dans le guide", len(texts)))
    report.timings["recherche"] = time.perf_counter() - t

    t = time.perf_counter()
    index_groups = group_indices(texts, vectors, retrievals, threshold)
    report.timings["regroupement"] = time.perf_counter() - t

    t = time.perf_counter()
    tick = progress("Réponses du guide", len(index_groups))
    for numero, members in enumerate(index_groups, start=1):
        ordered = central_order(members, vectors)
        group = Group(numero=numero, questions=[questions[i] for i in ordered])
        tried = []
        for i in ordered:
            if len(tried) >= MAX_ANSWER_TRIES:
                break
            if questions[i].texte in tried:
                continue
            tried.append(questions[i].texte)
            a = _answer(questions[i].texte)
            if a and a.get("answered"):
                group.answer = a
                sources = a.get("sources") or []
                group.theme = sources[0].get("title", "") if sources else ""
                break
        report.groups.append(group)
        tick()
    report.timings["reponses"] = time.perf_counter() - t

    if push_to_queue:
        t = time.perf_counter()
        report.pushed = push_groups(report.groups, path.name, progress("Envoi dans la console", len(report.groups)))
        report.timings["console"] = time.perf_counter() - t

    report.seconds = time.perf_counter() - start
    t = time.perf_counter()
    report.files = write_all(report, out_dir, title=title)
    report.timings["ecriture"] = time.perf_counter() - t
    return report


def push_groups(groups: list[Group], source_name: str, tick: Callable[[], None] = lambda: None) -> int:
    """One staff request per group: uncovered ones to answer, covered ones recorded as answered by the assistant."""
    from channels.staff import create_request, record_assistant_answer

    created = 0
    for g in groups:
        lines = [g.question]
        if g.variants:
            lines += ["", "Formulations voisines :", *[f"- {v}" for v in g.variants]]
        authors = [q.auteur for q in g.questions if q.auteur]
        if authors:
            lines += ["", f"Posée au webinaire ({source_name}) par : {', '.join(dict.fromkeys(authors))}"]
        emails = list(dict.fromkeys(q.email for q in g.questions if q.email))
        contact = ", ".join(emails)[:500] or None
        if g.covered:
            g.request_id = create_request("webinaire", "\n".join(lines), contact, classify_now=False)
            record_assistant_answer(g.request_id, g.answer["answer"], sources=g.answer.get("sources") or [])
        else:
            g.request_id = create_request("webinaire", "\n".join(lines), contact)
        created += 1
        tick()
    return created
