"""Rasa's SQL tracker store, with the per-turn database work cut down.

Rasa loads this class by its module path (endpoints.yml, ``tracker_store.type``); it runs in the Rasa
environment (Python 3.10, SQLAlchemy 1.4). Rasa's ``SQLTrackerStore`` runs its queries synchronously on the
server's event loop: while one turn waits for the database, no other conversation advances. Measured per turn
(issue 18, docs/mesures.md), it opened a SQLite connection per query, waited for several fsyncs per commit
(rollback journal: 12 ms median on this machine) and spent most of its CPU building ORM queries: three per
turn (the tracker, then the count of stored events before each of two saves).

What changes, with the same table and the same rows as Rasa's store:

- on a SQLite file, a write-ahead log with ``synchronous=NORMAL``: a commit appends to the log without waiting
  for the disk. A committed turn survives a crash or kill of Rasa (the log is replayed when the file is next
  opened); only a power loss or an operating-system crash may lose the last turns, without corrupting the file.
  Connections are pooled (SQLAlchemy 1.4 opens one per query on a SQLite file). PostgreSQL keeps Rasa's engine;
- the number of stored events of a conversation is remembered on the tracker read at the start of the turn
  (Rasa's lock store lets one turn at a time work on a conversation), so a save writes the new events without
  first counting the stored ones; a tracker this store did not read is counted as Rasa does;
- a tracker with no events is not saved (Rasa saves each new tracker empty, before its first events);
- the queries are SQLAlchemy Core statements built once, run on a connection rather than an ORM session;
- reading a tracker back looks up each event's class in a table built once: Rasa's ``Event.resolve_by_type``
  walks every subclass of ``Event`` for each stored event (0.1 to 0.3 ms an event here, and a conversation
  is read back whole at every turn).
"""

import functools
import json
import logging
from typing import Any, Dict, List, Optional, Text, Type

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

# Per connection (``journal_mode`` is also remembered by the file): SQLite's documented settings for a
# write-ahead log, https://www.sqlite.org/wal.html and https://www.sqlite.org/pragma.html#pragma_synchronous
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")

# The number of this conversation's rows in the store (latest session), as last read or written by this store.
STORED = "_parismed_stored_events"

EVENTS = SQLTrackerStore.SQLEvent.__table__
_SESSION_START = (
    sa.select(sa.func.max(EVENTS.c.timestamp))
    .where(EVENTS.c.sender_id == sa.bindparam("sender_id"), EVENTS.c.type_name == SessionStarted.type_name)
    .scalar_subquery()
)
# Rasa's own selection (SQLTrackerStore._event_query): every event of the sender, or those from the latest
# session start on, in insertion order.
_ALL_SESSIONS = sa.select(EVENTS.c.data).where(EVENTS.c.sender_id == sa.bindparam("sender_id")).order_by(EVENTS.c.id)
_LATEST_SESSION = _ALL_SESSIONS.where(sa.or_(EVENTS.c.timestamp >= _SESSION_START, _SESSION_START.is_(None)))
_COUNT_LATEST_SESSION = (
    sa.select(sa.func.count())
    .select_from(EVENTS)
    .where(EVENTS.c.sender_id == sa.bindparam("sender_id"))
    .where(sa.or_(EVENTS.c.timestamp >= _SESSION_START, _SESSION_START.is_(None)))
)
_INSERT = EVENTS.insert()


def _set_sqlite_pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def is_sqlite_file(url: "sa.engine.URL") -> bool:
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


def sqlite_engine(url: "sa.engine.URL") -> "sa.engine.Engine":
    """An engine on a SQLite file: pooled connections, write-ahead log, ``synchronous=NORMAL``."""
    engine = sa.create_engine(
        url,
        poolclass=sa.pool.QueuePool,
        pool_size=2,
        # Rasa uses the store from its event loop's thread; SQLite accepts a pooled connection moving between
        # threads as long as one thread at a time uses it, which the pool guarantees.
        connect_args={"check_same_thread": False},
    )
    sa.event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


@functools.lru_cache(maxsize=None)
def _event_class(type_name: Text) -> Optional[Type[Event]]:
    return Event.resolve_by_type(type_name)


def deserialise_events(serialised: List[Text]) -> List[Event]:
    """Rasa's ``rasa.shared.core.events.deserialise_events`` on JSON texts, with the class lookup cached."""
    events = []
    for text in serialised:
        parameters = json.loads(text)
        if "event" not in parameters:
            continue
        event_class = _event_class(parameters["event"])
        event = event_class._from_parameters(parameters) if event_class else None
        if event:
            events.append(event)
        else:
            logger.warning(f"Stored event not read back: {text[:200]}")
    return events


def _row(sender_id: Text, data: Dict[Text, Any], type_name: Text) -> Dict[Text, Any]:
    """One ``events`` row, as Rasa's ``SQLTrackerStore.save`` writes it."""
    return {
        "sender_id": sender_id,
        "type_name": type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


class ParisMedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with fewer, cheaper queries per turn and, on SQLite, a write-ahead log."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain=domain, host=host, event_broker=event_broker, **kwargs)
        if is_sqlite_file(self.engine.url):
            url = self.engine.url
            self.engine.dispose()
            self.engine = sqlite_engine(url)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        with self.session_scope() as session:
            ensure_schema_exists(session)  # Rasa checks it for every query; queries here use a connection

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        query = _ALL_SESSIONS if fetch_events_from_all_sessions else _LATEST_SESSION
        with self.engine.connect() as connection:
            rows = connection.execute(query, {"sender_id": sender_id}).scalars().all()
        if not (self.domain and rows):
            logger.debug(f"No stored tracker for sender id '{sender_id}'.")
            return None
        tracker = DialogueStateTracker.from_events(sender_id, deserialise_events(rows), self.domain.slots)
        if not fetch_events_from_all_sessions:
            setattr(tracker, STORED, len(rows))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the tracker's events that are not stored yet (Rasa's ``save``, without its count query)."""
        await self.stream_events(tracker)
        events = list(tracker.events)
        stored: Optional[int] = getattr(tracker, STORED, None)
        if stored is None and not events:
            setattr(tracker, STORED, 0)
            return
        with self.engine.begin() as connection:  # one transaction, committed at the end of the block
            if stored is None:
                stored = connection.execute(_COUNT_LATEST_SESSION, {"sender_id": tracker.sender_id}).scalar_one()
            new: List[Dict[Text, Any]] = [
                _row(tracker.sender_id, event.as_dict(), event.type_name) for event in events[stored:]
            ]
            if new:
                connection.execute(_INSERT, new)
        setattr(tracker, STORED, stored + len(new))
        logger.debug(f"Tracker with sender_id '{tracker.sender_id}' stored to database")
