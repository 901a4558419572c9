"""Webinar follow-up: reading, grouping, the batch on the sample file (real guide), outputs, push to the queue."""

from __future__ import annotations

import csv
import json
from html import unescape
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from channels.webinar import WebinarError, run_batch, webinar_app
from channels.webinar.chatter import chatter_kind
from channels.webinar.grouping import GroupingParams, Retrieval, group_indices, title_order
from channels.webinar.reader import read_questions

SAMPLE = Path(__file__).resolve().parents[3] / "channels" / "webinar" / "exemples" / "questions_webinaire.csv"


# --- reading ---------------------------------------------------------------------------------


def test_reader_reports_bad_rows_without_failing(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text(
        "question;auteur;email\n"
        "Mon cabinet est-il un ERP ?;Anne;anne@exemple.fr\n"
        ";Vide;\n"
        f"{'x' * 1200};Long;\n"
        "Quelle aide pour 3 kinés ?;Paul;pas-une-adresse\n"
        "a;b;c;d;e\n",
        encoding="utf-8",
    )
    result = read_questions(path)
    assert [q.texte[:10] for q in result.questions] == ["Mon cabine", "x" * 10, "Quelle aid"]
    assert len(result.questions[1].texte) == 1200  # a long question is kept whole (and answered, see below)
    assert result.questions[2].email == ""  # invalid address dropped, question kept
    joined = "\n".join(result.rejects)
    assert "ligne 3 : question vide" in joined
    assert "adresse e-mail invalide « pas-une-adresse »" in joined
    assert "ligne 6 : 5 colonnes au lieu de 3" in joined


def test_reader_accepts_plain_text(tmp_path):
    path = tmp_path / "q.txt"
    path.write_text("Mon cabinet est-il un ERP ?\n\nQuelle aide pour 3 kinés ?\n", encoding="utf-8")
    result = read_questions(path)
    assert [q.line for q in result.questions] == [1, 3]


def test_reader_needs_a_question_column(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text("nom,email\nAnne,anne@exemple.fr\n", encoding="utf-8")
    result = read_questions(path)
    assert result.questions == [] and "colonne « question » introuvable" in result.rejects[0]


# --- grouping (no model needed) -----------------------------------------------------------------


def _unit(*rows):
    v = np.array(rows, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


PARAMS = GroupingParams(threshold=0.75, embedding_weight=0.5, profile_top=3, profile_temperature=0.1)


def test_grouping_merges_duplicates_and_uses_the_guide_sections():
    texts = [
        "Mon cabinet est-il un ERP ?",
        "mon cabinet est il un ERP",
        "Quel montant ?",
        "Combien toucher ?",
        "Quelle crèche ?",
    ]
    # cosine 2-3: 0.71 and the same sections → merged; 0-2: 0.70 but other sections → apart
    vectors = _unit([1, 0, 0], [1, 0, 0], [0.7, 0.714, 0], [0.0, 1.0, 0.0], [0, 0, 1])
    retr = [
        Retrieval(("erp",), (0.8,)),
        Retrieval(("erp",), (0.8,)),
        Retrieval(("montant", "plancher"), (0.7, 0.3)),
        Retrieval(("montant", "plancher"), (0.7, 0.35)),
        Retrieval((), ()),
    ]
    groups = group_indices(texts, vectors, retr, PARAMS)
    assert groups == [[0, 1], [2, 3], [4]]


def test_grouping_threshold_is_respected():
    vectors = _unit([1, 0], [0.9, 0.436])  # cosine 0.90
    retr = [Retrieval(("a",), (1.0,)), Retrieval(("a",), (1.0,))]  # same section: profile cosine 1
    assert len(group_indices(["q un", "q deux"], vectors, retr, PARAMS)) == 1  # 0.5 × 0.9 + 0.5 = 0.95
    strict = GroupingParams(threshold=0.96, embedding_weight=0.5, profile_top=3, profile_temperature=0.1)
    assert len(group_indices(["q un", "q deux"], vectors, retr, strict)) == 2


def test_hard_negatives_stay_apart():
    """Same subject, different question: close embeddings, different best sections → two groups."""
    vectors = _unit([1, 0.45], [1, 0.3])  # cosine 0.99
    retr = [Retrieval(("montant", "eligibilite"), (0.9, 0.2)), Retrieval(("eligibilite", "montant"), (0.9, 0.2))]
    assert len(group_indices(["Combien ?", "Suis-je éligible ?"], vectors, retr, PARAMS)) == 2


def test_title_is_the_clearest_wording():
    texts = ["cumul aide region ??", "Peut-on cumuler l'aide de la Ville avec celle de la Région ?", "cumul svp"]
    vectors = _unit([1, 0.1], [1, 0.12], [1, 0.3])
    order = title_order([0, 1, 2], texts, vectors)
    assert order[0] == 1 and sorted(order) == [0, 1, 2]


# --- the batch on the sample file, with the real guide ------------------------------------------


@pytest.fixture(scope="module")
def staff_store(tmp_path_factory):
    """A throwaway request store, the one the staff console reads (same URL)."""
    import request_store
    from channels.staff import storage
    from parismed.config import get_settings

    tmp = tmp_path_factory.mktemp("webinaire-store")
    url = f"sqlite:///{tmp / 'staff.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PARISMED_DATABASE_URL", url)
        get_settings.cache_clear()
        storage.dispose_engines()
        storage.init_storage()
        yield request_store.open_store(url)
        storage.dispose_engines()
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory, staff_store):
    tmp = tmp_path_factory.mktemp("webinaire")
    report = run_batch(SAMPLE, tmp / "rapport", push_to_queue=True, store=staff_store)
    return report, tmp / "rapport", staff_store.all_requests()


def test_sample_file_is_realistic():
    rows = list(csv.DictReader(SAMPLE.open(encoding="utf-8")))
    assert 30 <= len(rows) <= 50


def test_batch_writes_every_output(sample_run):
    report, out, _ = sample_run
    for name in ("faq.html", "faq.md", "faq.csv", "non_couvertes.csv", "rapport.json"):
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "rapport.json").read_text(encoding="utf-8"))
    assert summary["questions_lues"] == 46 and summary["lignes_rejetees"] == 1  # the empty row
    assert summary["groupes"] == len(report.groups) < 46
    assert summary["logistique_hors_sujet"] == len(report.chatter)
    assert summary["questions_par_s"] > 0


