"""The Rasa action server, mounted in the application: rasa-sdk's executor behind `POST /webhook`."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionMissingDomainException, ActionNotFoundException

log = logging.getLogger(__name__)
router = APIRouter(tags=["rasa"])
_executor = ActionExecutor()
_executor.register_package("assistant.actions")


@router.post("/webhook", include_in_schema=False)
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


@router.get("/actions", include_in_schema=False)
async def actions() -> list[dict[str, str]]:
    return [{"name": name} for name in _executor.actions]
