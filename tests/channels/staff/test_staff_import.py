"""Import of CSV exports and .eml files: good rows stored, bad rows reported, never fatal."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

import pytest
from typer.testing import CliRunner

from channels.staff import staff_app
from channels.staff.importer import import_path
from channels.staff.service import get_request

CSV_TEXT = """date;nom;email;sujet;message
2025-03-03 09:12;Dr Anne Roy;anne.roy@exemple.fr;Recherche de local;Nous cherchons un local de 80 m2 dans le 18e.
04/03/2025;Karim B.;pas-une-adresse;Subvention;Quel montant pour 2 kinés ?
2025-03-05;Léa M.;lea@exemple.fr;;
2025-03-06;Paul;paul@exemple.fr;trop de colonnes;texte;en trop
hier;Marc;marc@exemple.fr;Date;La date de cette ligne est illisible.
2025-03-07 14:00;Sophie T.;sophie@exemple.fr;Accessibilité;"Mon cabinet du 11e a deux marches.
Faut-il une rampe ?"
"""


def _eml(path, subject, body, sender="Dr Jean Dupont <jean.dupont@exemple.fr>", html=False):
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "parismed@paris.fr"
    msg["Subject"] = subject
    msg["Date"] = "Tue, 04 Mar 2025 10:30:00 +0100"
    if html:
        msg.set_content("version texte absente")
        msg.make_alternative()
        msg.get_payload()[0].set_content(body)
        msg.add_alternative(f"<html><body><p>{body}</p><script>alert(1)</script></body></html>", subtype="html")
    else:
        msg.set_content(body)
    path.write_bytes(bytes(msg))


def test_csv_import_stores_good_rows_and_reports_bad_ones(staff_db, fake_guide):
    path = staff_db / "formulaires.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    report = import_path(path)
    assert len(report.created) == 2
    assert len(report.errors) == 4
    joined = "\n".join(report.errors)
    assert "ligne 3 : adresse e-mail invalide « pas-une-adresse »" in joined
    assert "ligne 4 : message vide" in joined
    assert "ligne 5 : 6 colonnes au lieu de 5" in joined
    assert "ligne 6 : date illisible « hier »" in joined
    first, second = (get_request(i) for i in report.created)
    assert first.source == "import"
    assert first.texte == "Recherche de local\n\nNous cherchons un local de 80 m2 dans le 18e."
    assert first.contact == "Dr Anne Roy <anne.roy@exemple.fr>"
    assert first.created_at == datetime(2025, 3, 3, 9, 12)
    assert first.theme == "locaux"
    assert "Faut-il une rampe ?" in second.texte  # quoted multi-line message kept whole


def test_reimport_does_not_duplicate(staff_db, fake_guide):
    path = staff_db / "formulaires.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    import_path(path, classify_now=False)
    again = import_path(path, classify_now=False)
    assert again.created == [] and again.duplicates == 2


def test_csv_with_comma_and_latin1_encoding(staff_db):
    path = staff_db / "export.csv"
    path.write_bytes(
        "Date,Nom,Courriel,Objet,Message\n2025-01-02,Zoé,zoe@exemple.fr,Aide,Quelle aide pour une "
        "orthophoniste à Paris 13e ?\n".encode("cp1252")
    )
    report = import_path(path, classify_now=False)
    assert report.errors == []
    assert "orthophoniste à Paris 13e" in get_request(report.created[0]).texte


def test_csv_without_message_column_is_reported(staff_db):
    path = staff_db / "mauvais.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    report = import_path(path)
    assert report.created == []
    assert "colonnes « message » ou « sujet » introuvables" in report.errors[0]


def test_eml_folder_import(staff_db, fake_guide):
    folder = staff_db / "courriels"
    folder.mkdir()
    _eml(folder / "1.eml", "Cabinet infirmier dans le 20e", "Bonjour, nous cherchons un local pour 3 infirmières.")
    _eml(
        folder / "2.eml",
        "Question ERP",
        "Mon cabinet est-il un ERP ?",
        html=True,
        sender="Cabinet Santé <contact@cabinet-exemple.fr>",
    )
    (folder / "3.eml").write_bytes(b"")
    (folder / "notes.txt").write_text("ignored")
    report = import_path(folder)
    assert len(report.created) == 2
    assert len(report.errors) == 1 and report.errors[0].startswith("3.eml")
    one = get_request(report.created[0])
    assert one.texte == "Cabinet infirmier dans le 20e\n\nBonjour, nous cherchons un local pour 3 infirmières."
    assert one.contact == "Dr Jean Dupont <jean.dupont@exemple.fr>"
    assert one.created_at == datetime(2025, 3, 4, 9, 30)  # stored in UTC
    two = get_request(report.created[1])
    assert "Mon cabinet est-il un ERP ?" in two.texte


def test_html_only_mail_is_turned_into_text(staff_db):
    folder = staff_db / "html"
    folder.mkdir()
    (folder / "a.eml").write_text(
        "From: X <x@exemple.fr>\nSubject: Local\nContent-Type: text/html; charset=utf-8\n\n"
        "<p>Bonjour,<br>je cherche un local</p><script>alert(1)</script>\n",
        encoding="utf-8",
    )
    report = import_path(folder, classify_now=False)
    texte = get_request(report.created[0]).texte
    assert "je cherche un local" in texte and "<p>" not in texte and "alert" not in texte


def test_cli_import_reports_counts_and_errors(staff_db, fake_guide):
    path = staff_db / "formulaires.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    result = CliRunner().invoke(staff_app, ["import", str(path), "--sans-tri"])
    assert result.exit_code == 0, result.output
    assert "2 demande(s) importée(s), 0 déjà présente(s), 4 erreur(s)." in result.output


def test_cli_import_missing_path_fails_cleanly(staff_db):
    result = CliRunner().invoke(staff_app, ["import", str(staff_db / "absent.csv")])
    assert result.exit_code == 1


def test_cli_add_user_from_stdin(staff_db):
    from channels.staff.security import authenticate

    result = CliRunner().invoke(
        staff_app,
        ["add-user", "Nouvel.Agent@paris.fr", "--name", "Nouvel Agent", "--password-stdin"],
        input="un-mot-de-passe-long\n",
    )
    assert result.exit_code == 0, result.output
    assert authenticate("nouvel.agent@paris.fr", "un-mot-de-passe-long").user is not None
    short = CliRunner().invoke(staff_app, ["add-user", "b@paris.fr", "--password-stdin"], input="court\n")
    assert short.exit_code == 1


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2025-03-03", datetime(2025, 3, 3)),
        ("03/03/2025 08:05", datetime(2025, 3, 3, 8, 5)),
        ("Mon, 03 Mar 2025 08:05:00 +0000", datetime(2025, 3, 3, 8, 5)),
        ("n'importe quoi", None),
    ],
)
def test_parse_date(value, expected):
    from channels.staff.importer import parse_date

    assert parse_date(value) == expected
