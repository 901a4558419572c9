"""The request store: one database (SQLite by default, PostgreSQL by URL), a small typed API over it.

The composition root opens it with its URL (``Store(url)`` or ``configure(url)``); nothing here reads settings.
A triage function can be attached (``classifier``): it turns a request's text into a :class:`Triage`; a triage
failure never loses the request.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import create_engine, delete, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from .errors import RequestStoreError, TooManyRequests
from .models import (
    OPEN_STATUSES,
    PRIORITY_RANK,
    SOURCES,
    STATUSES,
    AuditEntry,
    Base,
    LoginThrottle,
    RevokedSession,
    StaffRequest,
    utcnow,
)

log = logging.getLogger(__name__)

MAX_TEXT = 20_000
MAX_CONTACT = 500
MAX_KEY = 200
HANDOFFS_PER_HOUR = 3  # requests one conversation (sender_id) may create per hour
SYSTEM_ACTOR = "système"

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


class Triage(BaseModel):
    """What the automatic triage stores on a request."""

    model_config = ConfigDict(extra="forbid")

    theme: str | None = None
    professions: list[str] = Field(default_factory=list)
    arrondissement: int | None = None
    zone_ars: str | None = None
    priorite: str = "normale"
    priorite_raison: str | None = None
    partenaires: list[dict[str, Any]] = Field(default_factory=list)
    estimate: dict[str, Any] | None = None
    brouillon: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)  # scores, keywords, warnings, guide answer


Classifier = Callable[[str, str], Triage]
"""(texte, source) -> Triage."""


class CreatedRequest(BaseModel):
    id: int
    created: bool  # False when the idempotency key had already been used: nothing was created


class Erasure(BaseModel):
    request_ids: list[int]
    sender_ids: list[str]  # conversations of the erased requests (their Rasa trackers are erased too)


@dataclass
class QueueFilter:
    theme: str | None = None
    arrondissement: int | None = None
    status: str | None = None  # None = open requests (nouvelle + en_cours); "toutes" = all
    assignee: str | None = None
    source: str | None = None
    limit: int = 200
    offset: int = 0


def _to_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


class Store:
    """The application database. Thread-safe; one per URL is enough (see :func:`open_store`)."""

    def __init__(self, url: str, *, classifier: Classifier | None = None, per_sender_per_hour: int = HANDOFFS_PER_HOUR):
        self.url = url
        self.classifier = classifier
        self.per_sender_per_hour = per_sender_per_hour
        self.engine = _make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    # --- plumbing ---------------------------------------------------------------------------------

    def session(self) -> Session:
        """A new ORM session (use it as a context manager)."""
        return self._sessions()

    def upgrade(self) -> None:
        """Apply the Alembic migrations (start-up of the application, the CLI and the tests)."""
        from .schema import upgrade

        upgrade(self.engine)

    def create_all(self) -> None:
        """Create missing tables straight from the models (throwaway test databases; production uses Alembic)."""
        Base.metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _db(self) -> Iterator[Session]:
        with self.session() as db:
            yield db

    # --- requests ---------------------------------------------------------------------------------

    def _triage(self, texte: str, source: str) -> Triage | None:
        if self.classifier is None:
            return None
        try:
            return self.classifier(texte, source)
        except Exception:  # noqa: BLE001 - the triage is a plug-in: whatever it raises, the request is kept
            log.exception("Triage failed for a new %s request", source)
            return None

    def create_request(
        self,
        source: str,
        texte: str,
        contact: str | None = None,
        transcript: list[dict[str, Any]] | None = None,
        sender_id: str | None = None,
        *,
        idempotency_key: str | None = None,
        classify_now: bool = True,
        triage: Triage | None = None,
        created_at: datetime | None = None,
    ) -> CreatedRequest:
        """Store a new request (triaged unless ``classify_now`` is False or ``triage`` is given).

        With an ``idempotency_key``, a second call (retry, replay, concurrent duplicate) creates nothing and
        returns the first request's id with ``created=False``; the database's unique constraint decides races.
        """
        if source not in SOURCES:
            raise RequestStoreError(f"Origine inconnue : {source!r} (attendu : {', '.join(SOURCES)}).")
        texte = (texte or "").strip()[:MAX_TEXT]
        if not texte:
            raise RequestStoreError("La demande est vide.")
        if idempotency_key is not None:
            idempotency_key = idempotency_key[:MAX_KEY]
            existing = self.find_by_key(idempotency_key)
            if existing is not None:
                return CreatedRequest(id=existing, created=False)
        if sender_id and self.per_sender_per_hour:
            self._check_sender_quota(sender_id[:200])
        if triage is None and classify_now:
            triage = self._triage(texte, source)
        req = StaffRequest(
            source=source,
            texte=texte,
            contact=str(contact)[:MAX_CONTACT] if contact else None,
            transcript=transcript,
            sender_id=sender_id[:200] if sender_id else None,
            idempotency_key=idempotency_key,
            status="nouvelle",
        )
        if created_at is not None:
            req.created_at = created_at
        if triage is not None:
            _apply_triage(req, triage)
        with self._db() as db:
            db.add(req)
            try:
                db.flush()
            except IntegrityError:
                db.rollback()
                existing = self.find_by_key(idempotency_key) if idempotency_key else None
                if existing is None:
                    raise
                return CreatedRequest(id=existing, created=False)
            db.add(
                AuditEntry(request_id=req.id, actor=SYSTEM_ACTOR, field="creation", old=None, new=f"source={source}")
            )
            db.commit()
            return CreatedRequest(id=req.id, created=True)

    def _check_sender_quota(self, sender_id: str) -> None:
        since = utcnow() - timedelta(hours=1)
        with self._db() as db:
            recent = db.scalar(
                select(func.count())
                .select_from(StaffRequest)
                .where(StaffRequest.sender_id == sender_id, StaffRequest.created_at >= since)
            )
        if (recent or 0) >= self.per_sender_per_hour:
            raise TooManyRequests(
                "Cette conversation a déjà transmis plusieurs demandes à l'équipe dans l'heure : "
                "elles seront traitées ensemble. Réessayez plus tard si besoin."
            )

    def find_by_key(self, idempotency_key: str) -> int | None:
        with self._db() as db:
            return db.scalar(select(StaffRequest.id).where(StaffRequest.idempotency_key == idempotency_key[:MAX_KEY]))

    def add_precision(self, idempotency_key: str, precision: str, actor: str = "usager") -> int | None:
        """Append what the sender added after the hand-off (« c'est pour un projet de centre de santé ») to the
        request created with ``idempotency_key``; one audit entry, with the length only (the words stay in the
        request, which retention and erasure delete). Returns the request's id, None if there is none."""
        precision = (precision or "").strip()
        if not precision:
            raise RequestStoreError("La précision est vide.")
        with self._db() as db:
            req = db.scalar(select(StaffRequest).where(StaffRequest.idempotency_key == idempotency_key[:MAX_KEY]))
            if req is None:
                return None
            req.texte = f"{req.texte}\n\nPrécision ajoutée ensuite :\n- {precision}"[:MAX_TEXT]
            db.add(
                AuditEntry(
                    request_id=req.id, actor=actor, field="precision", old=None, new=f"{len(precision)} caractères"
                )
            )
            db.commit()
            return req.id

    def find_duplicate(self, source: str, texte: str, contact: str | None) -> int | None:
        """Id of an existing request with the same source, text and contact (re-runnable imports)."""
        with self._db() as db:
            stmt = select(StaffRequest.id).where(
                StaffRequest.source == source, StaffRequest.texte == texte.strip()[:MAX_TEXT]
            )
            stmt = (
                stmt.where(StaffRequest.contact == contact) if contact else stmt.where(StaffRequest.contact.is_(None))
            )
            return db.scalar(stmt.limit(1))

    def get_request(self, request_id: int) -> StaffRequest:
        """The request with its audit trail loaded."""
        with self._db() as db:
            req = _get(db, request_id)
            _ = list(req.audit)
            return req

    def apply_triage(self, request_id: int, triage: Triage, actor: str = SYSTEM_ACTOR) -> StaffRequest:
        """Store a (re)triage: one audit entry per changed field (or one « triage » entry for the first one)."""
        with self._db() as db:
            req = _get(db, request_id)
            first = req.theme is None and req.classification is None
            before = {f: getattr(req, f) for f in AUDITED_FIELDS}
            _apply_triage(req, triage)
            if first:
                db.add(
                    AuditEntry(
                        request_id=req.id,
                        actor=actor,
                        field="triage",
                        new=f"theme={req.theme}, priorite={req.priorite}",
                    )
                )
            else:
                for f in AUDITED_FIELDS:
                    if before[f] != getattr(req, f):
                        db.add(
                            AuditEntry(
                                request_id=req.id,
                                actor=actor,
                                field=f,
                                old=_to_text(before[f]),
                                new=_to_text(getattr(req, f)),
                            )
                        )
            db.commit()
            db.refresh(req)
            return req

    def update_request(self, request_id: int, actor: str, **changes: Any) -> StaffRequest:
        """Apply changes and record one audit entry per changed field."""
        unknown = set(changes) - set(AUDITED_FIELDS)
        if unknown:
            raise RequestStoreError(f"Champ non modifiable : {', '.join(sorted(unknown))}.")
        if "status" in changes and changes["status"] not in STATUSES:
            raise RequestStoreError(f"Statut inconnu : {changes['status']!r}.")
        if "priorite" in changes and changes["priorite"] not in PRIORITY_RANK:
            raise RequestStoreError(f"Priorité inconnue : {changes['priorite']!r}.")
        arr = changes.get("arrondissement")
        if arr is not None and not 1 <= int(arr) <= 20:
            raise RequestStoreError("L'arrondissement doit être compris entre 1 et 20.")
        with self._db() as db:
            req = _get(db, request_id)
            _apply_changes(db, req, actor, changes, utcnow())
            db.commit()
            db.refresh(req)
            _ = list(req.audit)
            return req

    def bulk_update_status(self, request_ids: list[int], actor: str, status: str) -> int:
        """Set the status of several requests at once (one audit entry each); returns how many changed."""
        if status not in STATUSES:
            raise RequestStoreError(f"Statut inconnu : {status!r}.")
        changed = 0
        with self._db() as db:
            now = utcnow()
            for req in db.scalars(select(StaffRequest).where(StaffRequest.id.in_(request_ids))):
                if req.status != status:
                    _apply_changes(db, req, actor, {"status": status}, now)
                    changed += 1
            db.commit()
        return changed

    def add_audit(self, actor: str, field: str, new: str | None = None, *, request_id: int | None = None) -> None:
        """An audit entry not tied to a field change (exports, erasures, purges)."""
        with self._db() as db:
            db.add(AuditEntry(request_id=request_id, actor=actor, field=field[:50], new=new))
            db.commit()

    def list_requests(self, flt: QueueFilter | None = None) -> list[StaffRequest]:
        """Queue order: priority (haute first) then date (oldest first)."""
        flt = flt or QueueFilter()
        stmt = _filtered(select(StaffRequest), flt)
        stmt = stmt.order_by(StaffRequest.priorite_rang, StaffRequest.created_at, StaffRequest.id)
        stmt = stmt.limit(flt.limit).offset(flt.offset)
        with self._db() as db:
            return list(db.scalars(stmt))

    def count_requests(self, flt: QueueFilter | None = None) -> int:
        stmt = _filtered(select(func.count()).select_from(StaffRequest), flt or QueueFilter())
        with self._db() as db:
            return int(db.scalar(stmt) or 0)

    def count_by_status(self) -> dict[str, int]:
        with self._db() as db:
            rows = db.execute(select(StaffRequest.status, func.count()).group_by(StaffRequest.status)).all()
        counts = dict.fromkeys(STATUSES, 0)
        counts.update({s: n for s, n in rows})
        return counts

    def all_requests(self) -> list[StaffRequest]:
        with self._db() as db:
            return list(db.scalars(select(StaffRequest).order_by(StaffRequest.id)))

    # --- retention and erasure ----------------------------------------------------------------------

    def purge(self, cutoff: datetime, actor: str = SYSTEM_ACTOR) -> dict[str, int]:
        """Delete what is older than ``cutoff``: requests (with their transcript and audit trail), audit rows,
        login throttle records and expired revoked sessions. Returns the counts; one audit row records it."""
        counts: dict[str, int] = {}
        with self._db() as db:
            old_ids = list(db.scalars(select(StaffRequest.id).where(StaffRequest.created_at < cutoff)))
            counts["demandes"] = len(old_ids)
            counts["journal"] = 0
            for chunk in _chunks(old_ids, 500):
                counts["journal"] += _rowcount(db.execute(delete(AuditEntry).where(AuditEntry.request_id.in_(chunk))))
                db.execute(delete(StaffRequest).where(StaffRequest.id.in_(chunk)))
            counts["journal"] += _rowcount(db.execute(delete(AuditEntry).where(AuditEntry.at < cutoff)))
            counts["connexions"] = _rowcount(
                db.execute(
                    delete(LoginThrottle).where(
                        (LoginThrottle.last_failure_at < cutoff) | LoginThrottle.last_failure_at.is_(None)
                    )
                )
            )
            counts["sessions_revoquees"] = _rowcount(
                db.execute(delete(RevokedSession).where(RevokedSession.expires_at < utcnow()))
            )
            if any(counts.values()):
                summary = ", ".join(f"{k}={v}" for k, v in counts.items())
                db.add(AuditEntry(actor=actor, field="purge", new=f"avant {cutoff:%Y-%m-%d} : {summary}"))
            db.commit()
        return counts

    def erase_contact(self, address: str, actor: str) -> Erasure:
        """Delete every request whose contact is ``address`` (case-insensitive), with transcript and audit trail.

        Returns the ids deleted and their conversations' sender ids (so the caller can erase the Rasa trackers);
        one audit row, without the address, records the erasure.
        """
        needle = address.strip().lower()
        if "@" not in needle:
            raise RequestStoreError("Indiquez une adresse e-mail complète.")
        with self._db() as db:
            rows = db.execute(
                select(StaffRequest.id, StaffRequest.contact, StaffRequest.sender_id).where(
                    StaffRequest.contact.is_not(None)
                )
            )
            matched = [(rid, sender) for rid, contact, sender in rows if contact and _contact_matches(contact, needle)]
            ids = [rid for rid, _ in matched]
            for chunk in _chunks(ids, 500):
                db.execute(delete(AuditEntry).where(AuditEntry.request_id.in_(chunk)))
                db.execute(delete(StaffRequest).where(StaffRequest.id.in_(chunk)))
            db.add(AuditEntry(actor=actor, field="effacement", new=f"{len(ids)} demande(s) effacée(s) : {ids}"))
            db.commit()
        return Erasure(request_ids=ids, sender_ids=sorted({s for _, s in matched if s}))

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            return True
        except SQLAlchemyError:
            return False


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _rowcount(result: Any) -> int:
    return int(result.rowcount or 0)


_ADDRESS = re.compile(r"[^\s<>(),;\"']+@[^\s<>(),;\"']+")


def _contact_matches(contact: str, needle: str) -> bool:
    """The contact holds the address (« Nom <adresse> », the bare address, or a phone and an address)."""
    return any(found.lower().strip(".") == needle for found in _ADDRESS.findall(contact))


def _filtered(stmt: Any, flt: QueueFilter) -> Any:
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
    if flt.source:
        stmt = stmt.where(StaffRequest.source == flt.source)
    return stmt


def _get(db: Session, request_id: int) -> StaffRequest:
    req = db.get(StaffRequest, request_id)
    if req is None:
        raise RequestStoreError(f"Demande n° {request_id} introuvable.")
    return req


def _apply_triage(req: StaffRequest, triage: Triage) -> None:
    req.theme = triage.theme
    req.professions = list(triage.professions)
    req.arrondissement = triage.arrondissement
    req.zone_ars = triage.zone_ars
    req.priorite = triage.priorite if triage.priorite in PRIORITY_RANK else "normale"
    req.priorite_rang = PRIORITY_RANK[req.priorite]
    req.priorite_raison = triage.priorite_raison
    req.partenaires = list(triage.partenaires)
    req.estimate = triage.estimate
    req.brouillon = triage.brouillon
    req.classification = dict(triage.details)


def _apply_changes(db: Session, req: StaffRequest, actor: str, changes: dict[str, Any], now: datetime) -> None:
    for field, new in changes.items():
        old = getattr(req, field)
        if old == new:
            continue
        setattr(req, field, new)
        db.add(AuditEntry(request_id=req.id, actor=actor, field=field, old=_to_text(old), new=_to_text(new), at=now))
        if field == "priorite":
            req.priorite_rang = PRIORITY_RANK[new]
        if field == "status":
            if new == "close" and req.closed_at is None:
                req.closed_at = now
            if new in ("repondue", "close") and req.reponse and req.answered_at is None:
                req.answered_at = now


# --- one store per URL, and the default one set by the composition root ---------------------------

_stores: dict[str, Store] = {}
_default: Store | None = None
_lock = threading.Lock()


def open_store(url: str) -> Store:
    """The process's store for ``url`` (created on first use)."""
    with _lock:
        store = _stores.get(url)
        if store is None:
            store = _stores[url] = Store(url)
        return store


def configure(url: str, *, classifier: Classifier | None = None) -> Store:
    """Set the default store (called by the composition root at start-up) and return it."""
    global _default
    store = open_store(url)
    if classifier is not None:
        store.classifier = classifier
    _default = store
    return store


def get_store() -> Store:
    if _default is None:
        raise RequestStoreError("La base des demandes n'est pas configurée.")
    return _default


def create_request(
    source: str,
    texte: str,
    contact: str | None = None,
    transcript: list[dict[str, Any]] | None = None,
    sender_id: str | None = None,
    *,
    idempotency_key: str | None = None,
    classify_now: bool = True,
    triage: Triage | None = None,
    created_at: datetime | None = None,
) -> CreatedRequest:
    """:meth:`Store.create_request` on the default store."""
    return get_store().create_request(
        source,
        texte,
        contact,
        transcript,
        sender_id,
        idempotency_key=idempotency_key,
        classify_now=classify_now,
        triage=triage,
        created_at=created_at,
    )


def dispose_all() -> None:
    """Close every store (tests switching databases)."""
    global _default
    with _lock:
        for store in _stores.values():
            store.dispose()
        _stores.clear()
        _default = None
