"""The Rasa action server: rasa-sdk's executor on a loopback-only port of its own, in the application's process.

The actions share the application's loaded models and event loop, but they are not on the public port: there
``/webhook`` and ``/actions`` answer 404. Rasa reaches them at ``ACTION_ENDPOINT_URL`` (set by the launcher from
``PARISMED_ACTIONS_HOST``/``PARISMED_ACTIONS_PORT``).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionMissingDomainException, ActionNotFoundException

log = logging.getLogger(__name__)
_executor = ActionExecutor()
_executor.register_package("assistant.actions")

actions_app = FastAPI(title="Actions Rasa (interne)", openapi_url=None, docs_url=None, redoc_url=None)


@actions_app.post("/webhook")
async def webhook(request: Request) -> JSONResponse:
    try:
        action_call = await request.json()
    except ValueError:
        return JSONResponse({"error": "Invalid body request"}, status_code=400)
    try:
        # The actions run on this event loop; their CPU-bound calls (retrieval, rules) go to worker threads.
        result = await _executor.run(action_call)
    except ActionExecutionRejection as e:
        return JSONResponse({"error": e.message, "action_name": e.action_name}, status_code=400)
    except ActionNotFoundException as e:
        log.error(e)
        return JSONResponse({"error": e.message, "action_name": e.action_name}, status_code=404)
    except ActionMissingDomainException as e:
        return JSONResponse({"error": e.message, "action_name": e.action_name}, status_code=449)
    return JSONResponse(result.model_dump() if result else None)


@actions_app.get("/actions")
async def actions() -> list[dict[str, str]]:
    return [{"name": name} for name in _executor.actions]


@actions_app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server run as a task of another server's event loop: the outer server owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class ActionServerError(RuntimeError):
    """The action server could not start (French message)."""


def check_loopback(host: str) -> None:
    """The action server must never listen on a public interface."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ActionServerError(
            f"Le serveur d'actions doit écouter sur l'interface locale (127.0.0.1), pas sur {host!r} : "
            "corrigez PARISMED_ACTIONS_HOST."
        )


async def start_action_server(host: str, port: int) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    """Start the action server on ``host:port`` (loopback only) and return it once it listens."""
    check_loopback(host)
    config = uvicorn.Config(actions_app, host=host, port=port, log_level="warning", lifespan="off", access_log=False)
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve(), name="rasa-action-server")
    while not server.started:
        if task.done():
            try:
                task.result()
            except SystemExit:  # uvicorn exits when it cannot bind
                pass
            raise ActionServerError(f"Le serveur d'actions n'a pas pu écouter sur {host}:{port} (port occupé ?).")
        await asyncio.sleep(0.02)
    return server, task


async def stop_action_server(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await task
