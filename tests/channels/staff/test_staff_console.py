"""The console through HTTP: queue, request page, answer, assignment, closing, audit, statistics, contact form."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest

from channels.staff import create_request
from channels.staff.service import get_request, list_requests, update_request
from channels.staff.storage import StaffRequest, session


def _age(request_id: int, days: int) -> None:
    with session() as db:
        db.get(StaffRequest, request_id).created_at = datetime(2025, 3, 10) - timedelta(days=days)
        db.commit()


def test_queue_is_sorted_by_priority_then_date(staff_client):
    low = create_request("formulaire", "Merci de me désinscrire de votre newsletter.", None)
    normal_old = create_request("formulaire", "Quelles démarches pour m'installer comme kiné ?", None)
    normal_new = create_request("formulaire", "Quelles démarches pour m'installer comme infirmière ?", None)
    high = create_request(
        "chat",
        "C'est urgent : notre bail expire à la fin du mois, nous cherchons un local.",
        None,
        transcript=[{"role": "user", "text": "bonjour"}],
    )
    _age(normal_old, 5)
    _age(normal_new, 1)
    order = [r.id for r in list_requests()]
    assert order == [high, normal_old, normal_new, low]
    page = staff_client.get("/staff/").text
    assert page.index(f">{high}</a>") < page.index(f">{normal_old}</a>") < page.index(f">{low}</a>")


def test_queue_filters(staff_client):
    a = create_request("formulaire", "Je cherche un local dans le 19e arrondissement.", None)
    b = create_request("formulaire", "Mon cabinet est-il un ERP ? Quelles normes d'accessibilité ?", None)
    update_request(a, "test", arrondissement=19, theme="locaux")
    update_request(b, "test", arrondissement=5, theme="reglementaire")
    page = staff_client.get("/staff/?theme=locaux").text
    assert f">{a}</a>" in page and f">{b}</a>" not in page
    page = staff_client.get("/staff/?arrondissement=5").text
    assert f">{b}</a>" in page and f">{a}</a>" not in page
    update_request(b, "test", status="close")
    assert f">{b}</a>" not in staff_client.get("/staff/").text  # default: open requests only
    assert f">{b}</a>" in staff_client.get("/staff/?statut=close").text
    assert f">{b}</a>" in staff_client.get("/staff/?statut=toutes").text


def test_request_page_shows_text_transcript_and_triage(staff_client):
    rid = create_request(
        "chat",
        "Je voudrais parler à un conseiller au sujet de l'accessibilité de mon cabinet.",
        None,
        transcript=[
            {"from": "user", "text": "Mon cabinet doit-il avoir une rampe ?"},
            {"from": "bot", "text": "Je vous mets en relation avec l'équipe."},
        ],
        sender_id="abc123",
    )
    page = staff_client.get(f"/staff/demandes/{rid}")
    assert page.status_code == 200
    html = page.text
    assert "Mon cabinet doit-il avoir une rampe ?" in html
    assert "Je vous mets en relation avec l&#39;équipe." in html
    assert html.count("<strong>Assistant :</strong>") == 1 and html.count("<strong>Professionnel :</strong>") == 1
    assert "Réglementaire" in html
    assert "Réponse du guide sur l&#39;accessibilité." in html  # draft from the (fake) guide
    assert "https://exemple.paris.fr/guide" in html  # with its citation
    assert "Marquer comme envoyée" in html and "Enregistrer la réponse" in html


def test_missing_request_gives_a_french_404(staff_client):
    r = staff_client.get("/staff/demandes/9999")
    assert r.status_code == 404
    assert "introuvable" in r.text


def test_answer_assign_close_with_audit_trail(staff_client):
    from channels.staff.security import add_user

    add_user("collegue@paris.fr", "autre-mot-de-passe-1", name="Collègue")
    rid = create_request("formulaire", "Quelle subvention pour 3 kinés dans le 20e ?", "Mme X <x@exemple.fr>")
    csrf = staff_client.csrf

    r = staff_client.post(f"/staff/demandes/{rid}/attribuer", data={"csrf": csrf, "assignee": "collegue@paris.fr"})
    assert r.status_code == 303
    assert get_request(rid).status == "en_cours"

    r = staff_client.post(
        f"/staff/demandes/{rid}/reponse",
        data={"csrf": csrf, "action": "enregistrer", "reponse": "Bonjour, première version."},
    )
    assert r.status_code == 303
    req = get_request(rid)
    assert req.reponse == "Bonjour, première version." and req.status == "en_cours"

    r = staff_client.post(
        f"/staff/demandes/{rid}/reponse",
        data={"csrf": csrf, "action": "envoyer", "reponse": "Bonjour, version envoyée."},
    )
    req = get_request(rid)
    assert req.status == "repondue" and req.reponse_par == "equipe" and req.answered_at is not None
    assert "marquée comme envoyée" in staff_client.get(r.headers["location"]).text

    staff_client.post(f"/staff/demandes/{rid}/statut", data={"csrf": csrf, "statut": "close"})
    req = get_request(rid)
    assert req.status == "close" and req.closed_at is not None

    trail = [(a.actor, a.field, a.old, a.new) for a in req.audit]
    assert trail[0][:2] == ("système", "creation")
    assert ("agent@paris.fr", "assignee", None, "collegue@paris.fr") in trail
    assert ("agent@paris.fr", "status", "nouvelle", "en_cours") in trail
    assert ("agent@paris.fr", "reponse", "Bonjour, première version.", "Bonjour, version envoyée.") in trail
    assert ("agent@paris.fr", "status", "en_cours", "repondue") in trail
    assert ("agent@paris.fr", "status", "repondue", "close") in trail
    page = staff_client.get(f"/staff/demandes/{rid}").text
    assert "Historique" in page and "collegue@paris.fr" in page


def test_sending_the_draft_unchanged_counts_as_answered_by_the_assistant(staff_client):
    rid = create_request("formulaire", "Mon cabinet est-il un ERP ?", None)
    draft = get_request(rid).brouillon
    staff_client.post(
        f"/staff/demandes/{rid}/reponse", data={"csrf": staff_client.csrf, "action": "envoyer", "reponse": draft}
    )
    assert get_request(rid).reponse_par == "assistant"


def test_bad_inputs_give_french_errors(staff_client):
    rid = create_request("formulaire", "Question sur le bail.", None)
    r = staff_client.post(f"/staff/demandes/{rid}/reponse", data={"csrf": staff_client.csrf, "reponse": "  "})
    assert r.status_code == 400 and "La réponse est vide." in r.text
    r = staff_client.post(
        f"/staff/demandes/{rid}/attribuer", data={"csrf": staff_client.csrf, "assignee": "personne@ailleurs.fr"}
    )
    assert r.status_code == 400 and "n'existe pas" in r.text.replace("&#39;", "'")
    r = staff_client.post(f"/staff/demandes/{rid}/statut", data={"csrf": staff_client.csrf, "statut": "perdue"})
    assert r.status_code == 400 and "Statut inconnu" in r.text
    r = staff_client.post(
        f"/staff/demandes/{rid}/classement",
        data={"csrf": staff_client.csrf, "theme": "locaux", "priorite": "haute", "arrondissement": "42"},
    )
    assert r.status_code == 400 and "entre 1 et 20" in r.text


def test_staff_can_correct_the_triage(staff_client):
    rid = create_request("formulaire", "Bonjour, une question.", None)
    r = staff_client.post(
        f"/staff/demandes/{rid}/classement",
        data={
            "csrf": staff_client.csrf,
            "theme": "financement",
            "priorite": "haute",
            "arrondissement": "18",
            "action": "corriger",
        },
    )
    assert r.status_code == 303
    req = get_request(rid)
    assert (req.theme, req.priorite, req.priorite_rang, req.arrondissement) == ("financement", "haute", 0, 18)
    assert {"theme", "priorite", "arrondissement"} <= {a.field for a in req.audit}


def test_statistics_page_and_csv_exports(staff_client):
    a = create_request("formulaire", "Je cherche un local dans le 19e.", None)
    create_request("import", "Quelle subvention pour une MSP ?", None)
    update_request(a, "test", arrondissement=19, reponse="Réponse", reponse_par="equipe", status="repondue")
    page = staff_client.get("/staff/statistiques")
    assert page.status_code == 200
    assert page.text.count("<svg") == 5
    assert "Demandes par arrondissement" in page.text and "19e" in page.text
    assert "Répondues par l&#39;assistant ou par l&#39;équipe" in page.text

    export = staff_client.get("/staff/export.csv")
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["id", "date", "source"]
    assert len(rows) == 3

    stats = staff_client.get("/staff/statistiques.csv").text
    assert "arrondissement;19;1" in stats
    assert "repondue_par;equipe;1" in stats


def test_json_api_lists_and_details_requests(staff_client):
    rid = create_request("chat", "Je cherche un local dans le 18e, c'est urgent.", None, sender_id="s1")
    items = staff_client.get("/staff/api/demandes").json()
    assert [i["id"] for i in items] == [rid]
    detail = staff_client.get(f"/staff/api/demandes/{rid}").json()
    assert detail["priorite"]["niveau"] in ("haute", "normale", "basse")
    assert detail["audit"][0]["field"] == "creation"
    assert staff_client.get("/staff/api/demandes/999").status_code == 404


# --- public contact endpoint -------------------------------------------------------------------

VALID = {
    "nom": "Dr Claire Martin",
    "email": "claire.martin@exemple.fr",
    "profession": "Sage-femme",
    "arrondissement": "19e",
    "message": "Nous cherchons un local pour un cabinet de 3 sages-femmes.",
}


def test_contact_form_creates_a_triaged_request(client):
    r = client.post("/staff/api/contact", json=VALID)
    assert r.status_code == 201
    body = r.json()
    assert "bien été transmise" in body["message"]
    req = get_request(body["id"])
    assert req.source == "formulaire"
    assert req.contact == "Dr Claire Martin <claire.martin@exemple.fr>"
    assert "Arrondissement indiqué : 19e" in req.texte
    assert req.theme == "locaux"  # triaged in the background task
    assert any(a.field == "triage" for a in req.audit)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"email": "pas-une-adresse"}, "email"),
        ({"nom": ""}, "nom"),
        ({"message": "court"}, "message"),
        ({"arrondissement": "42"}, "arrondissement"),
        ({"message": "x" * 5001}, "message"),
        ({"piece_jointe": "x"}, "piece_jointe"),
    ],
)
def test_contact_form_rejects_bad_input_in_french(client, changes, field):
    r = client.post("/staff/api/contact", json={**VALID, **changes})
    assert r.status_code == 422
    problems = r.json()["detail"]
    assert any(p["champ"] == field and p["loc"][-1] == field for p in problems)
    assert all(p["message"] and p["message"] == p["msg"] for p in problems)


def test_contact_form_accepts_undefined_arrondissement(client):
    r = client.post("/staff/api/contact", json={**VALID, "arrondissement": "Non défini"})
    assert r.status_code == 201


@pytest.mark.parametrize("written", ["dix-neuvième", "75019", 19, "XIXe"])
def test_contact_form_reads_the_arrondissement_with_the_rules_bridge_parser(client, written):
    r = client.post("/staff/api/contact", json={**VALID, "arrondissement": written})
    assert r.status_code == 201
    assert "Arrondissement indiqué : 19e arrondissement" in get_request(r.json()["id"]).texte


def test_contact_form_limits_size_type_and_rate(client):
    assert (
        client.post("/staff/api/contact", content=b"nom=x", headers={"content-type": "text/plain"}).status_code == 415
    )
    big = b'{"message": "' + b"x" * 20_000 + b'"}'
    r = client.post("/staff/api/contact", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    r = client.post("/staff/api/contact", content=b"{pas du json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["detail"][0]["message"]
    statuses = [client.post("/staff/api/contact", json=VALID).status_code for _ in range(12)]
    assert statuses.count(201) == 9  # 10 per 10 minutes per address, the malformed one included
    assert statuses[-1] == 429


def test_create_request_contract(staff_db, fake_guide):
    rid = create_request(
        source="chat",
        texte="Bonjour, je cherche un local dans le 19e.",
        contact="x@y.fr",
        transcript=[{"role": "user", "text": "local 19e"}],
        sender_id="sender-1",
    )
    assert isinstance(rid, int)
    req = get_request(rid)
    assert (req.source, req.sender_id, req.transcript) == ("chat", "sender-1", [{"role": "user", "text": "local 19e"}])
    assert req.theme == "locaux" and req.brouillon
    from channels.staff.security import StaffError

    with pytest.raises(StaffError):
        create_request(source="fax", texte="x")
    with pytest.raises(StaffError):
        create_request(source="chat", texte="   ")


def test_triage_failure_never_loses_the_request(staff_db, monkeypatch):
    from channels.staff import service

    def boom(*a, **k):
        raise RuntimeError("index cassé")

    monkeypatch.setattr(service, "classify_full", boom)
    rid = create_request("chat", "Bonjour, une question sur le dispositif.", None)
    req = get_request(rid)
    assert req.texte.startswith("Bonjour") and req.theme is None and req.status == "nouvelle"


def test_svg_charts_escape_labels_and_use_integer_ticks():
    from channels.staff.charts import _nice_max, horizontal_bars, vertical_bars

    svg = vertical_bars([("<script>", 3), ("B & C", 0)], "Titre « test »")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "B &amp; C" in svg
    assert ">0.75<" not in svg and ">1<" in svg  # axis 0..4 by 1
    assert [_nice_max(v) for v in (0, 3, 9, 21, 390)] == [4, 4, 12, 40, 400]
    assert horizontal_bars([], "vide").startswith("<svg")


def test_queue_pages_filters_by_origin_and_closes_in_bulk_with_audit(staff_client):
    from channels.staff.web import PAGE_SIZE

    ids = [create_request("webinaire", f"Question de webinaire n° {i}", None, classify_now=False) for i in range(55)]
    chat_id = create_request("chat", "Demande venue du chat", None, classify_now=False)
    first = staff_client.get("/staff/?origine=webinaire").text
    assert f">{ids[0]}</a>" in first and f">{ids[-1]}</a>" not in first and f">{chat_id}</a>" not in first
    assert "Page 1 sur 2" in first and "page=2" in first
    second = staff_client.get("/staff/?origine=webinaire&page=2").text
    assert f">{ids[-1]}</a>" in second and f">{ids[0]}</a>" not in second
    assert len(ids) - PAGE_SIZE == second.count('name="ids"')
    only_chat = staff_client.get("/staff/?origine=chat").text
    assert f">{chat_id}</a>" in only_chat and f">{ids[0]}</a>" not in only_chat

    r = staff_client.post(
        "/staff/demandes/cloture",
        data={"csrf": staff_client.csrf, "ids": [str(i) for i in ids[:3]], "retour": "origine=webinaire&page=1"},
    )
    assert r.status_code == 303 and "origine=webinaire" in r.headers["location"]
    assert "3 demande(s) close(s)." in staff_client.get(r.headers["location"]).text
    for rid in ids[:3]:
        req = get_request(rid)
        assert req.status == "close" and any(a.field == "status" and a.new == "close" for a in req.audit)
    assert get_request(ids[3]).status == "nouvelle"
    refused = staff_client.post("/staff/demandes/cloture", data={"ids": [str(ids[4])]})
    assert refused.status_code == 403 and get_request(ids[4]).status == "nouvelle"
