"""The webinar batch: read → set chatter aside → embed → retrieve → group → answer each group once.

Builds a :class:`BatchReport`; writing it (`output`) and sending it to the staff queue (`push`) are separate
steps composed by `run`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from knowledge_base import Answer, KnowledgeBaseError, answer, answer_many

from .chatter import chatter_kind, chatter_rules
from .grouping import GroupingParams, calibrated_params, embed_questions, group_indices, retrieve, title_order
from .models import BatchReport, Chatter, Group, Question
from .reader import read_questions

log = logging.getLogger(__name__)
MAX_ANSWER_TRIES = 3  # members of a group tried, clearest first, until the guide answers
SAFETY_TOP = 3  # a member stays under its group's answer when the answering section is in its own top 3

Tick = Callable[[], None]
Progress = Callable[[str, int | None], Tick]


class WebinarError(Exception):
    """Expected failure of the batch, with a French message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def no_progress(_label: str, _total: int | None) -> Tick:
    return lambda: None


def _answers(queries: list[str]) -> list[Answer | None]:
    """The guide's answers to several wordings, retrieval batched (`answer_many`); a wording the guide refuses
    (empty once cleaned, too long) has None, and the others are still answered."""
    if not queries:
        return []
    try:
        return list(answer_many(queries))
    except KnowledgeBaseError:
        out: list[Answer | None] = []
        for q in queries:
            try:
                out.append(answer(q))
            except KnowledgeBaseError as exc:
                log.info("Guide refused %r: %s", q[:80], exc)
                out.append(None)
        return out


def split_chatter(questions: list[Question]) -> tuple[list[Question], list[Chatter]]:
    real, chatter = [], []
    for q in questions:
        kind = chatter_kind(q.texte)
        if kind is None:
            real.append(q)
        else:
            chatter.append(Chatter(question=q, kind=kind))
    return real, chatter


def group_questions(
    questions: list[Question], params: GroupingParams | None = None, progress: Progress = no_progress
) -> list[list[Question]]:
    """Groups of questions asking the same thing, each with its title (clearest wording) first."""
    if not questions:
        return []
    queries = [q.query for q in questions]
    tick = progress("Représentation des questions", None)
    vectors = embed_questions(queries)
    tick()
    retrievals = retrieve(queries, progress=progress("Recherche dans le guide", len(queries)))
    for q, r in zip(questions, retrievals, strict=True):
        q.sections = r.sections
    indices = group_indices(queries, vectors, retrievals, params or calibrated_params())
    texts = [q.texte for q in questions]
    return [[questions[i] for i in title_order(g, texts, vectors)] for g in indices]


def _answer_all(groups: list[list[Question]], tick: Tick) -> list[Answer | None]:
    """The guide's answer to each group: its clearest member first, then the next ones (up to MAX_ANSWER_TRIES
    distinct wordings) for the groups not answered yet; each round is one batched call. ``tick`` once per group."""
    answers: list[Answer | None] = [None] * len(groups)
    tries = [list(dict.fromkeys(q.query for q in g))[:MAX_ANSWER_TRIES] for g in groups]
    for round_ in range(MAX_ANSWER_TRIES):
        todo = [i for i, t in enumerate(tries) if answers[i] is None and len(t) > round_]
        for i, a in zip(todo, _answers([tries[i][round_] for i in todo]), strict=True):
            if a is not None and a.answered:
                answers[i] = a
                tick()
    for a in answers:
        if a is None:
            tick()
    return answers


def _outside(answer: Answer, questions: list[Question]) -> list[Question]:
    """Members whose own best sections do not include the section that answered the group: a safety net, so
    that a question merged by mistake is answered on its own rather than hidden under another's answer."""
    section = answer.sources[0].section_id if answer.sources else ""
    if not section or not questions:
        return []
    title = set(questions[0].sections[:SAFETY_TOP])
    return [
        q
        for q in questions[1:]
        if q.sections and section not in q.sections[:SAFETY_TOP] and not title & set(q.sections[:SAFETY_TOP])
    ]


def answer_groups(members: list[list[Question]], tick: Tick = lambda: None) -> list[Group]:
    """One Group per list of members, answered once. A member set apart by the safety net (`_outside`) becomes
    a group of its own, answered in the next round."""
    done: list[tuple[list[Question], Answer | None]] = []
    pending = list(members)
    while pending:
        answers = _answer_all(pending, tick if not done else lambda: None)  # the bar counts the first groups
        next_round: list[list[Question]] = []
        for questions, a in zip(pending, answers, strict=True):
            outside = _outside(a, questions) if a is not None else []
            if outside:
                questions = [q for q in questions if q not in outside]
                next_round.extend([q] for q in outside)
            done.append((questions, a))
        pending = next_round
    groups: list[Group] = []
    for questions, a in done:
        group = Group(numero=len(groups) + 1, questions=questions, answer=a)
        if a is not None:
            group.theme = a.sources[0].title if a.sources else ""
        groups.append(group)
    return groups


def process(path: Path, *, params: GroupingParams | None = None, progress: Progress = no_progress) -> BatchReport:
    """Reads ``path``, sets chatter aside, groups the real questions and answers each group from the guide."""
    path = Path(path)
    if not path.is_file():
        raise WebinarError(f"Fichier de questions introuvable : {path}")
    start = time.perf_counter()
    report = BatchReport(source=path.name, chatter_labels=dict(chatter_rules().labels))

    t = time.perf_counter()
    read = read_questions(path)
    report.rejects = read.rejects
    report.questions = len(read.questions)
    real, report.chatter = split_chatter(read.questions)
    report.timings["lecture"] = time.perf_counter() - t
    if not read.questions:
        raise WebinarError(
            "Aucune question exploitable dans le fichier."
            + (f" Problèmes : {' '.join(read.rejects[:5])}" if read.rejects else "")
        )

    t = time.perf_counter()
    members = group_questions(real, params, progress)
    report.timings["regroupement"] = time.perf_counter() - t

    t = time.perf_counter()
    report.groups = answer_groups(members, progress("Réponses du guide", len(members)))
    report.timings["reponses"] = time.perf_counter() - t
    report.seconds = time.perf_counter() - start
    return report
