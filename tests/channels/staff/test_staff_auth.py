"""Authentication, lock-out, CSRF, cookie flags, and anonymous access to every staff route."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from channels.staff.security import SESSION_COOKIE
from channels.staff.service import create_request
from channels.staff.web import ROUTERS

ANONYMOUS = {"staff_login_form", "staff_login", "staff_contact"}


def _all_routes():
    """Every route of the console: the routes of each of its routers (one per resource)."""
    for sub_router in ROUTERS:
        for route in sub_router.routes:
            assert isinstance(route, APIRoute)
            for method in sorted(route.methods - {"HEAD"}):
                yield route.name, method, route.path


def _concrete(path: str, request_id: int) -> str:
    return "/staff" + re.sub(r"\{[^}]+\}", str(request_id), path)


def test_every_route_refuses_anonymous_access(client, staff_db):
    request_id = create_request("formulaire", "Je cherche un local dans le 19e.", "a@b.fr", classify_now=False)
    checked = 0
    for name, method, path in _all_routes():
        if name in ANONYMOUS:
            continue
        r = client.request(method, _concrete(path, request_id), data={"csrf": "x", "reponse": "y"})
        assert r.status_code in (303, 401), f"{method} {path} answered {r.status_code} without a session"
        if r.status_code == 303:
            assert "/staff/login" in r.headers["location"]
        assert "Je cherche un local" not in r.text
        checked += 1
    assert checked >= 10  # the whole console, not a handful of routes


def test_only_expected_routes_are_anonymous():
    names = {name for name, _, _ in _all_routes()}
    assert names >= ANONYMOUS
    # any new route must be added to the anonymous-access test above, which covers all others
    assert len(names) >= 13


def test_wrong_password_is_refused(client, user, login):
    r = login(client, password="mauvais-mot-de-passe")
    assert r.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in r.text
    assert SESSION_COOKIE not in r.cookies
    assert client.get("/staff/").status_code == 303


def test_unknown_account_gets_the_same_message(client, staff_db, login):
    r = login(client, email="inconnu@paris.fr")
    assert r.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in r.text


def test_lockout_after_max_failures_even_with_the_right_password(client, user, login):
    for _ in range(3):  # PARISMED_LOGIN_MAX_FAILURES=3 in the fixture
        login(client, password="mauvais-mot-de-passe")
    r = login(client)  # correct password, but locked
    assert r.status_code == 401
    assert "bloqué" in r.text
    assert SESSION_COOKIE not in r.cookies


def test_lockout_expires(client, user, login, staff_db):
    from datetime import timedelta

    from channels.staff.storage import LoginThrottle, session, utcnow

    for _ in range(3):
        login(client, password="mauvais-mot-de-passe")
    with session() as db:
        t = db.get(LoginThrottle, "agent@paris.fr|testclient")
        t.locked_until = utcnow() - timedelta(seconds=1)
        db.commit()
    assert login(client).status_code == 303


def test_successful_login_sets_a_hardened_cookie(client, user, login):
    r = login(client)
    assert r.status_code == 303
    assert r.headers["location"] == "/staff/"
    cookie = [h for h in r.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE + "=")][0].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" in cookie
    assert "path=/staff" in cookie
    page = client.get("/staff/")
    assert page.status_code == 200
    assert "Demandes à traiter" in page.text


def test_cookie_secure_follows_settings(client, user, login):
    from channels.staff import configure
    from channels.staff.config import current

    configure(current().model_copy(update={"cookie_secure": False}))
    r = login(client)
    cookie = [h for h in r.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE + "=")][0].lower()
    assert "secure" not in cookie


def test_login_without_csrf_is_refused(client, user):
    client.get("/staff/login")
    r = client.post("/staff/login", data={"email": "agent@paris.fr", "password": "motdepasse-solide-42"})
    assert r.status_code == 403
    assert SESSION_COOKIE not in r.cookies


def test_login_with_forged_csrf_is_refused(client, user):
    client.get("/staff/login")
    r = client.post(
        "/staff/login", data={"email": "agent@paris.fr", "password": "motdepasse-solide-42", "csrf": "jeton-invente"}
    )
    assert r.status_code == 403


@pytest.mark.parametrize("token", [None, "", "jeton-faux"])
def test_post_forms_require_the_session_csrf_token(staff_client, token):
    request_id = create_request("formulaire", "Question sur l'accessibilité du cabinet.", "a@b.fr", classify_now=False)
    data = {"reponse": "Bonjour, voici la réponse.", "action": "envoyer"}
    if token is not None:
        data["csrf"] = token
    r = staff_client.post(f"/staff/demandes/{request_id}/reponse", data=data)
    assert r.status_code == 403
    assert "CSRF" in r.json()["detail"]
    # nothing changed
    detail = staff_client.get(f"/staff/api/demandes/{request_id}").json()
    assert detail["reponse"] is None and detail["status"] == "nouvelle"


def test_csrf_token_of_another_session_is_refused(client, staff_client, login, staff_db):
    from channels.staff.security import add_user

    add_user("collegue@paris.fr", "autre-mot-de-passe-1", name="Collègue")
    request_id = create_request("formulaire", "Question sur le bail professionnel.", None, classify_now=False)
    with TestClient(client.app, base_url="https://testserver", follow_redirects=False) as other:
        assert login(other, email="collegue@paris.fr", password="autre-mot-de-passe-1").status_code == 303
        r = other.post(f"/staff/demandes/{request_id}/statut", data={"statut": "close", "csrf": staff_client.csrf})
        assert r.status_code == 403


def test_api_post_requires_csrf_header(staff_client):
    r = staff_client.post("/staff/api/classify", json={"texte": "Je cherche un local"})
    assert r.status_code == 403
    r = staff_client.post(
        "/staff/api/classify",
        json={"texte": "Je cherche un local dans le 18e"},
        headers={"X-CSRF-Token": staff_client.csrf},
    )
    assert r.status_code == 200
    assert r.json()["theme"] == "locaux"


def test_logout_ends_the_session(staff_client):
    r = staff_client.post("/staff/logout", data={"csrf": staff_client.csrf})
    assert r.status_code == 303
    staff_client.cookies.clear()
    assert staff_client.get("/staff/").status_code == 303


def test_a_copied_session_cookie_no_longer_works_after_logout(staff_client):
    stolen = staff_client.cookies.get(SESSION_COOKIE)
    assert staff_client.get("/staff/").status_code == 200
    r = staff_client.post("/staff/logout", data={"csrf": staff_client.csrf})
    assert r.status_code == 303
    staff_client.cookies.clear()
    staff_client.cookies.set(SESSION_COOKIE, stolen, domain="testserver", path="/staff")
    assert staff_client.get("/staff/").status_code == 303
    assert staff_client.get("/staff/api/demandes").status_code == 401


def test_tampered_session_cookie_is_refused(client, staff_db):
    client.cookies.set(SESSION_COOKIE, "eyJ1aWQiOjF9.faux.signature", domain="testserver", path="/staff")
    assert client.get("/staff/").status_code == 303
    assert client.get("/staff/api/demandes").status_code == 401


def test_login_redirects_only_inside_the_console(client, user, csrf_from):
    page = client.get("/staff/login?suite=https://evil.example/")
    r = client.post(
        "/staff/login",
        data={
            "email": "agent@paris.fr",
            "password": "motdepasse-solide-42",
            "csrf": csrf_from(page.text),
            "suite": "https://evil.example/",
        },
    )
    assert r.headers["location"] == "/staff/"
    page = client.get("/staff/login")
    r = client.post(
        "/staff/login",
        data={
            "email": "agent@paris.fr",
            "password": "motdepasse-solide-42",
            "csrf": csrf_from(page.text),
            "suite": "/staff/statistiques",
        },
    )
    assert r.headers["location"] == "/staff/statistiques"


def test_anonymous_page_redirects_to_login_with_return_path(client, staff_db):
    r = client.get("/staff/statistiques")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/staff/login?suite=")


def test_pages_send_security_headers(client, staff_db):
    r = client.get("/staff/login")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"


def test_password_is_hashed_with_argon2(user):
    from channels.staff.storage import StaffUser, session

    with session() as db:
        stored = db.get(StaffUser, user.id).password_hash
    assert stored.startswith("$argon2")
    assert "motdepasse" not in stored


def test_short_password_is_refused(staff_db):
    from channels.staff.security import StaffError, add_user

    with pytest.raises(StaffError, match="au moins"):
        add_user("x@paris.fr", "court")


def test_lockout_is_per_address_so_an_outsider_cannot_lock_a_real_account(app, user, login):
    """Failures from one address lock the account for that address only: the agent's own address still works."""
    with TestClient(app, base_url="https://testserver", follow_redirects=False, client=("203.0.113.9", 5000)) as bad:
        for _ in range(3):
            login(bad, password="mauvais-mot-de-passe")
        assert "bloqué" in login(bad).text
    with TestClient(app, base_url="https://testserver", follow_redirects=False, client=("198.51.100.7", 5000)) as ok:
        assert login(ok).status_code == 303


