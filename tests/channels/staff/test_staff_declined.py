"""« Questions non couvertes »: chat hand-offs and uncovered webinar questions, grouped, counted, handled."""

from __future__ import annotations

from datetime import datetime, timedelta

from channels.staff import create_request, record_assistant_answer
from channels.staff.declined import declined_groups, question_of
from channels.staff.storage import StaffRequest, session


def _at(request_id: int, when: datetime) -> None:
    with session() as db:
        db.get(StaffRequest, request_id).created_at = when
        db.commit()


def _chat(question: str, when: datetime | None = None) -> int:
    rid = create_request(
        "chat",
        f"Demande transmise : {question}",
        None,
        transcript=[{"from": "user", "text": question}, {"from": "bot", "text": "Je transmets à l'équipe."}],
        classify_now=False,
    )
    if when is not None:
        _at(rid, when)
    return rid


def test_declined_questions_are_grouped_counted_and_can_be_handled(staff_client):
    t0 = datetime(2026, 11, 1, 10, 0)
    a1 = _chat("Puis-je louer un local à la Ville ?", t0)
    a2 = _chat("puis je louer un local a la ville", t0 + timedelta(days=1))
    web = create_request(
        "webinaire", "Puis-je louer un local à la Ville ?\n\nPosée au webinaire par : X", None, classify_now=False
    )
    _at(web, t0 + timedelta(days=2))
    single = _chat("Quel est le délai de versement de l'aide ?", t0 + timedelta(days=5))
    covered = create_request("webinaire", "Qu'est-ce que Paris Méd' ?", None, classify_now=False)
    record_assistant_answer(covered, "Réponse du guide.")
    create_request("formulaire", "Question posée par le formulaire, pas un refus.", None, classify_now=False)

    groups = declined_groups()
    assert [g.count for g in groups] == [3, 1]  # most frequent first, then newest
    assert groups[0].question == "Puis-je louer un local à la Ville ?"  # newest wording
    assert groups[0].variants == ["puis je louer un local a la ville"]
    assert groups[0].sources == {"chat", "webinaire"} and set(groups[0].request_ids) == {a1, a2, web}
    assert groups[1].request_ids == [single]

    html = staff_client.get("/staff/questions-non-couvertes").text
    assert "Questions non couvertes" in html and "Marquer comme traité" in html
    assert html.index("Puis-je louer un local") < html.index("Quel est le délai de versement")
    assert "Qu&#39;est-ce que Paris Méd&#39; ?" not in html and "pas un refus" not in html
    assert "Webinaire" in html and "Assistant en ligne" in html
    assert 'href="/staff/questions-non-couvertes"' in staff_client.get("/staff/").text  # in the navigation

    key = groups[0].key
    refused = staff_client.post("/staff/questions-non-couvertes/traiter", data={"groupe": key})
    assert refused.status_code in (400, 403)  # CSRF required
    r = staff_client.post("/staff/questions-non-couvertes/traiter", data={"groupe": key, "csrf": staff_client.csrf})
    assert r.status_code == 303
    page = staff_client.get(r.headers["location"]).text
    assert "Groupe marqué comme traité." in page
    assert "Puis-je louer un local" not in page and "Quel est le délai de versement" in page
    bad = staff_client.post("/staff/questions-non-couvertes/traiter", data={"groupe": key, "csrf": staff_client.csrf})
    assert bad.status_code == 400 and "déjà été traité" in bad.text

    # Asked again after it was handled: the group comes back.
    _chat("Puis-je louer un local à la Ville ?")
    assert [g.key for g in declined_groups()][0] == key


def test_question_of_a_relay_hand_off_is_the_last_user_line():
    req = StaffRequest(
        source="chat",
        texte="Conversation transmise automatiquement (assistant partiellement indisponible) :\n- bonjour\n- Aide MSP ?",
    )
    assert question_of(req) == "Aide MSP ?"
