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
from channels.webinar.grouping import Retrieval, central_order, group_indices
from channels.webinar.reader import read_questions
from parismed.config import get_settings

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
    assert [q.texte for q in result.questions] == ["Mon cabinet est-il un ERP ?", "Quelle aide pour 3 kinés ?"]
    assert result.questions[1].email == ""  # invalid address dropped, question kept
    joined = "\n".join(result.rejects)
    assert "ligne 3 : question vide" in joined
    assert "ligne 4 : question trop longue" in joined
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


def test_grouping_merges_duplicates_and_uses_the_guide_sections():
    texts = [
        "Mon cabinet est-il un ERP ?",
        "mon cabinet est il un ERP",
        "Quel montant ?",
        "Combien toucher ?",
        "Quelle crèche ?",
    ]
    # cosine: 2-3 at 0.71 + same guide section → merged; 0-2 at 0.70, different sections → not merged
    vectors = _unit([1, 0, 0], [1, 0, 0], [0.7, 0.714, 0], [0.0, 1.0, 0.0], [0, 0, 1])
    retr = [
        Retrieval(("erp",), 0.8),
        Retrieval(("erp",), 0.8),
        Retrieval(("montant", "plancher"), 0.7),
        Retrieval(("montant",), 0.7),
        Retrieval((), 0.0),
    ]
    groups = group_indices(texts, vectors, retr, threshold=0.75)
    assert groups == [[0, 1], [2, 3], [4]]


def test_grouping_threshold_is_respected():
    vectors = _unit([1, 0], [0.9, 0.436])  # cosine 0.90
    retr = [Retrieval(("a",), 1), Retrieval(("b",), 1)]
    assert len(group_indices(["q un", "q deux"], vectors, retr, threshold=0.89)) == 1
    assert len(group_indices(["q un", "q deux"], vectors, retr, threshold=0.91)) == 2


def test_central_member_comes_first():
    vectors = _unit([1, 0.1], [1, 0], [1, 0.3], [0.6, 1])
    assert central_order([0, 1, 2, 3], vectors)[0] in (0, 2)
    assert central_order([0, 1, 2, 3], vectors)[-1] == 3


# --- the batch on the sample file, with the real guide ------------------------------------------


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("webinaire")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PARISMED_DATABASE_URL", f"sqlite:///{tmp / 'staff.db'}")
        get_settings.cache_clear()
        from channels.staff import storage

        storage.dispose_engines()
        report = run_batch(SAMPLE, tmp / "rapport", push_to_queue=True)
        from channels.staff.service import all_requests

        requests = all_requests()
        storage.dispose_engines()
    get_settings.cache_clear()
    return report, tmp / "rapport", requests


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
    for q in (
        "Peut-on avoir une place en crèche municipale pour les enfants des soignants ?",
        "Quel logiciel de prise de rendez-vous recommandez-vous ?",
    ):
        assert q in uncovered
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
