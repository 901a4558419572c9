"""Sending the groups of a webinar run to the staff queue, once: a second run on the same file creates nothing.

Each group gets an idempotency key made of the file's content hash and the group's normalised title
(`request_store` refuses a second request with the same key, race-safe). Chatter is never sent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from channels.staff import record_assistant_answer
from frenchtext import key
from request_store import Store

from .models import BatchReport, Group

SOURCE = "webinaire"


def group_key(file_digest: str, group: Group) -> str:
    title = hashlib.sha256(key(group.question).encode("utf-8")).hexdigest()[:24]
    return f"{SOURCE}:{file_digest[:24]}:{title}"


def request_text(group: Group, source_name: str) -> str:
    lines = [group.question]
    if group.variants:
        lines += ["", "Formulations voisines :", *[f"- {v}" for v in group.variants]]
    if group.authors:
        lines += ["", f"Posée au webinaire ({source_name}) par : {', '.join(group.authors)}"]
    return "\n".join(lines)


def push_groups(report: BatchReport, file_digest: str, store: Store, tick: Callable[[], None] = lambda: None) -> None:
    """One staff request per group (uncovered: to answer; covered: recorded as answered by the assistant)."""
    for g in report.groups:
        contact = ", ".join(g.emails)[:500] or None
        created = store.create_request(
            SOURCE,
            request_text(g, report.source),
            contact,
            idempotency_key=group_key(file_digest, g),
            classify_now=not g.covered,
        )
        g.request_id = created.id
        if not created.created:
            report.already_pushed += 1
        else:
            report.pushed += 1
            if g.covered and g.answer is not None:
                record_assistant_answer(created.id, g.answer.answer, sources=g.sources)
        tick()


def file_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
