"""Import of e-mails and form exports: a CSV file (date, nom, email, sujet, message…) or a folder of .eml files.

Bad rows are reported (French message with the row number or file name) and skipped; they never stop
the import. Re-importing the same file does not duplicate requests.
"""

from __future__ import annotations

import csv
import email
import email.policy
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from channels.textfiles import detect_delimiter, read_text
from frenchtext import is_valid_email

from .security import StaffError
from .service import create_request, find_duplicate

COLUMN_ALIASES = {
    "date": ("date", "date_envoi", "recu_le", "reçu le", "received", "horodatage"),
    "nom": ("nom", "name", "auteur", "expediteur", "expéditeur", "prenom_nom", "nom_prenom"),
    "email": ("email", "e-mail", "mail", "courriel", "adresse", "from"),
    "sujet": ("sujet", "objet", "subject", "titre"),
    "message": ("message", "texte", "corps", "body", "contenu", "demande", "question"),
    "telephone": ("telephone", "téléphone", "tel", "tél", "phone"),
}
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y",
)
MAX_MESSAGE = 20_000


@dataclass
class ImportReport:
    created: list[int] = field(default_factory=list)
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_date(value: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        d = datetime.fromisoformat(value)
        return d.astimezone(UTC).replace(tzinfo=None) if d.tzinfo else d
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    try:
        d = parsedate_to_datetime(value)
        return d.astimezone(UTC).replace(tzinfo=None) if d.tzinfo else d
    except (TypeError, ValueError, IndexError):
        return None


def _contact(nom: str, mail: str, tel: str = "") -> str | None:
    parts = [p for p in (nom.strip(), f"<{mail.strip()}>" if mail.strip() else "", tel.strip()) if p]
    return " ".join(parts) or None


def _texte(sujet: str, message: str) -> str:
    sujet, message = sujet.strip(), message.strip()
    if sujet and message:
        return f"{sujet}\n\n{message}"
    return sujet or message


def _map_columns(header: list[str]) -> dict[str, int]:
    norm = [h.strip().lower() for h in header]
    mapping = {}
    for key, aliases in COLUMN_ALIASES.items():
        for i, h in enumerate(norm):
            if h in aliases:
                mapping[key] = i
                break
    return mapping


def _store(
    report: ImportReport,
    where: str,
    texte: str,
    contact: str | None,
    created_at: datetime | None,
    mail: str,
    classify_now: bool,
) -> None:
    if not texte:
        report.errors.append(f"{where} : message vide, ligne ignorée.")
        return
    if len(texte) > MAX_MESSAGE:
        report.errors.append(f"{where} : message trop long ({len(texte)} caractères, maximum {MAX_MESSAGE}).")
        return
    if mail and not is_valid_email(mail):
        report.errors.append(f"{where} : adresse e-mail invalide « {mail.strip()} », ligne ignorée.")
        return
    if find_duplicate("import", texte, contact) is not None:
        report.duplicates += 1
        return
    try:
        report.created.append(
            create_request("import", texte, contact, created_at=created_at, classify_now=classify_now)
        )
    except StaffError as exc:
        report.errors.append(f"{where} : {exc.message}")


def import_csv(path: Path, *, classify_now: bool = True, progress: Callable[[], None] | None = None) -> ImportReport:
    report = ImportReport()
    text = read_text(path)
    dialect = csv.excel()
    dialect.delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        report.errors.append(f"{path.name}, ligne {reader.line_num} : CSV mal formé ({exc}), suite du fichier ignorée.")
    if not rows:
        report.errors.append(f"{path.name} : fichier vide.")
        return report
    header = rows[0][1]
    cols = _map_columns(header)
    if "message" not in cols and "sujet" not in cols:
        report.errors.append(
            f"{path.name} : colonnes « message » ou « sujet » introuvables (colonnes lues : {', '.join(header)})."
        )
        return report
    width = len(header)

    def cell(row: list[str], key: str) -> str:
        i = cols.get(key)
        return row[i] if i is not None and i < len(row) else ""

    for lineno, row in rows[1:]:
        if progress:
            progress()
        if not any(c.strip() for c in row):
            continue
        where = f"{path.name}, ligne {lineno}"
        if len(row) != width:
            report.errors.append(f"{where} : {len(row)} colonnes au lieu de {width}, ligne ignorée.")
            continue
        date_raw = cell(row, "date")
        created_at = parse_date(date_raw)
        if date_raw.strip() and created_at is None:
            report.errors.append(f"{where} : date illisible « {date_raw.strip()} », ligne ignorée.")
            continue
        mail = cell(row, "email")
        _store(
            report,
            where,
            _texte(cell(row, "sujet"), cell(row, "message")),
            _contact(cell(row, "nom"), mail, cell(row, "telephone")),
            created_at,
            mail,
            classify_now,
        )
    return report


_TAG_RE = re.compile(r"<[^>]+>")


def _html_to_text(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style).*?</\1>", " ", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", markup)
    return html.unescape(_TAG_RE.sub(" ", markup))


