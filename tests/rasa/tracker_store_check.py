"""Run in the Rasa environment by tests/rasa/test_tracker_store.py: our tracker store against Rasa's.

``check DIR``: the same conversations (three turns, a session restart, a turn after it) go through Rasa's
``SQLTrackerStore`` and through ours, the store named in endpoints.yml, each in its SQLite file; prints the rows
of both files, what each store reads back from the other's file, the queries run by each, and the SQLite
settings. ``write DIR`` saves one conversation then dies by SIGKILL; ``read DIR`` reads it back in a new
process (a crash of Rasa right after a turn)."""

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import sqlalchemy as sa
import yaml
from rasa.core.tracker_store import create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import EventVerbosity
from rasa.utils.endpoints import EndpointConfig

DOMAIN = Domain.load("domain.yml")
CONVERSATIONS = ("alice", "bob")


def ours(db: Path):
    config = yaml.safe_load(Path("endpoints.yml").read_text(encoding="utf-8"))["tracker_store"]
    endpoint = EndpointConfig(url=f"sqlite:///{db}", type=config["type"])
    return create_tracker_store(endpoint, DOMAIN)


def rasas(db: Path):
    return create_tracker_store(EndpointConfig(url=f"sqlite:///{db}", type="SQL"), DOMAIN)


def inner(store):
    return getattr(store, "_tracker_store", store)


def turn(tracker, text, intent, action, t):
    tracker.update(UserUttered(text, {"name": intent, "confidence": 0.9}, timestamp=t))
    tracker.update(ActionExecuted(action, timestamp=t + 0.1))
    tracker.update(BotUttered(f"réponse à {text}", timestamp=t + 0.2))
    tracker.update(ActionExecuted("action_listen", timestamp=t + 0.3))


def session_start(tracker, t):
    tracker.update(ActionExecuted("action_session_start", timestamp=t))
    tracker.update(SessionStarted(timestamp=t + 0.01))
    tracker.update(SlotSet("arrondissement", "75019", timestamp=t + 0.02))
    tracker.update(ActionExecuted("action_listen", timestamp=t + 0.03))


async def converse(store, sender):
    """The calls Rasa's processor makes: get_or_create_tracker then save, once per turn."""
    t = 1_795_000_000.0
    for i, (text, intent, action) in enumerate(
        [("bonjour", "saluer", "utter_saluer"), ("un ERP ?", "question_reglementaire", "action_repondre_guide")]
    ):
        tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
        if not tracker.events:
            session_start(tracker, t)
        turn(tracker, text, intent, action, t + 1 + i)
        await store.save(tracker)
    tracker = await store.get_or_create_tracker(sender, append_action_listen=False)  # the session expired
    session_start(tracker, t + 7200)
    turn(tracker, "merci", "remercier", "utter_de_rien", t + 7201)
    await store.save(tracker)
    tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
    turn(tracker, "au revoir", "au_revoir", "utter_au_revoir", t + 7300)
    await store.save(tracker)


def rows(db: Path):
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        result = conn.execute(
            sa.text("SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id")
        )
        return [list(r) for r in result]


def count_queries(store):
    counter = {"n": 0}

    def count(*_args):
        counter["n"] += 1

    sa.event.listen(inner(store).engine, "before_cursor_execute", count)
    return counter


async def check(folder: Path):
    theirs_db, ours_db = folder / "rasa.db", folder / "ours.db"
    theirs_store, our_store = rasas(theirs_db), ours(ours_db)
    queries = {"rasa": count_queries(theirs_store), "ours": count_queries(our_store)}
    for sender in CONVERSATIONS:
        await converse(theirs_store, sender)
        await converse(our_store, sender)
    cross = {}
    for name, store in (("ours_reads_rasa", ours(theirs_db)), ("rasa_reads_ours", rasas(ours_db))):
        cross[name] = {
            s: [
                (await store.retrieve(s)).current_state(EventVerbosity.ALL),
                (await store.retrieve_full_tracker(s)).current_state(EventVerbosity.ALL),
            ]
            for s in CONVERSATIONS
        }
    engine = inner(our_store).engine
    with engine.connect() as conn:
        pragmas = [conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in ("journal_mode", "synchronous")]
    report = {
        "class": type(inner(our_store)).__name__,
        "pool": type(engine.pool).__name__,
        "pragmas": pragmas,
        "rows_rasa": rows(theirs_db),
        "rows_ours": rows(ours_db),
        "queries": {k: v["n"] for k, v in queries.items()},
        "cross": cross,
    }
    print(json.dumps(report, default=str))


async def write(folder: Path):
    store = ours(folder / "crash.db")
    await converse(store, "crash")
    os.kill(os.getpid(), signal.SIGKILL)


async def read(folder: Path):
    store = ours(folder / "crash.db")
    tracker = await store.retrieve("crash")
    print(json.dumps({"events": [e.as_dict() for e in tracker.events] if tracker else None}, default=str))


if __name__ == "__main__":
    asyncio.run({"check": check, "write": write, "read": read}[sys.argv[1]](Path(sys.argv[2])))
