"""request_store: idempotent creation (also under concurrency), triage plug-in, audited updates, safe CSV cells."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor

import pytest

import request_store
from request_store import QueueFilter, RequestStoreError, Store, Triage, safe_csv_cell


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'requests.db'}")
    s.create_all()
    yield s
    s.dispose()


def test_create_and_read_back(store):
    created = store.create_request("chat", "  Bonjour, je suis kiné dans le 19e.  ", contact="a@exemple.fr")
    assert created.created
    req = store.get_request(created.id)
    assert req.texte == "Bonjour, je suis kiné dans le 19e."
    assert req.contact == "a@exemple.fr"
    assert [a.field for a in req.audit] == ["creation"]


def test_same_idempotency_key_creates_nothing(store):
    first = store.create_request("chat", "Première demande", idempotency_key="conv-1:handoff-1")
    second = store.create_request("chat", "Première demande (rejouée)", idempotency_key="conv-1:handoff-1")
    other = store.create_request("chat", "Autre demande", idempotency_key="conv-1:handoff-2")
    assert first.created and not second.created and other.created
    assert second.id == first.id and other.id != first.id
    assert store.count_requests(QueueFilter(status="toutes")) == 2


def test_precision_added_after_a_hand_off(store):
    created = store.create_request("chat", "Je voudrais parler à quelqu'un.", idempotency_key="chat:c1:10.5")
    assert store.add_precision("chat:c1:10.5", "c'est pour un projet de centre de santé") == created.id
    req = store.get_request(created.id)
    assert req.texte.startswith("Je voudrais parler à quelqu'un.")
    assert req.texte.endswith("- c'est pour un projet de centre de santé")
    assert [(a.field, a.actor, a.new) for a in req.audit][-1] == ("precision", "usager", "39 caractères")
    assert store.add_precision("chat:c1:99", "autre chose") is None  # no request with that key: nothing written
    with pytest.raises(RequestStoreError, match="vide"):
        store.add_precision("chat:c1:10.5", "   ")


def test_concurrent_duplicates_create_one_request(store):
    """Eight threads racing with one key: the unique constraint lets exactly one insert through."""

    def create(i: int):
        return store.create_request("webinaire", f"Question {i}", idempotency_key="webinaire:abc")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(create, range(8)))
    assert sum(r.created for r in results) == 1
    assert len({r.id for r in results}) == 1
    assert store.count_requests(QueueFilter(status="toutes")) == 1


def test_classifier_is_applied_and_its_failure_keeps_the_request(tmp_path):
    calls = []

    def classifier(texte: str, source: str) -> Triage:
        calls.append((texte, source))
        return Triage(theme="aides", arrondissement=19, priorite="haute", priorite_raison="zone prioritaire")

    s = Store(f"sqlite:///{tmp_path / 'a.db'}", classifier=classifier)
    s.create_all()
    req = s.get_request(s.create_request("formulaire", "Combien pour 2 infirmiers ?").id)
    assert (req.theme, req.arrondissement, req.priorite, req.priorite_rang) == ("aides", 19, "haute", 0)
    assert calls == [("Combien pour 2 infirmiers ?", "formulaire")]
    unclassified = s.get_request(s.create_request("formulaire", "Sans tri", classify_now=False).id)
    assert unclassified.theme is None

    def broken(texte: str, source: str) -> Triage:
        raise RuntimeError("triage down")

    s.classifier = broken
    kept = s.get_request(s.create_request("chat", "Ma demande doit rester").id)
    assert kept.texte == "Ma demande doit rester" and kept.theme is None
    s.dispose()


def test_update_is_audited_and_validated(store):
    rid = store.create_request("import", "Une demande importée").id
    store.update_request(rid, "agent@paris.fr", status="close", assignee="agent@paris.fr")
    req = store.get_request(rid)
    assert req.closed_at is not None
    assert {(a.field, a.old, a.new) for a in req.audit if a.field != "creation"} == {
        ("status", "nouvelle", "close"),
        ("assignee", None, "agent@paris.fr"),
    }
    with pytest.raises(RequestStoreError):
        store.update_request(rid, "x", status="inconnu")
    with pytest.raises(RequestStoreError):
        store.update_request(rid, "x", texte="réécrit")
    with pytest.raises(RequestStoreError):
        store.get_request(9999)


def test_rejects_unknown_source_and_empty_text(store):
    with pytest.raises(RequestStoreError, match="Origine inconnue"):
        store.create_request("pigeon", "texte")
    with pytest.raises(RequestStoreError, match="vide"):
        store.create_request("chat", "   ")


def test_filters_paging_and_bulk_close(store):
    ids = [
        store.create_request(src, f"Demande {i}").id for i, src in enumerate(["chat", "webinaire", "chat", "import"])
    ]
    assert {r.id for r in store.list_requests(QueueFilter(source="chat"))} == {ids[0], ids[2]}
    assert len(store.list_requests(QueueFilter(limit=2))) == 2
    assert len(store.list_requests(QueueFilter(limit=2, offset=2))) == 2
    assert store.bulk_update_status(ids[:3], "agent@paris.fr", "close") == 3
    assert store.count_requests() == 1
    assert store.bulk_update_status(ids[:3], "agent@paris.fr", "close") == 0


def test_module_functions_use_the_configured_store(tmp_path):
    request_store.dispose_all()
    with pytest.raises(RequestStoreError):
        request_store.create_request("chat", "pas de base")
    s = request_store.configure(f"sqlite:///{tmp_path / 'default.db'}")
    s.create_all()
    a = request_store.create_request("chat", "via le module", idempotency_key="k")
    b = request_store.create_request("chat", "via le module", idempotency_key="k")
    assert a.id == b.id and a.created and not b.created
    request_store.dispose_all()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","clic")', '\'=HYPERLINK("http://x","clic")'),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\r=1", "'\r=1"),
        ("  =1+1", "'  =1+1"),
        ("Jean Dupont", "Jean Dupont"),
        ("kiné - 19e", "kiné - 19e"),
        (-3, "-3"),
        (12, "12"),
        (None, ""),
    ],
)
def test_safe_csv_cell(value, expected):
    assert safe_csv_cell(value) == expected


def test_staff_export_neutralises_formulas(tmp_path, monkeypatch):
    """The console's CSV export goes through safe_csv_cell (a formula in a contact name stays text)."""
    from channels.staff import service, storage
    from parismed.config import get_settings

    monkeypatch.setenv("PARISMED_DATABASE_URL", f"sqlite:///{tmp_path / 'export.db'}")
    get_settings.cache_clear()
    storage.dispose_engines()
    try:
        service.create_request("formulaire", "=1+1 texte", contact='=HYPERLINK("http://x","y")', classify_now=False)
        rows = list(csv.reader(io.StringIO(service.export_csv().lstrip("\ufeff")), delimiter=";"))
        contact_col = rows[0].index("contact")
        texte_col = rows[0].index("texte")
        assert rows[1][contact_col].startswith("'=")
        assert rows[1][texte_col] == "'=1+1 texte"
    finally:
        storage.dispose_engines()
        get_settings.cache_clear()


