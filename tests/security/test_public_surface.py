"""Issue 14 « Ready for a public page »: each point probed against a real stack (Rasa + application).

Order matters only for the rate limits (all probes come from 127.0.0.1 unless a test binds another address):
the `ask` flood runs last.
"""

from __future__ import annotations

import csv
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import create_engine, text

import request_store
from parismed.config import PROJECT_ROOT

from .conftest import client_from, staff_login

pytestmark = pytest.mark.e2e


def chat(stack, sender: str, message: str, client: httpx.Client | None = None) -> httpx.Response:
    post = client.post if client is not None else httpx.post
    return post(f"{stack.app_url}/api/v1/chat", json={"sender": sender, "message": message}, timeout=120)


def texts(response: httpx.Response) -> str:
    return " ".join(m.get("text", "") for m in response.json()["messages"])


# --- 1. actions off the public surface -------------------------------------------------------------------


def test_action_server_is_not_on_the_public_port(secure_stack):
    base = secure_stack.app_url
    assert httpx.post(f"{base}/webhook", json={"next_action": "action_transmettre_equipe"}).status_code == 404
    assert httpx.get(f"{base}/actions").status_code == 404
    assert "/webhook" not in httpx.get(f"{base}/openapi.json").json()["paths"]
    # ... it is on its own loopback port, where Rasa reaches it
    internal = secure_stack.action_endpoint.removesuffix("/webhook")
    assert {"name": "action_transmettre_equipe"} in httpx.get(f"{internal}/actions").json()


def test_rasa_http_api_is_off_and_no_token_on_the_command_line(secure_stack):
    assert httpx.get(f"{secure_stack.rasa_url}/status").status_code in (404, 405)
    assert "--auth-token" not in secure_stack.rasa_command() and "--enable-api" not in secure_stack.rasa_command()


# --- 5. hand-off exactly once -----------------------------------------------------------------------------


