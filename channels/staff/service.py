"""Staff requests on top of ``request_store``: creation with triage, queries, audited updates, statistics."""

from __future__ import annotations

import csv
import io
import logging
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from request_store import (
    SYSTEM_ACTOR,
    QueueFilter,
    RequestStoreError,
    StaffRequest,
    Triage,
    safe_csv_row,
    utcnow,
)

from .classify import classify_full
from .security import StaffError
from .storage import STATUSES, ensure_storage, store

log = logging.getLogger(__name__)

__all__ = ["QueueFilter", "RequestStoreError", "SYSTEM_ACTOR"]


def triage_of(texte: str, source: str) -> Triage:
    """The console's automatic triage as the store keeps it (the store's ``classifier``)."""
    full = classify_full(texte, source=source)
    return Triage(
        theme=full["theme"],
        professions=full["professions"],
        arrondissement=full["arrondissement"],
        zone_ars=full["zone_ars"],
        priorite=full["priorite"]["niveau"],
        priorite_raison=full["priorite"]["raison"],
        partenaires=full["partenaires"],
        estimate=full["_estimate"],
        brouillon=full["brouillon"],
        details={
            "scores": full["_scores"],
            "mots_cles": full["_mots_cles"],
            "avertissements": full["_avertissements"],
            "guide": full["_guide"],
        },
    )


def create_request(
    source: str,
    texte: str,
    contact: str | None = None,
    transcript: list[dict] | None = None,
    sender_id: str | None = None,
    *,
    classify_now: bool = True,
    created_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> int:
    """Store a new request (triaged at once unless ``classify_now`` is False) and return its id."""
    ensure_storage()
    return (
        store()
        .create_request(
            source,
            texte,
            contact,
            transcript,
            sender_id,
            classify_now=classify_now,
            created_at=created_at,
            idempotency_key=idempotency_key,
        )
        .id
    )


def find_duplicate(source: str, texte: str, contact: str | None) -> int | None:
    """Id of an existing request with the same source, text and contact (to make imports re-runnable)."""
    ensure_storage()
    return store().find_duplicate(source, texte, contact)


def triage_request(request_id: int) -> None:
    """Triage a request stored without classification (e.g. the contact form, triaged after the response)."""
    req = store().get_request(request_id)
    try:
        triage = triage_of(req.texte, req.source)
    except Exception:  # noqa: BLE001 - the triage failing must not fail the background task silently: logged
        log.exception("Triage failed for request %s", request_id)
        return
    store().apply_triage(request_id, triage)


def reclassify(request_id: int, actor: str) -> None:
    req = store().get_request(request_id)
    store().apply_triage(request_id, triage_of(req.texte, req.source), actor=actor)


def get_request(request_id: int) -> StaffRequest:
    return store().get_request(request_id)


def update_request(request_id: int, actor: str, **changes: Any) -> StaffRequest:
    """Apply changes and record one audit entry per changed field."""
    return store().update_request(request_id, actor, **changes)


def record_answer(request_id: int, actor: str, reponse: str, *, sent: bool) -> StaffRequest:
    """Save the final answer; ``sent`` marks it as sent (status « repondue »)."""
    reponse = (reponse or "").strip()
    if not reponse:
        raise StaffError("La réponse est vide.")
    req = get_request(request_id)
    brouillon = (req.brouillon or "").strip()
    par = "assistant" if brouillon and _same_text(brouillon, reponse) else "equipe"
    changes: dict[str, Any] = {"reponse": reponse, "reponse_par": par}
    if sent:
        changes["status"] = "repondue"
    elif req.status == "nouvelle":
        changes["status"] = "en_cours"
    return update_request(request_id, actor, **changes)


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def list_requests(flt: QueueFilter | None = None) -> list[StaffRequest]:
    """Queue order: priority (haute first) then date (oldest first)."""
    ensure_storage()
    return store().list_requests(flt)


def count_requests(flt: QueueFilter | None = None) -> int:
    ensure_storage()
    return store().count_requests(flt)


def count_by_status() -> dict[str, int]:
    ensure_storage()
    return store().count_by_status()


def all_requests() -> list[StaffRequest]:
    ensure_storage()
    return store().all_requests()


def week_start(d: datetime) -> datetime:
    d = d.replace(hour=0, minute=0, second=0, microsecond=0)
    return d - timedelta(days=d.weekday())


def statistics(requests: Iterable[StaffRequest] | None = None, weeks: int = 12) -> dict[str, Any]:
    reqs = list(requests if requests is not None else all_requests())
    by_theme = Counter(r.theme or "non_classee" for r in reqs)
    by_arr = Counter(r.arrondissement for r in reqs if r.arrondissement)
    by_source = Counter(r.source for r in reqs)
    by_status = Counter(r.status for r in reqs)
    answered = Counter(r.reponse_par for r in reqs if r.reponse_par and r.status in ("repondue", "close"))
    now_week = week_start(utcnow())
    week_keys = [now_week - timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
    by_week = Counter(week_start(r.created_at) for r in reqs)
    return {
        "total": len(reqs),
        "par_theme": dict(by_theme),
        "par_arrondissement": {a: by_arr.get(a, 0) for a in range(1, 21)},
        "par_semaine": [(w, by_week.get(w, 0)) for w in week_keys],
        "par_source": dict(by_source),
        "par_statut": {s: by_status.get(s, 0) for s in STATUSES},
        "reponses": {"assistant": answered.get("assistant", 0), "equipe": answered.get("equipe", 0)},
    }


EXPORT_COLUMNS = [
    "id",
    "date",
    "source",
    "statut",
    "priorite",
    "raison_priorite",
    "theme",
    "professions",
    "arrondissement",
    "zone_ars",
    "attribuee_a",
    "contact",
    "texte",
    "reponse",
    "reponse_par",
    "date_reponse",
    "date_cloture",
]


def export_csv(requests: Iterable[StaffRequest] | None = None) -> str:
    reqs = list(requests if requests is not None else all_requests())
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")
    writer.writerow(EXPORT_COLUMNS)
    for r in reqs:
        writer.writerow(
            safe_csv_row(
                [
                    r.id,
                    r.created_at.strftime("%Y-%m-%d %H:%M"),
                    r.source,
                    r.status,
                    r.priorite,
                    r.priorite_raison or "",
                    r.theme or "",
                    ", ".join(r.professions or []),
                    r.arrondissement or "",
                    r.zone_ars or "",
                    r.assignee or "",
                    r.contact or "",
                    r.texte,
                    r.reponse or "",
                    r.reponse_par or "",
                    r.answered_at.strftime("%Y-%m-%d %H:%M") if r.answered_at else "",
                    r.closed_at.strftime("%Y-%m-%d %H:%M") if r.closed_at else "",
                ]
            )
        )
    return "\ufeff" + buf.getvalue()  # BOM so that spreadsheet software reads UTF-8 accents correctly


def record_assistant_answer(request_id: int, reponse: str, sources: list[dict[str, Any]] | None = None) -> None:
    """Record an answer given by the assistant from the guide (e.g. webinar FAQ): status « repondue »."""
    from .classify import classify_theme
    from .draft import format_sources, wording

    text = reponse.strip()
    lines = format_sources(sources or [])
    if lines:
        text += "\n\n" + wording()["sources_titre"] + "\n" + "\n".join(lines)
    req = get_request(request_id)
    update_request(
        request_id,
        SYSTEM_ACTOR,
        theme=classify_theme(req.texte),
        brouillon=text,
        reponse=text,
        reponse_par="assistant",
        status="repondue",
    )
