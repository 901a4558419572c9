"""The scaled path for real: 32 conversations through nginx, instances killed and restarted mid-run, PostgreSQL
restarted. Nothing lost, nothing duplicated, every conversation served by several instances.

Each conversation is a user filling the eligibility form (several turns) and then asking for the team (hand-off
with an e-mail address). Turns go in rounds, all conversations at once:
  phase A — every instance up;
  phase B — rasa-1 and app-1 are SIGKILLed while a round is in flight; the next round is served by the others;
  rasa-1 and app-1 come back (as an orchestrator would restart them);
  phase C — rasa-2 and app-2 are SIGKILLed while a round is in flight; the conversations end on rasa-1/app-1.
So every conversation has turns served by both Rasa instances and both application instances, whatever the
balancing did. A client whose turn failed (502, connection reset, « degraded » reply) does what a careful
widget does: it checks whether its message reached the conversation (Rasa's stored tracker) and sends it again
only if not."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import httpx
import psycopg
import pytest

from parismed.cli_cluster import APP_DB, RASA_DB, Cluster
from parismed.config import PROJECT_ROOT
from tests.support import run_in_rasa_env

pytestmark = pytest.mark.cluster

CONVERSATIONS = 32
ARRONDISSEMENTS = ("18", "19", "20")
TURN_DEADLINE_S = 300
SLOW_TURN_PATIENCE_S = 90  # a turn slower than the relay's 30 s (a saturated instance) is waited for


@dataclass
class Conversation:
    index: int
    sender: str = field(default_factory=lambda: f"cluster-{uuid.uuid4().hex[:12]}")
    last_reply: str = ""
    asked: Counter = field(default_factory=Counter)
    apps: list[str] = field(default_factory=list)
    estimate: str = ""
    handoff_confirmed: bool = False
    failures: list[str] = field(default_factory=list)

    @property
    def arrondissement(self) -> str:
        return ARRONDISSEMENTS[self.index % len(ARRONDISSEMENTS)]

    @property
    def email(self) -> str:
        return f"praticien.{self.index}@example.org"

    @property
    def client_address(self) -> str:
        return f"10.20.{self.index // 250}.{self.index % 250 + 1}"

    def next_message(self) -> str | None:
        """What a user answers to the bot's last message (the form asks only what it still needs)."""
        reply = self.last_reply.lower()
        if not reply:
            return "Je voudrais savoir si je suis éligible à Paris Méd'"
        if self.handoff_confirmed:
            return None
        if self.estimate and "indiquez votre adresse e-mail" in reply:
            self.asked["contact"] += 1
            return self.email
        if self.estimate:
            return "Je voudrais parler à un conseiller de l'équipe"
        for kind, pattern, answer in (
            ("profession", r"quelle est votre profession", "je suis médecin généraliste"),
            ("arrondissement", r"quel arrondissement", f"dans le {self.arrondissement}e"),
            ("nombre", r"combien de professionnels", "nous serons 3 professionnels"),
            ("secteur", r"quel secteur", "secteur 1"),
        ):
            if re.search(pattern, reply):
                self.asked[kind] += 1
                return answer
        raise AssertionError(f"{self.sender}: réponse inattendue du bot : {self.last_reply!r}")

    def record(self, messages: list[dict]) -> None:
        """The bot's messages of one turn (REST channel format)."""
        texts = "\n".join(m.get("text") or "" for m in messages)
        self.last_reply = texts
        card = any((m.get("custom") or {}).get("type") == "estimate_card" for m in messages)
        if not self.estimate and (card or re.search(r"\d[\d\u202f\u00a0 ]* ?€", texts)):
            self.estimate = texts or "(carte d'estimation)"
        elif self.asked["contact"] and "c'est transmis" in texts.lower():
            self.handoff_confirmed = True


