"""Per-client rate limits (the ``limits`` library), in memory or shared through Redis between instances."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Request
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

TOO_MANY = "Trop de requêtes en peu de temps : veuillez patienter {wait} avant de réessayer."


def french_wait(seconds: float) -> str:
    seconds = max(1, math.ceil(seconds))
    if seconds < 90:
        return f"{seconds} seconde{'s' if seconds > 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


class RateLimits:
    """Moving-window limits keyed by (name, key…); ``storage_uri`` is ``memory://`` or ``redis://host:port/db``.

    ``enabled=False`` (load tests only) lets every call through.
    """

    def __init__(self, storage_uri: str = "memory://", enabled: bool = True):
        self.storage_uri = storage_uri
        self.enabled = enabled
        storage = storage_from_string(storage_uri)
        if not isinstance(storage, Storage):
            raise ValueError(f"synchronous limits storage expected: {storage_uri}")
        self.storage = storage
        self.limiter = MovingWindowRateLimiter(self.storage)
        self._items: dict[str, RateLimitItem] = {}

    def _item(self, rate: str) -> RateLimitItem:
        item = self._items.get(rate)
        if item is None:
            item = self._items[rate] = parse(rate)
        return item

    def hit(self, rate: str, *keys: str) -> float | None:
        """Count one call; ``None`` when allowed, else the seconds to wait before the next allowed call."""
        item = self._item(rate)
        if not self.enabled or self.limiter.hit(item, *keys):
            return None
        stats = self.limiter.get_window_stats(item, *keys)
        return max(1.0, stats.reset_time - time.time())

    def test(self, rate: str, *keys: str) -> bool:
        """True when one more call would be allowed (counts nothing)."""
        return self.limiter.test(self._item(rate), *keys)

    def clear(self, rate: str, *keys: str) -> None:
        self.limiter.clear(self._item(rate), *keys)

    def reset(self) -> None:
        self.storage.reset()


_limits = RateLimits()


def configure(storage_uri: str, enabled: bool = True) -> RateLimits:
    """Set the process's limits storage (called by the composition root)."""
    global _limits
    if storage_uri != _limits.storage_uri:
        _limits = RateLimits(storage_uri, enabled)
    _limits.enabled = enabled
    return _limits


def current() -> RateLimits:
    return _limits


def client_address(request: Request) -> str:
    """The caller's address (behind a proxy, uvicorn's --proxy-headers puts the real one here)."""
    return request.client.host if request.client else "inconnu"


def too_many(wait: float) -> HTTPException:
    return HTTPException(
        status_code=429,
        detail=TOO_MANY.format(wait=french_wait(wait)),
        headers={"Retry-After": str(math.ceil(wait))},
    )


def per_client(name: str, rate: str) -> Callable[[Request], Awaitable[None]]:
    """FastAPI dependency: at most ``rate`` (e.g. ``"30/minute"``) calls of route ``name`` per client address."""

    async def dependency(request: Request) -> None:
        wait = _limits.hit(rate, name, client_address(request))
        if wait is not None:
            raise too_many(wait)

    return dependency
