"""Reading the text files people export (CSV from spreadsheets, plain lists): shared by the staff import
and the webinar batch. Encoding by charset-normalizer, CSV dialect by ``csv.Sniffer``."""

from __future__ import annotations

import csv
from pathlib import Path

from charset_normalizer import from_bytes

CSV_DELIMITERS = ";,\t|"
# Encodings French spreadsheets and mail clients export when not UTF-8. Left free, charset-normalizer reads a
# short Windows-1252 text as Central European (« à » → « ŕ »): the candidates are restricted to these.
LEGACY_ENCODINGS = ["cp1252", "iso8859_15", "utf_16", "utf_32", "mac_roman", "cp850"]
SNIFF_LINES = 30  # enough rows for the sniffer to see a consistent delimiter, small enough to stay fast


def decode(raw: bytes) -> str:
    """Text of exported bytes: UTF-8 when it decodes (most files; checked first because a short French text is
    also valid in several legacy code pages), otherwise the encoding charset-normalizer finds (Windows-1252,
    UTF-16 with BOM…). Never fails."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(raw, cp_isolation=LEGACY_ENCODINGS).best()
    if best is not None:
        return str(best)
    return raw.decode("utf-8", errors="replace")


def read_text(path: Path) -> str:
    """The text of ``path`` (see :func:`decode`)."""
    return decode(Path(path).read_bytes())


def sniff_dialect(text: str) -> type[csv.Dialect]:
    """CSV dialect (delimiter, quoting) of ``text`` from its first lines; Excel's comma dialect if unclear."""
    sample = "\n".join(text.splitlines()[:SNIFF_LINES])
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS)
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        if any(d in header for d in CSV_DELIMITERS):  # one-line files: the sniffer needs two rows

            class OneLine(csv.excel):
                delimiter = max(CSV_DELIMITERS, key=header.count)

            return OneLine
        return csv.excel

    class Exported(csv.excel):
        # The sniffer keeps the delimiter and quote it found; it often misses that quotes are doubled inside
        # quoted cells (« "un ""mot""" »), which every spreadsheet writes, so doubled quotes are always read.
        delimiter = sniffed.delimiter
        quotechar = sniffed.quotechar or '"'
        skipinitialspace = sniffed.skipinitialspace

    return Exported


def detect_delimiter(text: str) -> str:
    """The CSV delimiter of ``text`` (« ; », « , », tab or « | »)."""
    return sniff_dialect(text).delimiter
