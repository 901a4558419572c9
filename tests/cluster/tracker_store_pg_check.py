"""Run in the Rasa environment by tests/cluster/test_cluster.py: the tracker store of the cluster's endpoints file
(``tracker_store`` of endpoints.yml, URL from PARISMED_TRACKER_STORE_URL) on the cluster's PostgreSQL, against
Rasa's ``SQLTrackerStore`` on the same database.

``check ENDPOINTS``: the conversations of tests/rasa/tracker_store_check.py (three turns, a session restart, a turn
after it) go through both stores under senders of their own; prints the class and database of the store Rasa
builds from the file, the rows each wrote (sender aside), what each store reads back from the other's
conversations and the queries each ran."""

import asyncio
import json
import os
import sys
import uuid

import sqlalchemy as sa
from rasa.core.tracker_store import create_tracker_store
from rasa.shared.core.trackers import EventVerbosity
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from tests.rasa.tracker_store_check import CONVERSATIONS, DOMAIN, converse, count_queries, inner


def rows(engine, senders):
    query = sa.text(
        "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events "
        "WHERE sender_id = :sender ORDER BY id"
    )
    with engine.connect() as conn:
        return {s: [list(r)[1:] for r in conn.execute(query, {"sender": senders[s]})] for s in CONVERSATIONS}


async def state(store, sender):
    latest, full = await store.retrieve(sender), await store.retrieve_full_tracker(sender)
    return [t.current_state(EventVerbosity.ALL)["events"] for t in (latest, full)]


async def check(endpoints: str):
    ours = create_tracker_store(read_endpoint_config(endpoints, "tracker_store"), DOMAIN)
    rasas = create_tracker_store(EndpointConfig(url=os.environ["PARISMED_TRACKER_STORE_URL"], type="SQL"), DOMAIN)
    run = uuid.uuid4().hex[:8]
    senders = {
        "ours": {s: f"pg-ours-{run}-{s}" for s in CONVERSATIONS},
        "rasa": {s: f"pg-rasa-{run}-{s}" for s in CONVERSATIONS},
    }
    queries = {"ours": count_queries(ours), "rasa": count_queries(rasas)}
    for s in CONVERSATIONS:
        await converse(ours, senders["ours"][s])
        await converse(rasas, senders["rasa"][s])
    report = {
        "class": type(inner(ours)).__name__,
        "backend": inner(ours).engine.url.get_backend_name(),
        "queries": {k: v["n"] for k, v in queries.items()},
        "rows_ours": rows(inner(ours).engine, senders["ours"]),
        "rows_rasa": rows(inner(rasas).engine, senders["rasa"]),
        "ours_reads_rasa": {s: await state(ours, senders["rasa"][s]) for s in CONVERSATIONS},
        "rasa_reads_ours": {s: await state(rasas, senders["ours"][s]) for s in CONVERSATIONS},
        "rasa_reads_rasa": {s: await state(rasas, senders["rasa"][s]) for s in CONVERSATIONS},
    }
    print(json.dumps(report, default=str))


if __name__ == "__main__":
    asyncio.run({"check": check}[sys.argv[1]](sys.argv[2]))
