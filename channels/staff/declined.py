"""Questions the assistant did not cover: chat hand-offs and webinar questions sent to the queue unanswered.

Grouped by folded text (``frenchtext.key``), counted, most frequent then newest first. A group marked as
handled (``HandledQuestion``) stays hidden until the same question comes back after it was handled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from frenchtext import key
from request_store import HandledQuestion, StaffRequest, utcnow

from .storage import ensure_storage, session

DECLINED_SOURCES = ("chat", "webinaire")
RELAY_HEADER = "Conversation transmise automatiquement"
MAX_QUESTION_CHARS = 300
MAX_KEY_CHARS = 300


@dataclass
class DeclinedGroup:
    key: str
    question: str  # the newest wording
    count: int = 0
    newest: datetime | None = None
    sources: set[str] = field(default_factory=set)
    request_ids: list[int] = field(default_factory=list)
    wordings: list[str] = field(default_factory=list)

    @property
    def variants(self) -> list[str]:
        """Other wordings of the same question (different case, accents or punctuation)."""
        return [w for w in self.wordings if w != self.question]


def question_of(req: StaffRequest) -> str:
    """The question a declined request carries: the last user message of a chat, the group title of a webinar."""
    for message in reversed(req.transcript or []):
        if not isinstance(message, dict):
            continue
        who = message.get("from") or message.get("role") or message.get("event")
        text = str(message.get("text") or message.get("message") or "").strip()
        if who in ("user", "utilisateur") and text:
            return text[:MAX_QUESTION_CHARS]
    lines = [line.strip() for line in (req.texte or "").splitlines() if line.strip()]
    if lines and lines[0].startswith(RELAY_HEADER):
        history = [line.removeprefix("- ").strip() for line in lines[1:]]
        lines = [h for h in reversed(history) if h] or lines
    return (lines[0] if lines else "")[:MAX_QUESTION_CHARS]


def _is_declined(req: StaffRequest) -> bool:
    # Covered webinar groups are recorded as answered by the assistant: not declined.
    return req.source in DECLINED_SOURCES and not (req.source == "webinaire" and req.reponse_par == "assistant")


def group_key(question: str) -> str:
    return key(question)[:MAX_KEY_CHARS]


def declined_groups() -> list[DeclinedGroup]:
    """Open groups (never handled, or asked again since), most frequent then newest first."""
    ensure_storage()
    with session() as db:
        rows = db.scalars(
            select(StaffRequest).where(StaffRequest.source.in_(DECLINED_SOURCES)).order_by(StaffRequest.created_at)
        ).all()
        handled = {h.key: h.handled_at for h in db.scalars(select(HandledQuestion)).all()}
    groups: dict[str, DeclinedGroup] = {}
    for req in rows:
        if not _is_declined(req):
            continue
        question = question_of(req)
        k = group_key(question)
        if not k:
            continue
        g = groups.setdefault(k, DeclinedGroup(key=k, question=question))
        if question not in g.wordings:
            g.wordings.append(question)
        g.question = question  # rows are oldest first: the last one is the newest wording
        g.count += 1
        g.newest = req.created_at
        g.sources.add(req.source)
        g.request_ids.append(req.id)
    visible = [g for g in groups.values() if g.key not in handled or (g.newest and g.newest > handled[g.key])]
    visible.sort(key=lambda g: (g.count, g.newest or datetime.min), reverse=True)
    return visible


def mark_handled(group: str, actor: str) -> None:
    """Hide a group (until it is asked again); marking it twice only moves the date."""
    ensure_storage()
    with session() as db:
        row = db.get(HandledQuestion, group)
        if row is None:
            db.add(HandledQuestion(key=group, actor=actor, handled_at=utcnow()))
        else:
            row.actor, row.handled_at = actor, utcnow()
        db.commit()
