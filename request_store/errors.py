"""The request store's one error type."""

from __future__ import annotations


class RequestStoreError(Exception):
    """Expected failure of the request store; ``message`` is French and can be shown to a user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TooManyRequests(RequestStoreError):
    """A conversation already handed several requests to the team within the hour."""