def _group_of(report, text):
    return next(g for g in report.groups if any(q.texte == text for q in g.questions))


def test_near_duplicates_are_answered_once(sample_run):
    report, _, _ = sample_run
    same = [
        (
            "Mon cabinet est-il un ERP si je reçois uniquement sur rendez-vous ?",
            "est ce que un cabinet de kiné c'est un ERP ??",
        ),
        (
            "Le registre public d'accessibilité est-il obligatoire pour un cabinet de 5e catégorie ?",
            "Registre d'accessibilité : obligatoire même pour un cabinet de sage-femme ?",
        ),
        (
            "Quel est le montant de l'aide Paris Méd' ?",
            "Combien peut-on toucher avec Paris Méd' pour un cabinet de groupe ?",
        ),
        (
            "Les aides de la Région sont-elles cumulables avec Paris Méd' ?",
            "Peut-on cumuler la subvention de la Ville et celle de la Région Île-de-France ?",
        ),
    ]
    for a, b in same:
        assert _group_of(report, a) is _group_of(report, b), (a, b)
    assert _group_of(report, "Quel est le montant de l'aide Paris Méd' ?") is not _group_of(
        report, "Bail professionnel ou bail commercial pour un cabinet ?"
    )
    exact = _group_of(report, "Mon cabinet est-il un ERP si je reçois uniquement sur rendez-vous ?")
    assert len(exact.questions) >= 3  # the exact duplicate at the end of the file, too


def test_off_topic_questions_are_left_to_the_staff(sample_run):
    report, out, _ = sample_run
    rows = list(csv.DictReader((out / "non_couvertes.csv").open(encoding="utf-8-sig"), delimiter=";"))
    uncovered = {r["question"] for r in rows}
    assert "Peut-on avoir une place en crèche municipale pour les enfants des soignants ?" in uncovered
    # Known limit (see the report): the calibrated grouping may merge this one with the PLAI question; it must
    # then stay listed, with its author, in its group's request to the staff.
    software = "Quel logiciel de prise de rendez-vous recommandez-vous ?"
    group = _group_of(report, software)
    assert software in uncovered or software in group.variants
    assert all(r["demande_console"] for r in rows)  # pushed to the queue
    covered = {g.question for g in report.covered}
    assert "Bail professionnel ou bail commercial pour un cabinet ?" in covered
    assert len(report.covered) >= len(report.groups) * 0.6