def test_a_conversation_creates_at_most_three_requests_per_hour(store):
    from request_store import TooManyRequests

    ids = [
        store.create_request("chat", f"demande {i}", sender_id="conv-x", idempotency_key=f"k{i}").id for i in range(3)
    ]
    with pytest.raises(TooManyRequests):
        store.create_request("chat", "quatrième", sender_id="conv-x", idempotency_key="k3")
    assert store.create_request("chat", "rejouée", sender_id="conv-x", idempotency_key="k1").id == ids[1]
    assert store.create_request("chat", "autre conversation", sender_id="conv-y").created


def test_purge_removes_exactly_what_is_older_than_the_cutoff(store):
    from datetime import timedelta

    from request_store import LoginThrottle, utcnow

    now = utcnow()
    old = store.create_request("chat", "ancienne", created_at=now - timedelta(days=400)).id
    recent = store.create_request("chat", "récente", created_at=now - timedelta(days=10)).id
    with store.session() as db:
        db.add(LoginThrottle(email="a@paris.fr|1.2.3.4", failures=1, last_failure_at=now - timedelta(days=400)))
        db.add(LoginThrottle(email="b@paris.fr|1.2.3.4", failures=1, last_failure_at=now))
        db.commit()
    counts = store.purge(now - timedelta(days=365))
    assert counts["demandes"] == 1 and counts["journal"] == 1 and counts["connexions"] == 1
    assert [r.id for r in store.all_requests()] == [recent]
    with pytest.raises(RequestStoreError):
        store.get_request(old)
    with store.session() as db:
        assert [t.email for t in db.query(LoginThrottle)] == ["b@paris.fr|1.2.3.4"]
    assert store.purge(now - timedelta(days=365))["demandes"] == 0


def test_erase_contact_removes_one_persons_requests_only(store):
    a = store.create_request("formulaire", "de Zoé", contact="Zoé Martin <Zoe.Martin@exemple.fr>", sender_id="s1").id
    b = store.create_request("chat", "de Zoé aussi", contact="zoe.martin@exemple.fr").id
    c = store.create_request("chat", "de Léa", contact="lea@exemple.fr").id
    d = store.create_request("chat", "proche mais autre", contact="xzoe.martin@exemple.fr").id
    erasure = store.erase_contact("zoe.martin@exemple.fr", "agent@paris.fr")
    assert sorted(erasure.request_ids) == sorted([a, b]) and erasure.sender_ids == ["s1"]
    assert {r.id for r in store.all_requests()} == {c, d}
    with pytest.raises(RequestStoreError):
        store.erase_contact("pas une adresse", "x")
