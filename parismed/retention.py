"""Retention and erasure: what the privacy notice promises (kept 12 months, erased on request).

``purge`` deletes, past ``PARISMED_RETENTION_MONTHS``: staff requests with their transcripts and audit trails,
audit rows, login records, and Rasa's conversation trackers (SQL tracker store). The application runs it once
a day; ``parismed purge`` runs it by hand. ``erase_contact`` deletes one person's requests and conversations.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

import request_store
from parismed.config import Settings

log = logging.getLogger(__name__)
DAY = 24 * 3600
FIRST_RUN_DELAY = 300  # seconds after start-up: not while the models load


class PurgeReport(BaseModel):
    cutoff: datetime
    counts: dict[str, int]


class ErasureReport(BaseModel):
    request_ids: list[int]
    conversations: int


def retention_cutoff(months: int, now: datetime | None = None) -> datetime:
    """The date before which data goes: ``months`` months of 30.44 days before ``now``."""
    return (now or request_store.utcnow()) - timedelta(days=round(months * 365.25 / 12))


def _tracker_engine(settings: Settings) -> Engine:
    return create_engine(settings.tracker_store_sqlalchemy_url)


def purge_trackers(settings: Settings, cutoff: datetime) -> int:
    """Delete the Rasa conversations whose last event is older than ``cutoff``; returns how many."""
    engine = _tracker_engine(settings)
    try:
        with engine.begin() as conn:
            if "events" not in inspect(conn).get_table_names():
                return 0
            stale = [
                row[0]
                for row in conn.execute(
                    text("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :t"),
                    {"t": cutoff.timestamp()},
                )
            ]
            for sender in stale:
                conn.execute(text("DELETE FROM events WHERE sender_id = :s"), {"s": sender})
            return len(stale)
    finally:
        engine.dispose()


def erase_trackers(settings: Settings, sender_ids: list[str]) -> int:
    if not sender_ids:
        return 0
    engine = _tracker_engine(settings)
    try:
        with engine.begin() as conn:
            if "events" not in inspect(conn).get_table_names():
                return 0
            erased = 0
            for sender in sender_ids:
                result = conn.execute(text("DELETE FROM events WHERE sender_id = :s"), {"s": sender})
                erased += 1 if result.rowcount else 0
            return erased
    finally:
        engine.dispose()


def purge(settings: Settings, store: request_store.Store, now: datetime | None = None) -> PurgeReport:
    cutoff = retention_cutoff(settings.retention_months, now)
    counts = store.purge(cutoff)
    counts["conversations"] = purge_trackers(settings, cutoff)
    return PurgeReport(cutoff=cutoff, counts=counts)


def erase_contact(settings: Settings, store: request_store.Store, address: str, actor: str) -> ErasureReport:
    erasure = store.erase_contact(address, actor)
    return ErasureReport(request_ids=erasure.request_ids, conversations=erase_trackers(settings, erasure.sender_ids))


async def purge_daily(settings: Settings) -> None:
    """Background task of the application: purge a few minutes after start-up, then every day."""
    await asyncio.sleep(FIRST_RUN_DELAY)
    while True:
        try:
            report = await asyncio.to_thread(purge, settings, request_store.get_store())
            log.info("Daily purge before %s: %s", report.cutoff.date(), report.counts)
        except (SQLAlchemyError, request_store.RequestStoreError):
            log.exception("Daily purge failed")
        await asyncio.sleep(DAY)
