"""Requests store: creation (with triage), queries, audited updates, statistics."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from .classify import classify_full
from .security import StaffError
from .storage import (
    OPEN_STATUSES,
    PRIORITY_RANK,
    SOURCES,
    STATUSES,
    AuditEntry,
    StaffRequest,
    ensure_storage,
    session,
    utcnow,
)

log = logging.getLogger(__name__)

MAX_TEXT = 20_000
SYSTEM_ACTOR = "système"


def _to_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _apply_classification(req: StaffRequest, full: dict[str, Any]) -> None:
    req.theme = full["theme"]
    req.professions = full["professions"]
    req.arrondissement = full["arrondissement"]
    req.zone_ars = full["zone_ars"]
    req.priorite = full["priorite"]["niveau"]
    req.priorite_rang = PRIORITY_RANK[req.priorite]
    req.priorite_raison = full["priorite"]["raison"]
    req.partenaires = full["partenaires"]
    req.estimate = full["_estimate"]
    req.brouillon = full["brouillon"]
    req.classification = {
        "scores": full["_scores"],
        "mots_cles": full["_mots_cles"],
        "avertissements": full["_avertissements"],
        "guide": full["_guide"],
    }


def create_request(
    source: str,
    texte: str,
    contact: str | None = None,
    transcript: list[dict] | None = None,
    sender_id: str | None = None,
    *,
    classify_now: bool = True,
    created_at: datetime | None = None,
) -> int:
    """Store a new request (triaged at once unless ``classify_now`` is False) and return its id."""
    if source not in SOURCES:
        raise StaffError(f"Origine inconnue : {source!r} (attendu : {', '.join(SOURCES)}).")
    texte = (texte or "").strip()
    if not texte:
        raise StaffError("La demande est vide.")
    texte = texte[:MAX_TEXT]
    ensure_storage()
    full = None
    if classify_now:
        try:
            full = classify_full(texte, source=source)
        except Exception:  # noqa: BLE001 - a triage failure must never lose the request
            log.exception("Triage failed for a new %s request", source)
    with session() as db:
        req = StaffRequest(
            source=source,
            texte=texte,
            contact=(contact or None) and str(contact)[:500],
            transcript=transcript,
            sender_id=sender_id,
            status="nouvelle",
        )
        if created_at is not None:
            req.created_at = created_at
        if full is not None:
            _apply_classification(req, full)
        db.add(req)
        db.flush()
        db.add(AuditEntry(request_id=req.id, actor=SYSTEM_ACTOR, field="creation", old=None, new=f"source={source}"))
        db.commit()
        return req.id


def find_duplicate(source: str, texte: str, contact: str | None) -> int | None:
    """Id of an existing request with the same source, text and contact (to make imports re-runnable)."""
    ensure_storage()
    with session() as db:
        stmt = select(StaffRequest.id).where(
            StaffRequest.source == source, StaffRequest.texte == texte.strip()[:MAX_TEXT]
        )
        stmt = stmt.where(StaffRequest.contact == contact) if contact else stmt.where(StaffRequest.contact.is_(None))
        return db.scalar(stmt.limit(1))


def triage_request(request_id: int) -> None:
    """Triage a request stored without classification (e.g. the contact form, triaged after the response)."""
    with session() as db:
        req = _get(db, request_id)
        texte, source = req.texte, req.source
    try:
        full = classify_full(texte, source=source)
    except Exception:  # noqa: BLE001
        log.exception("Triage failed for request %s", request_id)
        return
    with session() as db:
        req = _get(db, request_id)
        _apply_classification(req, full)
        db.add(
            AuditEntry(
                request_id=req.id,
                actor=SYSTEM_ACTOR,
                field="triage",
                old=None,
                new=f"theme={req.theme}, priorite={req.priorite}",
            )
        )
        db.commit()


def reclassify(request_id: int, actor: str) -> None:
    with session() as db:
        req = _get(db, request_id)
        full = classify_full(req.texte, source=req.source)
        before = {f: getattr(req, f) for f in AUDITED_FIELDS}
        _apply_classification(req, full)
        for f in AUDITED_FIELDS:
            if before[f] != getattr(req, f):
                db.add(
                    AuditEntry(
                        request_id=req.id, actor=actor, field=f, old=_to_text(before[f]), new=_to_text(getattr(req, f))
                    )
                )
        db.commit()


def _get(db, request_id: int) -> StaffRequest:
    req = db.get(StaffRequest, request_id)
    if req is None:
        raise StaffError(f"Demande n° {request_id} introuvable.")
    return req


def get_request(request_id: int) -> StaffRequest:
    with session() as db:
        req = _get(db, request_id)
        _ = list(req.audit)  # load the audit trail before the session closes
        return req


AUDITED_FIELDS = (
    "status",
    "assignee",
    "theme",
    "professions",
    "arrondissement",
    "zone_ars",
    "priorite",
    "priorite_raison",
    "partenaires",
    "brouillon",
    "reponse",
    "reponse_par",
)


def update_request(request_id: int, actor: str, **changes: Any) -> StaffRequest:
    """Apply changes and record one audit entry per changed field."""
    unknown = set(changes) - set(AUDITED_FIELDS)
    if unknown:
        raise StaffError(f"Champ non modifiable : {', '.join(sorted(unknown))}.")
    if "status" in changes and changes["status"] not in STATUSES:
        raise StaffError(f"Statut inconnu : {changes['status']!r}.")
    if "priorite" in changes and changes["priorite"] not in PRIORITY_RANK:
        raise StaffError(f"Priorité inconnue : {changes['priorite']!r}.")
    if "arrondissement" in changes and changes["arrondissement"] is not None:
        if not 1 <= int(changes["arrondissement"]) <= 20:
            raise StaffError("L'arrondissement doit être compris entre 1 et 20.")
    with session() as db:
        req = _get(db, request_id)
        now = utcnow()
        for field, new in changes.items():
            old = getattr(req, field)
            if old == new:
                continue
            setattr(req, field, new)
            db.add(
                AuditEntry(request_id=req.id, actor=actor, field=field, old=_to_text(old), new=_to_text(new), at=now)
            )
            if field == "priorite":
                req.priorite_rang = PRIORITY_RANK[new]
            if field == "status":
                if new == "close" and req.closed_at is None:
                    req.closed_at = now
                if new in ("repondue", "close") and req.reponse and req.answered_at is None:
                    req.answered_at = now
        db.commit()
        db.refresh(req)
        _ = list(req.audit)
        return req


def record_answer(request_id: int, actor: str, reponse: str, *, sent: bool) -> StaffRequest:
    """Save the final answer; ``sent`` marks it as sent (status « repondue »)."""
    reponse = (reponse or "").strip()
    if not reponse:
        raise StaffError("La réponse est vide.")
    with session() as db:
        req = _get(db, request_id)
        brouillon = (req.brouillon or "").strip()
    par = "assistant" if brouillon and _same_text(brouillon, reponse) else "equipe"
    changes: dict[str, Any] = {"reponse": reponse, "reponse_par": par}
    if sent:
        changes["status"] = "repondue"
    else:
        current = get_request(request_id).status
        if current == "nouvelle":
            changes["status"] = "en_cours"
    return update_request(request_id, actor, **changes)


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


@dataclass
class QueueFilter:
    theme: str | None = None
    arrondissement: int | None = None
    status: str | None = None  # None = open requests (nouvelle + en_cours); "toutes" = all
    assignee: str | None = None
    limit: int = 200
    offset: int = 0


def list_requests(flt: QueueFilter | None = None) -> list[StaffRequest]:
    """Queue order: priority (haute first) then date (oldest first)."""
    flt = flt or QueueFilter()
    ensure_storage()
    stmt = select(StaffRequest)
    if flt.status in (None, ""):
        stmt = stmt.where(StaffRequest.status.in_(OPEN_STATUSES))
    elif flt.status != "toutes":
        stmt = stmt.where(StaffRequest.status == flt.status)
    if flt.theme:
        stmt = stmt.where(StaffRequest.theme == flt.theme)
    if flt.arrondissement:
        stmt = stmt.where(StaffRequest.arrondissement == flt.arrondissement)
    if flt.assignee:
        stmt = stmt.where(StaffRequest.assignee == flt.assignee)
    stmt = stmt.order_by(StaffRequest.priorite_rang, StaffRequest.created_at, StaffRequest.id)
    stmt = stmt.limit(flt.limit).offset(flt.offset)
    with session() as db:
        return list(db.scalars(stmt))


def count_by_status() -> dict[str, int]:
    ensure_storage()
    with session() as db:
        rows = db.execute(select(StaffRequest.status, func.count()).group_by(StaffRequest.status)).all()
    counts = {s: 0 for s in STATUSES}
    counts.update({s: n for s, n in rows})
    return counts


def all_requests() -> list[StaffRequest]:
    ensure_storage()
    with session() as db:
        return list(db.scalars(select(StaffRequest).order_by(StaffRequest.id)))


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
