"""End to end through HTTP with the real servers: Rasa (trained model) → action server → knowledge base /
rules bridge / staff store."""

import re
import uuid

import httpx
import psutil
import pytest

from parismed.launcher import APP_SERVER_ENV, SERVER_NUMERICS_ENV

pytestmark = pytest.mark.e2e


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def test_application_health_and_openapi(live_stack):
    assert httpx.get(f"{live_stack.app_url}/health").json() == {"status": "ok"}
    paths = httpx.get(f"{live_stack.app_url}/openapi.json").json()["paths"]
    for path in ("/api/v1/ask", "/api/v1/eligibility", "/api/v1/orient", "/api/v1/chat"):
        assert "post" in paths[path]


def test_servers_run_numeric_libraries_on_one_thread(live_stack):
    """Both servers serve concurrent requests; library thread pools of their own would spin on idle CPU."""
    for process, expected in (("app", APP_SERVER_ENV), ("rasa", SERVER_NUMERICS_ENV)):
        environment = psutil.Process(live_stack.processes[process].pid).environ()
        assert {name: environment.get(name) for name in expected} == expected, process


def test_rasa_http_api_is_off(live_stack):
    """Rasa runs without --enable-api: only its REST channel (used by the application's relay) answers."""
    assert httpx.get(f"{live_stack.rasa_url}/").status_code == 200
    for path in ("/status", "/conversations/x/tracker", "/model/parse"):
        assert httpx.get(f"{live_stack.rasa_url}{path}").status_code in (404, 405), path


def test_greeting_capabilities_and_goodbye_in_french(say):
    sender = new_sender()
    assert "Bonjour" in texts(say(sender, "bonjour"))
    capabilities = say(sender, "que sais-tu faire ?")
    assert "estimer l'aide plancher" in texts(capabilities)
    assert any(b["payload"] == "/estimer_aide" for m in capabilities for b in m.get("buttons", []))
    assert re.search(r"Au revoir|à bientôt", texts(say(sender, "merci, au revoir")))


def test_regulatory_question_is_answered_by_the_action_server_with_sources(say):
    messages = say(new_sender(), "Mon cabinet est-il un établissement recevant du public ?")
    assert "ERP" in texts(messages) or "établissement recevant du public" in texts(messages)
    sources = [s for m in messages for s in (m.get("custom") or {}).get("sources", [])]
    assert sources and all({"title", "section", "url"} <= set(s) for s in sources)


def test_question_outside_the_guide_is_declined_with_hand_off_offer(say):
    messages = say(new_sender(), "Quel logiciel de gestion choisir pour mon cabinet de kiné ?")
    assert "équipe Paris Méd'" in texts(messages)
    assert not [s for m in messages for s in (m.get("custom") or {}).get("sources", [])]
    # a question naming nothing of a practice: what the assistant does, not the team (fifth and sixth outside tests)
    off_topic = texts(say(new_sender(), "Quelle est la réglementation des food trucks sur les quais de Seine ?"))
    assert "installation des professionnels de santé" in off_topic and "transmet" not in off_topic


def test_gibberish_gets_a_french_fallback(say):
    reply = texts(say(new_sender(), "zxqv plorg wubba"))
    assert re.search(r"pas (sûr d'avoir )?compris|reformuler|ne peux pas vous aider|Je n'arrive pas", reply)


def test_chat_proxy_of_the_application(live_stack):
    r = httpx.post(f"{live_stack.app_url}/api/v1/chat", json={"sender": new_sender(), "message": "bonjour"}, timeout=60)
    assert r.status_code == 200 and not r.json()["degraded"]
    assert "Bonjour" in texts(r.json()["messages"])
