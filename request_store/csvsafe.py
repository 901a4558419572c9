"""CSV cells a spreadsheet cannot run as a formula (OWASP « CSV injection »)."""

from __future__ import annotations

from typing import Any

# A cell starting with one of these is read as a formula by Excel, LibreOffice or Google Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "｜", "＝", "＋", "－", "＠")


def safe_csv_cell(value: Any) -> str:
    """The cell's text, prefixed with an apostrophe when a spreadsheet would read it as a formula.

    Numbers (int, float) are written as they are: ``-3`` stays a number. ``None`` becomes an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS) or text.lstrip(" \u00a0\u202f").startswith(("=", "+", "@")):
        return "'" + text
    return text


def safe_csv_row(values: list[Any]) -> list[str]:
    return [safe_csv_cell(v) for v in values]
