"""Reading webinar questions: a CSV (question[,auteur,email]) or plain text, one question per line."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from channels.textfiles import detect_delimiter, read_text

MAX_QUESTION = 1000  # the knowledge base refuses longer questions
MIN_QUESTION = 5
QUESTION_COLUMNS = ("question", "questions", "texte", "message", "contenu")
AUTHOR_COLUMNS = ("auteur", "nom", "participant", "name", "author")
EMAIL_COLUMNS = ("email", "e-mail", "mail", "courriel")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Question:
    line: int
    texte: str
    auteur: str = ""
    email: str = ""


@dataclass
class ReadResult:
    questions: list[Question] = field(default_factory=list)
    rejects: list[str] = field(default_factory=list)


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def _check(result: ReadResult, where: str, line: int, texte: str, auteur: str = "", email: str = "") -> None:
    texte = _clean(texte)
    if len(texte) < MIN_QUESTION:
        result.rejects.append(f"{where} : question vide ou trop courte, ligne ignorée.")
        return
    if len(texte) > MAX_QUESTION:
        result.rejects.append(f"{where} : question trop longue ({len(texte)} caractères, maximum {MAX_QUESTION}).")
        return
    email = email.strip()
    if email and not _EMAIL_RE.match(email):
        result.rejects.append(f"{where} : adresse e-mail invalide « {email} » (question gardée, adresse ignorée).")
        email = ""
    result.questions.append(Question(line=line, texte=texte, auteur=_clean(auteur), email=email))


def _looks_like_csv(text: str, path: Path) -> bool:
    first = text.splitlines()[0].strip().lower() if text.strip() else ""
    header = [c.strip().strip('"') for c in re.split(r"[,;\t]", first)]
    return any(c in QUESTION_COLUMNS for c in header) or (path.suffix.lower() == ".csv" and len(header) > 1)


def read_questions(path: Path) -> ReadResult:
    path = Path(path)
    text = read_text(path)
    result = ReadResult()
    if not text.strip():
        result.rejects.append(f"{path.name} : fichier vide.")
        return result
    if not _looks_like_csv(text, path):
        for lineno, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                _check(result, f"{path.name}, ligne {lineno}", lineno, line)
        return result
    dialect = csv.excel()
    dialect.delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        result.rejects.append(f"{path.name} : en-tête illisible.")
        return result

    def col(names: tuple[str, ...]) -> int | None:
        return next((i for i, h in enumerate(header) if h in names), None)

    q_col, a_col, e_col = col(QUESTION_COLUMNS), col(AUTHOR_COLUMNS), col(EMAIL_COLUMNS)
    if q_col is None:
        result.rejects.append(f"{path.name} : colonne « question » introuvable (colonnes lues : {', '.join(header)}).")
        return result
    try:
        for row in reader:
            where = f"{path.name}, ligne {reader.line_num}"
            if not any(c.strip() for c in row):
                continue
            if len(row) > len(header):
                result.rejects.append(f"{where} : {len(row)} colonnes au lieu de {len(header)}, ligne ignorée.")
                continue

            def cell(i: int | None, row: list[str] = row) -> str:
                return row[i] if i is not None and i < len(row) else ""

            _check(result, where, reader.line_num, cell(q_col), cell(a_col), cell(e_col))
    except csv.Error as exc:
        result.rejects.append(f"{path.name}, ligne {reader.line_num} : CSV mal formé ({exc}), suite ignorée.")
    return result
