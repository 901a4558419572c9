"""Reading the text files people export (CSV from spreadsheets, plain lists): shared by the staff import
and the webinar batch."""

from __future__ import annotations

from pathlib import Path


def read_text(path: Path) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as older spreadsheets write it; never fails."""
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def detect_delimiter(text: str) -> str:
    """The most frequent of « ; », « , » and tab in the header line (spreadsheets export either)."""
    header = text.splitlines()[0] if text else ""
    return max(";,\t", key=header.count) if any(d in header for d in ";,\t") else ","