def test_faq_html_is_clean_french_with_citations(sample_run):
    report, out, _ = sample_run
    html = (out / "faq.html").read_text(encoding="utf-8")
    text = unescape(html)
    assert html.startswith("<!doctype html>") and '<html lang="fr">' in html
    assert "Questions-réponses du webinaire Paris Méd'" in text
    assert "Question posée" in html and "Sources :" in html
    assert "@media print" in html
    assert "**" not in html  # Markdown rendered
    assert "<script" not in html and "http://cdn" not in html and "https://cdn" not in html
    for g in report.covered:
        assert g.question in text
    md = (out / "faq.md").read_text(encoding="utf-8")
    assert md.startswith("# Questions-réponses du webinaire Paris Méd'") and "Sources :" in md
    rows = list(csv.DictReader((out / "faq.csv").open(encoding="utf-8-sig"), delimiter=";"))
    assert len(rows) == len(report.covered) and all(r["sources_titres"] for r in rows)


def test_push_to_queue_creates_one_request_per_group(sample_run):
    report, _, requests = sample_run
    assert len(requests) == len(report.groups) == report.pushed
    assert {r.source for r in requests} == {"webinaire"}
    answered = [r for r in requests if r.status == "repondue"]
    assert len(answered) == len(report.covered)
    assert all(r.reponse_par == "assistant" and "Sources :" in r.reponse for r in answered)
    open_ = [r for r in requests if r.status == "nouvelle"]
    assert len(open_) == len(report.uncovered) and all(r.theme for r in open_)


def test_missing_or_empty_file_fails_in_french(tmp_path):
    with pytest.raises(WebinarError, match="introuvable"):
        run_batch(tmp_path / "absent.csv", tmp_path / "out")
    empty = tmp_path / "vide.csv"
    empty.write_text("question\n\n", encoding="utf-8")
    with pytest.raises(WebinarError, match="Aucune question exploitable"):
        run_batch(empty, tmp_path / "out")
    result = CliRunner().invoke(webinar_app, ["answer", str(empty), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1


# --- a messy chat export: chatter, long question, other columns, cp1252, pushed twice ----------------

LONG_QUESTION = (
    "Bonjour, je me permets de détailler notre situation car elle est un peu particulière. "
    + "Nous sommes trois kinésithérapeutes installés depuis plusieurs années dans un local du 18e arrondissement, "
    "au rez-de-chaussée d'un immeuble ancien, avec une marche à l'entrée et un couloir étroit. "
    * 6
    + "Le propriétaire hésite à faire des travaux et nous ne savons pas vers qui nous tourner. "
    "Mon cabinet doit-il être accessible aux personnes handicapées ?"
)
CHATTER = [
    "Bonjour à tous !",
    "Bonjour à tous et bienvenue au webinaire B.A.-BA réglementaire",  # the host's welcome (fifth outside test)
    "où est-ce qu'on trouve la présentation après le webinaire ?",
    "Merci beaucoup pour ce webinaire, c'était très clair",
    "On n'entend plus le son",
    "Est-ce que le replay sera disponible ?",
    "Pourriez-vous partager les slides svp",
]


@pytest.fixture(scope="module")
def messy_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "chat export.csv"
    rows = [
        ("anne@exemple.fr", "Mon cabinet est-il un ERP si je reçois uniquement sur rendez-vous ?", "Anne"),
        ("", "est ce que un cabinet de kiné c'est un ERP ??", "Julie"),
        ("paul@exemple.fr", LONG_QUESTION, "Paul"),
        ("", "Quel est le montant de l'aide Paris Méd', pour 3 médecins ?", "Karim"),
        *[("", c, f"Participant {i}") for i, c in enumerate(CHATTER)],
    ]
    lines = ["email;question;auteur"] + [f'{e};"{q}";{a}' for e, q, a in rows]
    lines.insert(4, "pas;assez;de;colonnes;ici")  # malformed: 5 cells for 3 columns, line 5
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))  # a Windows spreadsheet export
    return path


