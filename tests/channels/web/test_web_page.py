"""Fast tests of the web channel: page, static files, headers, content data (no browser)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from channels.web import CHAT_ENDPOINT, CONTACT_ENDPOINT, render_page
from channels.web.content import CONTENT_FILE, PageContent, get_content

STATIC_DIR = Path(__file__).resolve().parents[3] / "channels" / "web" / "static"


class Elements(HTMLParser):
    """Collects (tag, attrs) of every start tag, and the page's visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def find(self, tag: str | None = None, **attrs: str) -> list[dict[str, str | None]]:
        found = []
        for t, a in self.elements:
            if tag and t != tag:
                continue
            if all(a.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items()):
                found.append(a)
        return found

    def by_id(self, element_id: str) -> tuple[str, dict[str, str | None]]:
        matches = [(t, a) for t, a in self.elements if a.get("id") == element_id]
        assert len(matches) == 1, f"id {element_id!r} found {len(matches)} times"
        return matches[0]


@pytest.fixture()
def client(web_app):
    return TestClient(web_app)


@pytest.fixture()
def html(client):
    response = client.get("/")
    assert response.status_code == 200
    parsed = Elements()
    parsed.feed(response.text)
    parsed.response = response  # type: ignore[attr-defined]
    parsed.visible = " ".join(" ".join(parsed.text).split())  # type: ignore[attr-defined]
    return parsed


def test_page_is_french_html_with_security_headers(client):
    response = client.get("/")
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in response.text
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_page_has_no_inline_script_or_style_and_no_cdn(html):
    for tag, attrs in html.elements:
        assert "style" not in attrs, f"inline style on <{tag}>"
        assert not any(name.startswith("on") for name in attrs), f"inline handler on <{tag}>"
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/web/"), attrs
        if tag == "link" and attrs.get("rel") == "stylesheet":
            assert attrs["href"].startswith("/static/web/"), attrs


def test_static_files_are_served_with_types(client, html):
    urls = [a["src"] for a in html.find("script")] + [a["href"] for a in html.find("link")]
    assert len(urls) == 5
    types = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["x-content-type-options"] == "nosniff"
        types[url.split("?")[0].rsplit(".", 1)[1]] = response.headers["content-type"]
    assert types["js"].startswith("text/javascript")
    assert types["css"].startswith("text/css")
    assert types["svg"].startswith("image/svg+xml")


def test_asset_urls_change_with_content(html):
    """A content hash in the URL means a deployed change is never hidden by a cached script."""
    script = next(a["src"] for a in html.find("script") if "chat.js" in a["src"])
    assert re.fullmatch(r"/static/web/chat\.js\?v=[0-9a-f]{12}", script)


def test_static_files_are_served_by_starlette_staticfiles():
    from fastapi import FastAPI

    from channels.web import mount_static, router

    app = FastAPI()
    app.include_router(router)
    assert TestClient(app).get("/static/web/chat.css").status_code == 404  # the router alone serves no files
    mount_static(app)
    client = TestClient(app)
    for name in ("chat.css", "chat.js", "chat/widget.js", "chat/card.js"):
        response = client.get(f"/static/web/{name}")
        assert response.status_code == 200, name
        assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/web/chat/card.js").headers["content-type"].startswith("text/javascript")


def test_widget_is_loaded_as_an_es_module(html):
    scripts = [a for a in html.find("script") if "chat.js" in (a.get("src") or "")]
    assert len(scripts) == 1 and scripts[0].get("type") == "module"


@pytest.mark.parametrize(
    "path",
    [
        "/static/web/missing.js",
        "/static/web/../routes.py",
        "/static/web/%2e%2e/content.py",
        "/static/web/..%2f__init__.py",
        "/static/web/",
    ],
)
def test_static_route_does_not_escape_its_folder(client, path):
    assert client.get(path).status_code == 404


