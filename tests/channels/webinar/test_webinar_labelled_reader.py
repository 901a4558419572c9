"""The one reader of the labelled webinar files (reader.read_labelled), used by the evaluation and the chatter
training. The rows below are written for this test."""

from __future__ import annotations

import csv

from channels.webinar import chatter_training, evaluation
from channels.webinar.reader import read_labelled

HEADER = ["id", "session", "auteur", "email", "question", "groupe", "type", "split"]
ROWS = [
    ["bav001", "c1", "Léa G.", "", "Le dépôt, c'est jusqu'à quand ?", "q001", "question", "dev"],
    ["bav002", "c1", "Marc", "marc@exemple.fr", "merci   beaucoup", "-", "chatter", "test"],
    ["bav003", "c2", "", "", "On aura le « replay » ?", "-", "replay", "dev"],
    ["bav004", "c2", "Inès", "", "   ", "-", "malformed", "dev"],
]


def _write(path, header, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_rows_ids_and_splits(tmp_path):
    path = _write(tmp_path / "jeu.csv", HEADER, ROWS)
    rows = read_labelled(path)
    assert [r.id for r in rows] == ["bav001", "bav002", "bav003", "bav004"]
    assert [r.question.line for r in rows] == [1, 2, 3, 4]
    first = rows[0]
    assert first.question.texte == "Le dépôt, c'est jusqu'à quand ?"  # the quoted comma stays in the question
    assert (first.groupe, first.type, first.split, first.question.auteur) == ("q001", "question", "dev", "Léa G.")
    assert rows[1].question.texte == "merci beaucoup"  # whitespace normalised as in the batch
    assert [r.id for r in read_labelled(path, "dev")] == ["bav001", "bav003", "bav004"]


def test_a_training_file_without_split_or_type_columns(tmp_path):
    path = _write(tmp_path / "train.csv", ["id", "question", "groupe"], [["1", "Quel bail choisir ?", "p1"]])
    (row,) = read_labelled(path, "train")
    assert (row.type, row.split, row.question.auteur, row.question.email) == ("question", "train", "", "")


def test_evaluation_and_chatter_training_read_through_it(tmp_path):
    path = _write(tmp_path / "jeu.csv", HEADER, ROWS)
    assert evaluation.read_labelled is read_labelled  # no wrapper of its own
    # the chatter training learns the question and chatter types only, never a malformed row
    assert chatter_training.read_lines(path, "dev") == [
        ("Le dépôt, c'est jusqu'à quand ?", "question"),
        ("On aura le « replay » ?", "replay"),
    ]