@pytest.fixture(scope="module")
def messy_runs(tmp_path_factory, staff_store, messy_file):
    before = len(staff_store.all_requests())
    out = tmp_path_factory.mktemp("messy")
    first = run_batch(messy_file, out / "1", push_to_queue=True, store=staff_store)
    after_first = len(staff_store.all_requests())
    second = run_batch(messy_file, out / "2", push_to_queue=True, store=staff_store)
    after_second = len(staff_store.all_requests())
    return first, second, out / "1", (before, after_first, after_second)


def test_any_column_order_delimiter_and_encoding(messy_file):
    result = read_questions(messy_file)
    assert len(result.questions) == 4 + len(CHATTER)
    anne = result.questions[0]
    assert (anne.auteur, anne.email) == ("Anne", "anne@exemple.fr") and "reçois" in anne.texte
    assert any("ligne 5 : 5 colonnes au lieu de 3" in r for r in result.rejects)


def test_chatter_goes_to_the_logistics_part_only(messy_runs):
    first, _, out, _ = messy_runs
    assert sorted(c.question.texte for c in first.chatter) == sorted(CHATTER)
    kinds = {c.question.texte: c.kind for c in first.chatter}
    assert kinds["Est-ce que le replay sera disponible ?"] == "replay"
    assert kinds["Pourriez-vous partager les slides svp"] == "supports"
    assert kinds["où est-ce qu'on trouve la présentation après le webinaire ?"] == "supports"
    assert kinds["On n'entend plus le son"] == "technique"
    summary = json.loads((out / "rapport.json").read_text(encoding="utf-8"))
    assert summary["logistique_par_type"]["replay"] == 1 and summary["logistique_par_type"]["supports"] == 2
    grouped = {q.texte for g in first.groups for q in g.questions}
    assert not grouped & set(CHATTER)  # never in the queue (one request per group)
    uncovered = (out / "non_couvertes.csv").read_text(encoding="utf-8-sig")
    assert not any(c in uncovered for c in CHATTER)
    logistics = list(csv.DictReader((out / "logistique.csv").open(encoding="utf-8-sig"), delimiter=";"))
    assert {r["message"] for r in logistics} == set(CHATTER)


def test_long_question_is_answered_and_kept_whole(messy_runs):
    first, _, out, _ = messy_runs
    assert len(LONG_QUESTION) > 1000
    group = _group_of(first, LONG_QUESTION)
    assert group.covered, "the long question is answered from its question part"
    rows = list(csv.DictReader((out / "questions.csv").open(encoding="utf-8-sig"), delimiter=";"))
    assert LONG_QUESTION in {r["question"] for r in rows}
    # the FAQ's heading is its question part, not the whole message (fifth outside test: 1,333 characters)
    assert group.title == "Mon cabinet doit-il être accessible aux personnes handicapées ?"
    faq = (out / "faq.md").read_text(encoding="utf-8")
    assert f"### {group.title}" in faq and f"### {LONG_QUESTION}" not in faq


def test_second_push_creates_nothing(messy_runs):
    first, second, _, (before, after_first, after_second) = messy_runs
    assert first.pushed == len(first.groups) == after_first - before > 0
    assert second.pushed == 0 and second.already_pushed == len(second.groups)
    assert after_second == after_first
    assert [g.request_id for g in second.groups] == [g.request_id for g in first.groups]


def test_every_row_is_listed_with_its_author(messy_runs):
    first, _, out, _ = messy_runs
    rows = list(csv.DictReader((out / "questions.csv").open(encoding="utf-8-sig"), delimiter=";"))
    assert len(rows) == first.questions
    assert {r["auteur"] for r in rows} >= {"Anne", "Julie", "Paul", "Karim"}


def test_labelled_set_is_read_whole():
    """The independent labelled set (any columns: id, session, auteur, email, question, groupe, type, split)."""
    path = Path(__file__).resolve().parents[3] / "channels" / "webinar" / "eval" / "webinaire_etiquete.csv"
    with path.open(encoding="utf-8") as f:
        gold = list(csv.DictReader(f))
    result = read_questions(path)
    malformed = [r for r in gold if r["type"] == "malformed"]
    assert len(result.questions) == len(gold) - len(malformed)
    assert sum("question vide" in r for r in result.rejects) == len(malformed)


# --- chatter rules beyond the labelled set, batched search and answers -------------------------------