def test_login_flood_from_one_address_gets_429(app, user, login):
    with TestClient(app, base_url="https://testserver", follow_redirects=False, client=("203.0.113.10", 5000)) as c:
        codes = [login(c, email=f"inconnu{i}@paris.fr", password="x" * 12).status_code for i in range(12)]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    with TestClient(app, base_url="https://testserver", follow_redirects=False, client=("198.51.100.8", 5000)) as ok:
        assert login(ok).status_code == 303


def test_password_change_and_disable_end_open_sessions(staff_client, staff_db):
    from channels.staff.security import add_user, set_active, unlock

    assert staff_client.get("/staff/").status_code == 200
    add_user("agent@paris.fr", "un-nouveau-mot-de-passe-99")
    assert staff_client.get("/staff/").status_code == 303  # back to the login page
    staff_client.post(
        "/staff/login",
        data={"email": "agent@paris.fr", "password": "un-nouveau-mot-de-passe-99", "csrf": _csrf(staff_client)},
    )
    assert staff_client.get("/staff/").status_code == 200
    set_active("agent@paris.fr", False)
    assert staff_client.get("/staff/").status_code == 303
    set_active("agent@paris.fr", True)
    assert unlock("agent@paris.fr") == 0


def _csrf(client) -> str:
    import re

    return re.search(r'name="csrf" value="([^"]+)"', client.get("/staff/login").text).group(1)


def test_cli_disable_enable_unlock(staff_db, user):
    from typer.testing import CliRunner

    from channels.staff import staff_app

    runner = CliRunner()
    out = runner.invoke(staff_app, ["disable", "agent@paris.fr"])
    assert out.exit_code == 0 and "désactivé" in out.output
    out = runner.invoke(staff_app, ["enable", "agent@paris.fr"])
    assert out.exit_code == 0 and "activé" in out.output
    out = runner.invoke(staff_app, ["unlock", "agent@paris.fr"])
    assert out.exit_code == 0 and "0 blocage" in out.output
    assert runner.invoke(staff_app, ["disable", "personne@paris.fr"]).exit_code == 1