class Client:
    def __init__(self, cluster: Cluster, http: httpx.AsyncClient):
        self.cluster = cluster
        self.http = http

    async def tracker_events(self, sender: str) -> list[dict]:
        return await asyncio.to_thread(stored_events, self.cluster, sender)

    async def landed(self, conv: Conversation, text: str, patience: float) -> bool | None:
        """Whether the message reached the stored conversation, waiting up to `patience` seconds for a turn still
        in progress: True (bot replies recorded), False (stored without a reply: an action call was lost),
        None (not there)."""
        until = time.monotonic() + patience
        while True:
            try:
                events = await self.tracker_events(conv.sender)
            except psycopg.OperationalError:
                events = []
            users = [i for i, e in enumerate(events) if e.get("event") == "user" and e.get("text") == text]
            if users:
                after = [e for e in events[users[-1] + 1 :] if e.get("event") == "bot"]
                if after:
                    conv.record([{"text": e.get("text"), "custom": (e.get("data") or {}).get("custom")} for e in after])
                    return True
                return False
            if time.monotonic() > until:
                return None
            await asyncio.sleep(2)

    async def turn(self, conv: Conversation, text: str) -> None:
        """One user turn through nginx. On failure the client does what a careful widget would do with message ids:
        it resends only a message that did not reach the conversation. After a timeout (the relay waits 30 s),
        Rasa may still be working on the turn: the client waits for it before deciding."""
        deadline = time.monotonic() + TURN_DEADLINE_S
        while True:
            patience = 2.0
            try:
                r = await self.http.post(
                    f"{self.cluster.public_url}/api/v1/chat",
                    json={"sender": conv.sender, "message": text},
                    headers={"X-Forwarded-For": conv.client_address},
                    timeout=60,
                )
                # An empty reply is a failure too (an action call lost with its instance): the user repeats.
                if r.status_code == 200 and not r.json().get("degraded") and r.json()["messages"]:
                    conv.apps.append(r.headers.get("x-parismed-instance", "?").split(",")[-1].strip())
                    conv.record(r.json()["messages"])
                    return
                conv.failures.append(f"{r.status_code} {r.text[:80]}")
                if r.status_code == 200 and r.json().get("degraded"):
                    patience = SLOW_TURN_PATIENCE_S
            except httpx.HTTPError as exc:
                conv.failures.append(type(exc).__name__)
                if isinstance(exc, httpx.TimeoutException):
                    patience = SLOW_TURN_PATIENCE_S
            if await self.landed(conv, text, patience):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{conv.sender}: tour « {text} » jamais servi ({conv.failures[-5:]})")
            await asyncio.sleep(1)

    async def round(self, conversations: list[Conversation]) -> int:
        """One turn of every unfinished conversation, all at once; returns how many were sent."""
        todo = [(c, message) for c in conversations if (message := c.next_message())]
        await asyncio.gather(*(self.turn(c, m) for c, m in todo))
        return len(todo)


def stored_events(cluster: Cluster, sender: str) -> list[dict]:
    """A conversation as Rasa stored it (its SQL tracker store in PostgreSQL), oldest event first."""
    with psycopg.connect(cluster.database_url(RASA_DB, "postgresql"), connect_timeout=5) as conn:
        rows = conn.execute("SELECT data FROM events WHERE sender_id = %s ORDER BY id", (sender,)).fetchall()
    return [json.loads(data) for (data,) in rows]


def stored_slots(cluster: Cluster, sender: str) -> dict:
    return {e["name"]: e.get("value") for e in stored_events(cluster, sender) if e.get("event") == "slot"}


def _served_by_rasa(cluster: Cluster) -> dict[str, set[str]]:
    """Which Rasa instance served each conversation's turns, from nginx's log of the Rasa balancer."""
    served: dict[str, set[str]] = defaultdict(set)
    log = cluster.cluster_dir / "nginx" / "rasa-turns.log"
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        entry = json.loads(line)
        if entry["uri"] != "/webhooks/rest/webhook" or entry["status"] != 200 or not entry["body"]:
            continue
        sender = json.loads(entry["body"])["sender"]
        served[sender].add(cluster.instance_of(entry["upstream"].split(",")[-1].strip()))
    return served


def _requests_by_sender(cluster: Cluster) -> dict[str, list[int]]:
    with psycopg.connect(cluster.database_url(APP_DB, "postgresql")) as conn:
        rows = conn.execute("SELECT sender_id, id FROM staff_requests WHERE sender_id IS NOT NULL").fetchall()
    found: dict[str, list[int]] = defaultdict(list)
    for sender, request_id in rows:
        found[sender].append(request_id)
    return found


async def _kill_during_round(cluster: Cluster, client: Client, conversations, victims: list[str]) -> None:
    async def kill_soon():
        await asyncio.sleep(0.8)  # the round's turns are in flight
        for name in victims:
            cluster.kill(name)

    await asyncio.gather(client.round(conversations), kill_soon())


def test_only_public_routes_are_exposed(cluster):
    public = cluster.public_url
    for path in ("/", "/openapi.json", "/docs", "/staff/login"):
        assert httpx.get(public + path, timeout=30).status_code == 200, path
    for path in ("/webhook", "/actions", "/health", "/status", "/version", "/conversations/x/tracker", "/model"):
        assert httpx.get(public + path, timeout=30).status_code == 404, path
    assert httpx.post(public + "/webhooks/rest/webhook", json={"sender": "x", "message": "bonjour"}).status_code == 404
    assert httpx.post(public + "/webhook", json={"next_action": "action_transmettre_equipe"}).status_code == 404