# Written for these tests, not taken from the labelled set: chat lines as participants type them.
MORE_CHATTER = {
    "allo ?": "salutation",
    "+1": "salutation",
    "Bonjour de Marseille !": "salutation",
    "Merci pour cette intervention très riche": "remerciement",
    "Ravie d'avoir participé": "salutation",
    "+1 pour le son": "technique",
    "Pouvez-vous parler plus fort svp": "technique",
    "j'ai un écho terrible": "technique",
    "image bloquée": "technique",
    "Je n'arrive pas à me connecter au lien": "technique",
    "vous pouvez remettre le lien dans le chat ?": "deroulement",
    "À quelle heure se termine le webinaire ?": "deroulement",
    "merci, je regarderai le replay": "replay",
    "on aura les diapos ?": "supports",
    "la connexion est très mauvaise de mon côté": "technique",
    "Vous nous voyez ?": "technique",
    "est-ce que ce webinaire sera disponible en différé ?": "replay",
    "la présentation sera-t-elle mise en ligne ?": "supports",
}
LOOK_LIKE_CHATTER = [
    "Merci de me dire si les kinés sont éligibles",
    "Merci pour le webinaire, je voudrais savoir si mon cabinet est un ERP",
    "Le replay du webinaire sur les aides à l'installation mentionnait un plafond, lequel ?",
    "Qui contacter pour l'enregistrement de la SCM ?",
    "Pouvez-vous répéter le montant du plancher ?",
    "Une caméra dans la salle d'attente, c'est autorisé ?",
    "Le lien vers le formulaire de demande d'aide ?",
    "Merci pour ces précisions, et la durée de l'engagement d'exercice ?",
    "On a un problème avec notre bailleur qui refuse les travaux, que faire ?",
]


@pytest.mark.parametrize("line,kind", sorted(MORE_CHATTER.items()))
def test_chatter_rules_generalise(line, kind):
    assert chatter_kind(line) == kind


@pytest.mark.parametrize("line", LOOK_LIKE_CHATTER)
def test_questions_that_look_like_chatter_are_kept(line):
    assert chatter_kind(line) is None


def test_retrieval_is_batched_and_equals_one_search_per_question(monkeypatch):
    import channels.webinar.grouping as grouping
    from knowledge_base import search, search_many

    texts = [
        "Mon cabinet est-il un ERP ?",
        "mon cabinet est il un ERP",  # same words: searched once
        "Mon cabniet est-il un ERP ?",  # a typo away: reuses the search above
        "Quel est le montant de l'aide Paris Méd' ?",
        "Faut-il une autorisation de travaux pour aménager un cabinet ?",
    ]
    calls: list[list[str]] = []

    def counting(queries, k):
        calls.append(list(queries))
        return search_many(queries, k)

    monkeypatch.setattr(grouping, "search_many", counting)
    ticks: list[int] = []
    got = grouping.retrieve(texts, progress=lambda: ticks.append(1))
    assert len(calls) == 1 and len(calls[0]) == 3 and len(ticks) == len(texts)
    assert got[0] == got[1] == got[2]
    for text in (texts[0], texts[3], texts[4]):
        one = search(text, k=grouping.TOP_K)
        assert got[texts.index(text)].sections == tuple(h.chunk_id for h in one)


def test_groups_are_answered_in_batches(monkeypatch):
    import channels.webinar.batch as batch
    from channels.webinar.models import Question
    from knowledge_base import answer_many

    calls: list[list[str]] = []

    def counting(queries):
        calls.append(list(queries))
        return answer_many(queries)

    monkeypatch.setattr(batch, "answer_many", counting)
    members = [
        [Question(1, "Mon cabinet est-il un ERP ?"), Question(2, "un cabinet de kiné c'est un ERP ?")],
        [Question(3, "Quel est le montant de l'aide Paris Méd' pour 3 médecins ?")],
        [
            Question(4, "Quelle est la meilleure crèche du quartier ?"),
            Question(5, "Une bonne crèche près du cabinet ?"),
        ],
    ]
    groups = batch.answer_groups(members)
    assert len(calls[0]) == 3  # the first round answers every group's title at once
    assert all(len(c) <= 3 for c in calls) and len(calls) <= batch.MAX_ANSWER_TRIES + 1
    assert groups[0].covered and groups[1].covered and not groups[-1].covered
    assert sorted(q.line for g in groups for q in g.questions) == [1, 2, 3, 4, 5]
