"""The chat relay with a fake Rasa: only offered buttons, failover, and the hand-off kept when actions are down."""

from __future__ import annotations

import asyncio
import json

import httpx

from channels.api.relay import ACTIONS_DOWN, RasaRelay, RelayConfig, as_text, checked_message


def run(coro):
    return asyncio.run(coro)


class FakeRasa:
    """Answers the REST channel; records what it received; can refuse connections or answer nothing."""

    def __init__(self, replies=None, refuse=(), actions_up=True):
        self.received: list[tuple[str, dict]] = []
        self.replies = replies or {}
        self.refuse = set(refuse)
        self.actions_up = actions_up

    def handler(self, request: httpx.Request) -> httpx.Response:
        host = f"{request.url.scheme}://{request.url.host}:{request.url.port}"
        if host in self.refuse:
            raise httpx.ConnectError("refused", request=request)
        if request.url.path == "/health":
            if not self.actions_up:
                raise httpx.ConnectError("refused", request=request)
            return httpx.Response(200, json={"status": "ok"})
        body = json.loads(request.content)
        self.received.append((host, body))
        return httpx.Response(200, json=self.replies.get(body["message"], [{"text": "ok"}]))


def relay_for(fake: FakeRasa, urls=("http://r1:5005",), keeper=None) -> RasaRelay:
    config = RelayConfig(rasa_urls=list(urls), actions_health_url="http://a:8001/health")
    return RasaRelay(config, keeper, transport=httpx.MockTransport(fake.handler))


def test_typed_intents_are_sent_as_text_unless_offered():
    offered = {"/estimer_aide", '/choisir{"profession":"infirmier"}'}
    greetings = frozenset({"/saluer"})
    assert checked_message("/estimer_aide", offered, greetings) == "/estimer_aide"
    assert checked_message("/saluer", set(), greetings) == "/saluer"
    assert checked_message('/informer{"secteur":"3"}', offered, greetings) == 'informer{"secteur":"3"}'
    assert checked_message("//nier", offered, greetings) == "nier"
    assert checked_message("/", offered, greetings) == "?"
    assert checked_message("Bonjour / merci", offered, greetings) == "Bonjour / merci"
    assert as_text("  /x") == "x"


def test_relay_accepts_the_payloads_of_the_last_buttons_only():
    fake = FakeRasa(
        replies={
            "/saluer": [{"text": "Bonjour", "buttons": [{"title": "Estimer", "payload": "/estimer_aide"}]}],
            "/estimer_aide": [{"text": "Quelle profession ?"}],
        }
    )
    relay = relay_for(fake)
    run(relay.send("s1", "/saluer"))
    run(relay.send("s1", "/estimer_aide"))  # offered by the greeting
    run(relay.send("s1", "/estimer_aide"))  # no longer offered: the last reply had no buttons
    run(relay.send("s2", "/estimer_aide"))  # another conversation never saw the button
    assert [m["message"] for _, m in fake.received] == ["/saluer", "/estimer_aide", "estimer_aide", "estimer_aide"]


def test_failover_to_the_next_rasa_when_one_refuses():
    fake = FakeRasa(refuse={"http://r1:5005"})
    relay = relay_for(fake, urls=("http://r1:5005", "http://r2:5005"))
    for i in range(6):
        messages, degraded = run(relay.send(f"conv-{i}", "bonjour"))
        assert not degraded and messages == [{"text": "ok"}]
    assert {host for host, _ in fake.received} == {"http://r2:5005"}


def test_one_rasa_per_conversation():
    fake = FakeRasa()
    relay = relay_for(fake, urls=("http://r1:5005", "http://r2:5005"))
    for _ in range(3):
        run(relay.send("conversation-stable", "bonjour"))
    assert len({host for host, _ in fake.received}) == 1


def test_actions_down_keeps_the_conversation_once_and_tells_the_user(tmp_path):
    import request_store

    store = request_store.Store(f"sqlite:///{tmp_path / 'r.db'}")
    store.upgrade()

    def keeper(sender, history, key):
        return store.create_request("chat", "\n".join(history), sender_id=sender, idempotency_key=key).id

    fake = FakeRasa(replies={"je veux parler à l'équipe": [], "mon adresse : a@exemple.fr": []}, actions_up=False)
    relay = relay_for(fake, keeper=keeper)
    first, degraded = run(relay.send("conv-down", "je veux parler à l'équipe"))
    again, _ = run(relay.send("conv-down", "mon adresse : a@exemple.fr"))
    assert degraded
    assert first[0]["text"] == ACTIONS_DOWN.format(numero=1) == again[0]["text"]
    [req] = store.all_requests()
    assert req.sender_id == "conv-down" and "je veux parler à l'équipe" in req.texte
    store.dispose()


def test_an_empty_reply_with_actions_up_is_passed_through():
    fake = FakeRasa(replies={"chut": []})
    messages, degraded = run(relay_for(fake).send("s", "chut"))
    assert messages == [] and not degraded