def test_32_conversations_survive_instances_killed_mid_run(cluster):
    conversations = [Conversation(i) for i in range(CONVERSATIONS)]

    async def scenario():
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=100)) as http:
            client = Client(cluster, http)
            # Phase A: all instances up — open the form, first answer.
            for _ in range(2):
                await client.round(conversations)
            # Phase B: rasa-1 and app-1 crash mid-round; one more round on the survivors.
            await _kill_during_round(cluster, client, conversations, ["rasa-1", "app-1"])
            await client.round(conversations)
            cluster.restart("rasa-1", "app-1")
            # Phase C: rasa-2 and app-2 crash mid-round; the conversations end on rasa-1 and app-1.
            await _kill_during_round(cluster, client, conversations, ["rasa-2", "app-2"])
            for _ in range(8):
                if not await client.round(conversations):
                    break

    asyncio.run(scenario())

    unfinished = [c.sender for c in conversations if not (c.estimate and c.handoff_confirmed)]
    assert not unfinished, f"conversations inachevées : {unfinished}"
    # No form state lost: no question asked again once answered, and the stored slots are the user's answers.
    repeated = {c.sender: dict(c.asked) for c in conversations if any(n > 1 for n in c.asked.values())}
    assert not repeated, f"questions reposées (état du formulaire perdu) : {repeated}"

    stored = {c.sender: stored_slots(cluster, c.sender) for c in conversations}
    for c in conversations:
        assert str(stored[c.sender]["arrondissement"]) == c.arrondissement, (c.sender, stored[c.sender])
        assert stored[c.sender]["secteur"], (c.sender, stored[c.sender])
    # Served by several instances: both Rasa (nginx's log) and both applications (response header).
    by_rasa = _served_by_rasa(cluster)
    for c in conversations:
        assert by_rasa[c.sender] >= {"rasa-1", "rasa-2"}, (c.sender, by_rasa[c.sender])
        assert {"app-1", "app-2"} <= set(c.apps), (c.sender, c.apps)
    # Hand-off exactly once per conversation.
    requests = _requests_by_sender(cluster)
    counts = {c.sender: len(requests.get(c.sender, [])) for c in conversations}
    assert all(n == 1 for n in counts.values()), {s: n for s, n in counts.items() if n != 1}
    failed_turns = sum(len(c.failures) for c in conversations)
    print(f"\n{CONVERSATIONS} conversations, tours en échec puis repris : {failed_turns}")


def test_postgresql_restart_loses_no_request_and_needs_no_manual_step(cluster):
    before = _requests_by_sender(cluster)
    cluster.restart("postgres", timeout=60)
    newcomers = [Conversation(100 + i) for i in range(8)]
    for c in newcomers:  # straight to the team, no form
        c.estimate = c.last_reply = "(sans formulaire)"

    async def scenario():
        async with httpx.AsyncClient() as http:
            client = Client(cluster, http)
            for _ in range(4):
                if not await client.round(newcomers):
                    break

    asyncio.run(scenario())
    after = _requests_by_sender(cluster)
    assert {s: ids for s, ids in after.items() if s in before} == before, "demandes perdues au redémarrage"
    counts = {c.sender: len(after.get(c.sender, [])) for c in newcomers}
    assert all(n == 1 for n in counts.values()), counts
    assert all(c.handoff_confirmed for c in newcomers)


def test_the_projects_tracker_store_works_on_postgresql_as_rasas(cluster):
    """The cluster's Rasa instances use endpoints.yml's tracker store (assistant.tracker_store): built from the
    cluster's endpoints file on its PostgreSQL, it writes the rows Rasa's SQL store writes, each store reads the
    other's conversations alike, with fewer queries (tests/cluster/tracker_store_pg_check.py, Rasa's environment)."""
    r = run_in_rasa_env(
        PROJECT_ROOT / "tests" / "cluster" / "tracker_store_pg_check.py",
        "check",
        str(cluster.cluster_dir / "endpoints.yml"),
        env={"PARISMED_TRACKER_STORE_URL": cluster.database_url(RASA_DB, "postgresql")},
        timeout=300,
    )
    # Rasa falls back to an in-memory store, with a mere warning, when the class cannot be imported.
    assert (r["class"], r["backend"]) == ("ParisMedSQLTrackerStore", "postgresql")
    assert r["rows_ours"] == r["rows_rasa"] and all(len(rows) == 24 for rows in r["rows_ours"].values())
    assert r["ours_reads_rasa"] == r["rasa_reads_ours"] == r["rasa_reads_rasa"]
    for latest, full in r["ours_reads_rasa"].values():
        assert len(latest) == 11 and len(full) == 24  # latest session, all sessions
    assert r["queries"]["ours"] < r["queries"]["rasa"]