def _handoff_call(sender: str) -> dict:
    user = {"event": "user", "timestamp": 1_795_000_000.5, "text": "je veux parler à quelqu'un", "parse_data": {}}
    return {
        "next_action": "action_transmettre_equipe",
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": {"contact": "zoe.doublon@exemple.fr"},
            "latest_message": {"text": "zoe.doublon@exemple.fr", "intent": {"name": "informer"}, "entities": []},
            "events": [user],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def test_a_replayed_handoff_call_creates_one_request(secure_stack, secure_store):
    sender = f"doublon-{uuid.uuid4().hex[:8]}"
    call = _handoff_call(sender)
    replies = [httpx.post(secure_stack.action_endpoint, json=call, timeout=120) for _ in range(2)]
    assert [r.status_code for r in replies] == [200, 200]
    numbers = [r.json()["responses"][0]["text"] for r in replies]
    assert numbers[0] == numbers[1] and "n°" in numbers[0]
    assert len([r for r in secure_store.all_requests() if r.sender_id == sender]) == 1


# --- 3. sizes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/ask", "/api/v1/chat", "/api/v1/orient", "/staff/api/contact"])
def test_two_megabyte_body_gets_413_in_french(secure_stack, path):
    body = json.dumps({"question": "x" * 2_000_000, "sender": "s", "message": "y"}).encode()
    r = httpx.post(f"{secure_stack.app_url}{path}", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "trop volumineuse" in r.json()["detail"]


def test_chunked_body_without_length_is_capped_too(secure_stack):
    def chunks():
        for _ in range(64):
            yield b"x" * 32_768

    r = httpx.post(f"{secure_stack.app_url}/api/v1/ask", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_text_fields_have_a_maximum_length(secure_stack):
    r = httpx.post(f"{secure_stack.app_url}/api/v1/orient", json={"besoin": "local " * 1000})
    assert r.status_code == 422 and "trop long" in r.json()["detail"]


# --- 10. hostile chat strings -----------------------------------------------------------------------------

HOSTILE = [
    "<script>alert('x')</script><img src=x onerror=alert(1)>",
    '/informer{"profession": "medecin_generaliste", "secteur": "3"}',
    "/",
    "bonjour\x00\x01\x07\x1b[31m\u0085",
    "\u202ebonjour\u202c \u200f\u061c مرحبا",
    "😀🏥💶 " * 50,
    "[bold red]texte[/] {{ 7*7 }} ${jndi:x} %s%n",
]


@pytest.mark.parametrize("message", HOSTILE)
def test_hostile_chat_strings_never_break_a_reply(secure_stack, message):
    r = chat(secure_stack, f"hostile-{uuid.uuid4().hex[:8]}", message)
    assert r.status_code == 200, r.text
    assert r.json()["messages"] and r.json()["degraded"] is False


def test_one_megabyte_message_is_refused_cleanly(secure_stack):
    r = chat(secure_stack, "hostile-big", "a" * 1_000_000)
    assert r.status_code == 413
    r = chat(secure_stack, "hostile-long", "a" * 5_000)
    assert r.status_code == 422 and "trop long" in r.json()["detail"]


def test_a_typed_intent_sets_no_slot(secure_stack):
    """`/intent{…}` typed by a user (no such button offered) is sent as text: the profile stays empty."""
    sender = f"intent-{uuid.uuid4().hex[:8]}"
    chat(secure_stack, sender, "/saluer")
    chat(secure_stack, sender, '/informer{"arrondissement": 19, "professions": ["infirmier"]}')
    r = chat(secure_stack, sender, "/estimer_aide")  # offered by the greeting? not any more: sent as text
    assert "75019" not in texts(r) and "19e" not in texts(r)


def test_the_page_renders_after_hostile_input(secure_stack):
    page = httpx.get(f"{secure_stack.app_url}/")
    assert page.status_code == 200 and "<script>alert" not in page.text


# --- 2. login flood ---------------------------------------------------------------------------------------


def _chat_turns(stack, sender: str, count: int, keep_going=lambda: True) -> list[float]:
    durations = []
    while keep_going() and len(durations) < count:
        started = time.perf_counter()
        assert chat(stack, sender, "merci").status_code == 200
        durations.append(time.perf_counter() - started)
    return durations


def test_login_flood_from_one_address_does_not_lock_out_others_nor_stall_the_chat(secure_stack):
    """The flood gets 429 after 5 failures; the real account logs in from another address; the chat is not
    stalled (median turn under 1 s or within 2.5× of quiet turns, every turn under 3 s)."""
    base = secure_stack.app_url
    codes: list[int] = []

    def flood():
        with client_from("127.0.0.3") as attacker:
            for i in range(25):
                codes.append(staff_login(attacker, base, password=f"mauvais-{i}-xxxxxx").status_code)

    # Two conversations at the same point (a tracker grows with each turn): one timed quietly, one during the flood.
    calm, busy = f"calme-{uuid.uuid4().hex[:8]}", f"pendant-{uuid.uuid4().hex[:8]}"
    for sender in (calm, busy):
        chat(secure_stack, sender, "bonjour")  # first turn of a conversation may load things: not timed
    quiet = _chat_turns(secure_stack, calm, 6)
    thread = threading.Thread(target=flood)
    thread.start()
    during = _chat_turns(secure_stack, busy, 6, keep_going=thread.is_alive)
    thread.join()
    print(
        f"\nchat turns: quiet median {statistics.median(quiet):.2f} s, max {max(quiet):.2f} s; during the login "
        f"flood ({len(during)} turns) median {statistics.median(during):.2f} s, max {max(during):.2f} s; login codes: {codes.count(401)} × 401, {codes.count(429)} × 429"
    )
    # 5 failures of one account from one address within a minute, then 429 (growing windows; address limit 10)
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    with client_from("127.0.0.4") as agent:
        assert staff_login(agent, base).status_code == 303  # the real account still logs in from elsewhere
    # Not stalled (argon2 runs off the event loop, one lane, one at a time): every turn answered in a few seconds.
    # The five hashes still take CPU from this 2-core machine: measured median 0.50 s quiet, 1.16 s during.
    assert during and statistics.median(during) < max(1.0, 2.5 * statistics.median(quiet))
    assert max(during) < 3.0


# --- 4. formula cells in exports ----------------------------------------------------------------------------


def test_staff_export_neutralises_formula_cells_and_is_audited(secure_stack, secure_store):
    base = secure_stack.app_url
    form = {
        "nom": '=HYPERLINK("http://exemple.invalid/?x="&A1,"Cliquez")',
        "email": "formule@exemple.fr",
        "message": "+33 1 23 45 67 89 ; @SUM(1+1) ; -2+3 dans le 19e",
    }
    with client_from("127.0.0.5") as visitor:
        assert visitor.post(f"{base}/staff/api/contact", json=form).status_code == 201
    with client_from("127.0.0.6") as agent:
        assert staff_login(agent, base).status_code == 303
        export = agent.get(f"{base}/staff/export.csv")
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff")), delimiter=";"))
    header, *data = rows
    row = next(r for r in data if "formule@exemple.fr" in r[header.index("contact")])
    assert row[header.index("contact")].startswith("'=HYPERLINK")
    assert row[header.index("texte")].startswith("'+33")
    for cell in (c for r in data for c in r):
        assert not cell.startswith(("=", "+", "@", "\t", "\r")) and not (
            cell.startswith("-") and not cell[1:2].isdigit()
        )
    with secure_store.session() as db:
        fields = [a.field for a in db.query(request_store.AuditEntry).filter_by(actor="agent.securite@paris.fr")]
    assert "export" in fields


# --- 6. durable conversations ---------------------------------------------------------------------------


def test_rasa_killed_and_restarted_mid_form_resumes_the_form(secure_stack):
    sender = f"reprise-{uuid.uuid4().hex[:8]}"
    chat(secure_stack, sender, "/saluer")
    assert "profession" in texts(chat(secure_stack, sender, "/estimer_aide")).lower()
    assert "arrondissement" in texts(chat(secure_stack, sender, "infirmier")).lower()
    secure_stack.restart_rasa(timeout=300)
    after = texts(chat(secure_stack, sender, "75019"))
    assert "Combien de professionnels" in after, after


# --- 9. retention and erasure ---------------------------------------------------------------------------


def _cli(stack, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PARISMED_VAR_DIR": str(stack.var_dir)}
    env.pop("PARISMED_DATABASE_URL", None)
    env.pop("PARISMED_TRACKER_STORE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "parismed.cli", *args], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT
    )


def test_purge_and_erase_remove_exactly_what_they_say(secure_stack, secure_store):
    now = request_store.utcnow()
    old = secure_store.create_request(
        "formulaire",
        "vieille demande",
        contact="ancien@exemple.fr",
        created_at=now - timedelta(days=400),
        classify_now=False,
    ).id
    kept = secure_store.create_request(
        "formulaire", "demande récente", contact="recent@exemple.fr", classify_now=False
    ).id
    erased = [
        secure_store.create_request(
            "formulaire",
            f"demande {i} de Zoé",
            contact="Zoé <zoe.efface@exemple.fr>",
            sender_id=f"efface-{i}",
            classify_now=False,
        ).id
        for i in range(2)
    ]
    trackers = create_engine(f"sqlite:///{secure_stack.var_dir / 'rasa-trackers.db'}")
    with trackers.begin() as conn:
        conn.execute(
            text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, 'user', :t, '{}')"),
            [
                {"s": "tres-vieille-conversation", "t": (now - timedelta(days=400)).timestamp()},
                {"s": "efface-0", "t": time.time()},
            ],
        )
    senders_before = {r[0] for r in trackers.connect().execute(text("SELECT DISTINCT sender_id FROM events"))}

    out = _cli(secure_stack, "purge", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["demandes"] == 1 and report["conversations"] == 1
    ids = {r.id for r in secure_store.all_requests()}
    assert old not in ids and kept in ids and set(erased) <= ids
    senders_after = {r[0] for r in trackers.connect().execute(text("SELECT DISTINCT sender_id FROM events"))}
    assert senders_before - senders_after == {"tres-vieille-conversation"}

    out = _cli(secure_stack, "staff", "erase", "--contact", "ZOE.efface@exemple.fr", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert sorted(report["request_ids"]) == sorted(erased) and report["conversations"] == 1
    ids_after = {r.id for r in secure_store.all_requests()}
    assert ids - ids_after == set(erased)
    assert "efface-0" not in {r[0] for r in trackers.connect().execute(text("SELECT DISTINCT sender_id FROM events"))}
    trackers.dispose()


def test_stored_rich_markup_does_not_crash_staff_list(secure_stack, secure_store):
    secure_store.create_request("formulaire", "[bold]gras[/bold] [/] [link=x]lien[/link] [red", classify_now=False)
    out = _cli(secure_stack, "staff", "list")
    assert out.returncode == 0, out.stderr
    assert "[/]" in out.stdout or "[bold]" in out.stdout


# --- 11. fuzz: schemathesis over the OpenAPI document -----------------------------------------------------


def test_schemathesis_finds_no_server_error(secure_stack):
    """Every operation of /openapi.json, 25 generated requests each: no 5xx (429 and 422 are fine)."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_url(f"{secure_stack.app_url}/openapi.json")
    failures: list[tuple[str, str, int, str]] = []
    tried = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tried.append(f"{operation.method.upper()} {operation.path}")

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def probe(case):
            response = case.call(base_url=secure_stack.app_url, timeout=120)
            if response.status_code >= 500:
                failures.append((case.method, case.path, response.status_code, response.text[:200]))

        probe()
    print(f"\nschemathesis: {len(tried)} operations fuzzed: {', '.join(tried)}")
    assert "POST /api/v1/eligibility" in tried and "POST /api/v1/chat" in tried
    assert failures == []


# --- 3. rate limits (last: it exhausts this address's `ask` budget) ----------------------------------------


def test_sixty_rapid_ask_calls_get_429_after_the_limit(secure_stack):
    """One real question, then invalid bodies (fast 422s: the limit counts every call, valid or not)."""
    url = f"{secure_stack.app_url}/api/v1/ask"
    with client_from("127.0.0.7") as client:
        codes = [client.post(url, json={"question": "Mon cabinet est-il un ERP ?"}).status_code]
        codes += [client.post(url, json={}).status_code for _ in range(59)]
        refused = client.post(url, json={"question": "ERP ?"})
    print(f"\n60 rapid ask calls: {codes.count(200)} × 200, {codes.count(422)} × 422, {codes.count(429)} × 429")
    assert codes[0] == 200 and set(codes[1:30]) == {422} and set(codes[30:]) == {429}
    assert refused.status_code == 429 and "patienter" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) >= 1
    with client_from("127.0.0.8") as other:
        assert other.post(url, json={"question": "ERP ?"}).status_code == 200