def test_widget_has_accessible_structure(html):
    tag, launcher = html.by_id("pm-chat-launcher")
    assert tag == "button" and launcher["aria-controls"] == "pm-chat-panel"
    assert launcher["aria-expanded"] == "false"
    assert "Assistant Paris Méd'" in html.visible  # visible label of the launcher

    tag, panel = html.by_id("pm-chat-panel")
    assert panel["role"] == "dialog" and "hidden" in panel
    assert html.by_id(panel["aria-labelledby"])[0] == "h2"

    _, log = html.by_id("pm-chat-log")
    assert log["role"] == "log" and log["aria-live"] == "polite" and log["aria-label"]

    _, typing = html.by_id("pm-chat-typing")
    assert typing["role"] == "status"

    labels = html.find("label", for_="pm-chat-input")
    assert len(labels) == 1
    _, close = html.by_id("pm-chat-close")
    assert close["aria-label"] == "Fermer l'assistant"
    assert html.by_id("pm-chat-reset")[0] == "button"
    assert "Nouvelle conversation" in html.visible


def test_widget_is_configured_with_the_api_endpoints(html):
    _, root = html.by_id("pm-chat")
    assert root["data-endpoint"] == CHAT_ENDPOINT == "/api/v1/chat"
    assert root["data-greeting"] == "/saluer"
    _, form = html.by_id("contact-form")
    assert form["data-endpoint"] == CONTACT_ENDPOINT == "/staff/api/contact"


def test_every_form_field_has_a_label(html):
    fields = [a for t, a in html.elements if t in {"input", "select", "textarea"}]
    assert {a["name"] for a in fields if a.get("name")} == {"nom", "email", "profession", "arrondissement", "message"}
    label_targets = {a["for"] for a in html.find("label")}
    for field in fields:
        assert field["id"] in label_targets, field


def test_privacy_notice_in_widget_and_page(html):
    content = get_content()
    retention = content.privacy.retention
    _, short = html.by_id("pm-chat-privacy")
    assert short  # the panel is described by the short notice
    assert html.by_id("pm-chat-panel")[1]["aria-describedby"] == "pm-chat-privacy"
    assert html.by_id("donnees-personnelles")[0] == "section"
    text = html.visible
    assert "Ne saisissez pas de données de santé sur vos patients" in text
    assert "Ne saisissez aucune donnée de santé concernant vos patients" in text
    assert f"conservés {retention}" in text
    assert "identifiant aléatoire de la conversation" in text
    assert "suppression" in text and "délégué à la protection des données" in text
    assert "adresse à confirmer" in text  # DPO address unknown
    assert "Nouvelle conversation" in text


def test_contact_email_is_flagged_to_confirm(html):
    mailto = html.find("a", href="mailto:parismed@paris.fr")
    assert mailto, "team e-mail missing"
    assert "adresse citée en 2015, à confirmer" in html.visible


def test_sections_and_sources_are_rendered(html):
    content = get_content()
    for section in content.sections:
        assert html.by_id(section.id)[0] == "section"
        assert section.title in html.visible.replace("&#39;", "'")
    for number, source in enumerate(content.sources, start=1):
        assert html.by_id(f"source-{number}")[0] == "li"
        if source.url:
            assert html.find("a", href=source.url)
    refs = [a["href"] for a in html.find("a") if a.get("class") == "ref"]
    assert refs and all(re.fullmatch(r"#source-\d+", r) for r in refs)
    assert "Webinaires et rencontres" in html.visible
    assert "B.A.-BA réglementaire" in html.visible


def test_content_never_states_an_amount_of_the_current_grid():
    """The Paris Méd' 2 grid is not public: no '€ par professionnel' figure may appear."""
    html = render_page()
    assert not re.search(r"\d[\d  ]*\s?€\s*(par|/)\s*professionnel", html)
    assert "25 000" not in html


def test_content_file_rejects_unknown_source_keys(tmp_path):
    data = yaml.safe_load(CONTENT_FILE.read_text(encoding="utf-8"))
    data["sections"][0]["blocks"][0]["sources"] = ["n'existe pas"]
    with pytest.raises(ValueError, match="n'existe pas"):
        PageContent.model_validate(data)


def test_user_text_in_template_is_escaped(monkeypatch):
    """Content comes from a data file: the template still escapes it."""
    content = get_content().model_copy(deep=True)
    content.site.lead = "<script>alert(1)</script>"
    monkeypatch.setattr("channels.web.routes.get_content", lambda: content)
    html = render_page()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_scripts_never_use_innerhtml():
    for name in ("chat.js", "contact.js"):
        source = (STATIC_DIR / name).read_text(encoding="utf-8")
        code = re.sub(r"/\*.*?\*/|//[^\n]*", "", source, flags=re.S)
        for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert forbidden not in code, f"{forbidden} in {name}"
