"""The chat relay: web widget → one of the Rasa servers (REST channel), with failover and button checking.

- One Rasa per conversation (a stable hash of the sender picks it); when it refuses the connection, the next one.
- Only real buttons: a message starting with ``/`` reaches Rasa as a payload only when it is one of the payloads
  of the buttons the bot offered last in that conversation (or the widget's greeting); otherwise the slashes are
  removed and it is sent as text, so a user cannot set slots or trigger intents by typing ``/intent{…}``.
- When the action server is unreachable (Rasa answers nothing and the action server does not answer its health
  check), the user gets a clear French message and the conversation is kept as a staff request (once per
  conversation and hour), so a hand-off is never lost.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from anyio import to_thread
from pydantic import BaseModel, Field

log = logging.getLogger(__name__)

RASA_DOWN = (
    "L'assistant conversationnel redémarre ou est momentanément indisponible. Réessayez dans une "
    "minute ; vous pouvez aussi écrire à l'équipe Paris Méd' avec le formulaire de contact de la page."
)
ACTIONS_DOWN = (
    "Une partie de l'assistant est momentanément indisponible, mais votre conversation n'est pas perdue : "
    "elle a été transmise à l'équipe Paris Méd' (demande n° {numero}), qui vous répondra si vous avez laissé "
    "une adresse e-mail. Vous pouvez aussi utiliser le formulaire de contact de la page."
)
ACTIONS_DOWN_UNSAVED = (
    "Une partie de l'assistant est momentanément indisponible. Réessayez dans quelques minutes, ou écrivez à "
    "l'équipe Paris Méd' avec le formulaire de contact de la page."
)
HISTORY = 20  # user messages remembered per conversation, for the request kept when the actions are down
MEMORY_SIZE = 50_000  # conversations remembered in memory (least recently used forgotten first)


class RelayConfig(BaseModel):
    rasa_urls: list[str] = Field(default_factory=lambda: ["http://127.0.0.1:5005"])
    actions_health_url: str | None = None  # the action server's health check; None = not checked
    timeout: float = 30.0
    greeting_payloads: frozenset[str] = frozenset({"/saluer"})
    state_url: str = "memory://"  # where offered buttons and recent messages are kept: memory:// or redis://…


# A hand-off keeper: (sender, lines of the conversation, idempotency key) -> request number or None.
HandoffKeeper = Callable[[str, list[str], str], int | None]


class ConversationState:
    """Per conversation: the payloads of the last buttons offered and the recent user messages."""

    def __init__(self, url: str = "memory://"):
        self._redis: Any = None
        if url.startswith(("redis://", "rediss://")):
            import redis

            self._redis = redis.Redis.from_url(url, socket_timeout=2)
        self._memory: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def _get(self, sender: str) -> dict[str, Any]:
        if self._redis is not None:
            raw = self._redis.get(f"parismed:chat:{sender}")
            return json.loads(raw) if raw else {}
        with self._lock:
            state = self._memory.get(sender)
            if state is not None:
                self._memory.move_to_end(sender)
            return dict(state) if state else {}

    def _put(self, sender: str, state: dict[str, Any]) -> None:
        if self._redis is not None:
            self._redis.set(f"parismed:chat:{sender}", json.dumps(state, ensure_ascii=False), ex=7 * 24 * 3600)
            return
        with self._lock:
            self._memory[sender] = state
            self._memory.move_to_end(sender)
            while len(self._memory) > MEMORY_SIZE:
                self._memory.popitem(last=False)

    def offered(self, sender: str) -> set[str]:
        return set(self._get(sender).get("buttons", []))

    def remember_reply(self, sender: str, messages: list[dict[str, Any]]) -> None:
        """Keep the payloads of the buttons of this reply (a reply without buttons clears them)."""
        payloads = [str(b.get("payload", "")) for m in messages for b in (m.get("buttons") or []) if b.get("payload")]
        state = self._get(sender)
        state["buttons"] = payloads
        self._put(sender, state)

    def remember_message(self, sender: str, text: str) -> list[str]:
        state = self._get(sender)
        history = deque(state.get("history", []), maxlen=HISTORY)
        history.append(text[:2000])
        lines = [str(line) for line in history]
        state["history"] = lines
        self._put(sender, state)
        return lines


def as_text(message: str) -> str:
    """A typed ``/…`` message as plain text: leading slashes removed (Rasa reads ``/x`` as an intent)."""
    text = message.lstrip("/ \t\r\n")
    return text or "?"


def checked_message(message: str, offered: set[str], greetings: frozenset[str]) -> str:
    """The message Rasa receives: a payload only when the bot offered it (or the widget's greeting)."""
    if not message.lstrip().startswith("/"):
        return message
    if message in offered or message in greetings:
        return message
    return as_text(message)


class RasaRelay:
    def __init__(
        self,
        config: RelayConfig,
        keeper: HandoffKeeper | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.config = config
        self.keeper = keeper
        self.transport = transport  # tests: a fake Rasa
        self.state = ConversationState(config.state_url)

    def _order(self, sender: str) -> list[str]:
        urls = self.config.rasa_urls
        start = int(hashlib.sha1(sender.encode("utf-8")).hexdigest(), 16) % len(urls)
        return urls[start:] + urls[:start]

    async def _post(self, client: httpx.AsyncClient, sender: str, message: str) -> list[dict[str, Any]]:
        last: Exception | None = None
        for url in self._order(sender):
            try:
                reply = await client.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message})
                reply.raise_for_status()
                data = reply.json()
                if not isinstance(data, list):
                    raise ValueError("unexpected reply")
                return data
            except httpx.ConnectError as exc:  # nothing was sent: the next Rasa can take the message
                log.warning("Rasa %s refused the connection: %s", url, exc)
                last = exc
        raise last or httpx.ConnectError("no Rasa URL")

    async def _actions_up(self, client: httpx.AsyncClient) -> bool:
        if not self.config.actions_health_url:
            return True
        try:
            return (await client.get(self.config.actions_health_url, timeout=2)).status_code == 200
        except httpx.HTTPError:
            return False

    async def send(self, sender: str, message: str) -> tuple[list[dict[str, Any]], bool]:
        """(messages, degraded) for one user message."""
        offered = self.state.offered(sender)
        to_rasa = checked_message(message, offered, self.config.greeting_payloads)
        history = self.state.remember_message(sender, message)
        try:
            async with httpx.AsyncClient(timeout=self.config.timeout, transport=self.transport) as client:
                messages = await self._post(client, sender, to_rasa)
                if not messages and not await self._actions_up(client):
                    return await self._actions_down(sender, history), True
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("Rasa unreachable: %s", exc)
            return [{"recipient_id": sender, "text": RASA_DOWN}], True
        self.state.remember_reply(sender, messages)
        return messages, False

    async def _actions_down(self, sender: str, history: list[str]) -> list[dict[str, Any]]:
        log.error("The action server is unreachable; conversation %s kept as a staff request", sender)
        numero = None
        if self.keeper is not None:
            hour = datetime.now(UTC).strftime("%Y%m%d%H")
            numero = await to_thread.run_sync(self.keeper, sender, history, f"relai:{sender}:{hour}")
        text = ACTIONS_DOWN.format(numero=numero) if numero is not None else ACTIONS_DOWN_UNSAVED
        return [{"recipient_id": sender, "text": text}]