def parse_eml(path: Path) -> tuple[str, str, str, datetime | None]:
    """(nom, email, texte, date) of one .eml file; raises ValueError with a French message."""
    try:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    except Exception as exc:  # noqa: BLE001 - the stdlib parser raises various errors on broken files
        raise ValueError(f"fichier illisible ({exc})") from exc
    if not msg.keys():
        raise ValueError("ce n'est pas un e-mail (aucun en-tête)")
    from_header = msg.get("From", "")
    addresses = getattr(from_header, "addresses", ())
    nom = addresses[0].display_name if addresses else ""
    mail = addresses[0].addr_spec if addresses else ""
    sujet = str(msg.get("Subject", "") or "")
    body_part = msg.get_body(preferencelist=("plain", "html"))
    body = ""
    if body_part is not None:
        try:
            body = body_part.get_content()
        except (LookupError, UnicodeDecodeError):
            payload = body_part.get_payload(decode=True)
            body = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
        if body_part.get_content_type() == "text/html":
            body = _html_to_text(body)
    body = "\n".join(line.rstrip() for line in body.strip().splitlines())
    date = None
    if msg.get("Date"):
        date = parse_date(str(msg["Date"]))
    return nom, mail, _texte(sujet, body), date


def import_eml_folder(
    folder: Path, *, classify_now: bool = True, progress: Callable[[], None] | None = None
) -> ImportReport:
    report = ImportReport()
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".eml")
    if not files:
        report.errors.append(f"{folder} : aucun fichier .eml trouvé.")
    for path in files:
        if progress:
            progress()
        try:
            nom, mail, texte, date = parse_eml(path)
        except ValueError as exc:
            report.errors.append(f"{path.name} : {exc}, fichier ignoré.")
            continue
        _store(report, path.name, texte, _contact(nom, mail), date, mail, classify_now)
    return report


def import_path(path: Path, *, classify_now: bool = True, progress: Callable[[], None] | None = None) -> ImportReport:
    path = Path(path)
    if path.is_dir():
        return import_eml_folder(path, classify_now=classify_now, progress=progress)
    if not path.exists():
        raise StaffError(f"Fichier introuvable : {path}")
    if path.suffix.lower() == ".eml":
        report = ImportReport()
        try:
            nom, mail, texte, date = parse_eml(path)
        except ValueError as exc:
            report.errors.append(f"{path.name} : {exc}, fichier ignoré.")
            return report
        _store(report, path.name, texte, _contact(nom, mail), date, mail, classify_now)
        return report
    return import_csv(path, classify_now=classify_now, progress=progress)


def count_items(path: Path) -> int:
    path = Path(path)
    if path.is_dir():
        return sum(1 for p in path.iterdir() if p.suffix.lower() == ".eml")
    if path.suffix.lower() == ".eml":
        return 1
    return max(0, len(read_text(path).splitlines()) - 1)
