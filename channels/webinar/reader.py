"""Reading webinar questions: a CSV (a question column, optional author and e-mail, in any order, any delimiter,
any encoding) or a plain text file, one question per line. Bad rows are reported with their line number and
never stop the run.

Also the one reader of the labelled webinar files (`eval/*.csv`, read by the evaluation and the trainings).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from channels.textfiles import read_text, sniff_dialect
from frenchtext import key, normalise_email, words

from .chatter import chatter_rules
from .models import MAX_QUERY, Question, ReadResult

QUESTION_COLUMNS = ("question", "questions", "texte", "text", "message", "contenu", "commentaire")
AUTHOR_COLUMNS = ("auteur", "nom", "participant", "name", "author", "pseudo", "prenom nom", "nom prenom")
EMAIL_COLUMNS = ("email", "e mail", "mail", "courriel", "adresse mail", "adresse e mail")


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def make_question(line: int, texte: str, auteur: str = "", email: str = "") -> Question:
    texte = _clean(texte)
    return Question(
        line=line,
        texte=texte,
        auteur=_clean(auteur),
        email=email,
        query=chatter_rules().question_part(texte, MAX_QUERY),
    )


def _check(result: ReadResult, where: str, line: int, texte: str, auteur: str = "", email: str = "") -> None:
    if not words(texte) and not any(unicodedata.category(c) == "So" for c in texte):  # empty or « ? », « ... »
        result.rejects.append(f"{where} : question vide, ligne ignorée.")
        return
    address = ""
    if email.strip():
        address = normalise_email(email) or ""
        if not address:
            result.rejects.append(
                f"{where} : adresse e-mail invalide « {email.strip()} » (question gardée, adresse ignorée)."
            )
    result.questions.append(make_question(line, texte, auteur, address))


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((i for i, h in enumerate(header) if h in names), None)


def _is_csv(text: str) -> tuple[bool, type[csv.Dialect]]:
    """A CSV is a file whose first row, split by the sniffed dialect, names a question column."""
    dialect = sniff_dialect(text)
    first = next(csv.reader(io.StringIO(text.split("\n", 1)[0]), dialect), [])
    return _column([key(c) for c in first], QUESTION_COLUMNS) is not None, dialect


def read_questions(path: Path) -> ReadResult:
    path = Path(path)
    text = read_text(path).replace("\x00", "")
    result = ReadResult()
    if not text.strip():
        result.rejects.append(f"{path.name} : fichier vide.")
        return result
    is_csv, dialect = _is_csv(text)
    if not is_csv:
        if path.suffix.lower() == ".csv":
            columns = ", ".join(text.splitlines()[0].split(dialect.delimiter))
            result.rejects.append(f"{path.name} : colonne « question » introuvable (colonnes lues : {columns}).")
            return result
        for lineno, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                _check(result, f"{path.name}, ligne {lineno}", lineno, line)
        return result

    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header = [key(h) for h in next(reader)]
    q_col = _column(header, QUESTION_COLUMNS)
    a_col, e_col = _column(header, AUTHOR_COLUMNS), _column(header, EMAIL_COLUMNS)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a NUL byte or an unterminated quote: report the row, read on
            result.rejects.append(f"{path.name}, ligne {start} : ligne CSV mal formée ({exc}), ligne ignorée.")
            continue
        where = f"{path.name}, ligne {start}"
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(header):
            if q_col != len(header) - 1:
                result.rejects.append(f"{where} : {len(row)} colonnes au lieu de {len(header)}, ligne ignorée.")
                continue
            # the question is the last column: an unquoted delimiter inside it split it, join it back
            row = [*row[:q_col], dialect.delimiter.join(row[q_col:])]
            result.rejects.append(f"{where} : séparateur « {dialect.delimiter} » dans la question (question gardée).")

        def cell(i: int | None, row: list[str] = row) -> str:
            return row[i] if i is not None and i < len(row) else ""

        _check(result, where, start, cell(q_col), cell(a_col), cell(e_col))
    return result


@dataclass(frozen=True)
class LabelledRow:
    """A row of a labelled webinar file (`eval/*.csv`, written with Python's csv module: columns id, session,
    auteur, email, question, groupe, type, split)."""

    id: str  # as written (« 12 », « bav001 »)
    question: Question  # its `line` is the row's number among the data rows, from 1
    groupe: str  # gold group (« - » for a line that is not a question)
    type: str  # question, chatter, replay, slides or malformed
    split: str  # dev or test in the labelled set, « train » in the training files


def read_labelled(path: Path, split: str | None = None) -> list[LabelledRow]:
    """The rows of a labelled webinar file, those of one split when `split` is given (a file without a split
    column is « train »; without a type column every row is a question)."""
    with Path(path).open(encoding="utf-8", newline="") as f:
        rows = [
            LabelledRow(
                r["id"],
                make_question(n, r["question"], r.get("auteur") or "", r.get("email") or ""),
                r["groupe"],
                r.get("type") or "question",
                r.get("split") or "train",
            )
            for n, r in enumerate(csv.DictReader(f), start=1)
        ]
    return [r for r in rows if split is None or r.split == split]
