"""Writing the FAQ (HTML, Markdown, CSV), the uncovered questions, every question read with its group, the
logistics lines (CSV) and the run report (JSON). CSV cells are neutralised against spreadsheet formulas."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from request_store import safe_csv_row

from .models import BatchReport, Group

HERE = Path(__file__).resolve().parent
_markdown = MarkdownIt("commonmark", {"html": False})  # guide answers are Markdown; raw HTML is not rendered


def _blocks(text: str) -> str:
    """Guide answers separate paragraphs with single newlines: make each line its own Markdown block."""
    out: list[str] = []
    for line in text.strip().splitlines():
        is_item = line.lstrip().startswith(("- ", "* ", "1. "))
        prev_item = bool(out) and out[-1].lstrip().startswith(("- ", "* ", "1. "))
        if out and not (is_item and prev_item):
            out.append("")
        out.append(line)
    return "\n".join(out)


DEFAULT_TITLE = "Questions-réponses du webinaire Paris Méd'"
OTHER_SECTION = "Autres questions"


def french_date(d: date) -> str:
    """« 1er mars 2026 », « 29 novembre 2026 » (Babel, French locale)."""
    text = format_date(d, "d MMMM y", locale="fr_FR")
    return "1er" + text[1:] if d.day == 1 else text


def sections(report: BatchReport) -> list[tuple[str, list[Group]]]:
    """Covered groups by guide page (largest sections first, most asked questions first inside)."""
    by_theme: dict[str, list[Group]] = {}
    for g in report.covered:
        by_theme.setdefault(g.theme or OTHER_SECTION, []).append(g)
    ordered = sorted(by_theme.items(), key=lambda kv: (-sum(len(g.questions) for g in kv[1]), kv[0]))
    return [(theme, sorted(groups, key=lambda g: (-len(g.questions), g.numero))) for theme, groups in ordered]


def write_html(report: BatchReport, path: Path, title: str) -> None:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]))
    env.filters["markdown"] = lambda text: Markup(_markdown.render(_blocks(text or "")))
    html = env.get_template("faq.html").render(
        title=title,
        date=french_date(date.today()),
        sections=sections(report),
        sources=lambda g: g.sources,
        n_questions=report.real_questions,
        n_covered=len(report.covered),
        n_uncovered=len(report.uncovered),
    )
    path.write_text(html, encoding="utf-8")


def write_markdown(report: BatchReport, path: Path, title: str) -> None:
    lines = [
        f"# {title}",
        "",
        f"Document préparé le {french_date(date.today())} à partir des "
        f"{report.real_questions} questions posées pendant le webinaire. Les réponses reprennent le guide "
        "de l'installation de Paris Méd' ; chaque réponse cite ses sources.",
        "",
    ]
    for theme, groups in sections(report):
        lines += [f"## {theme}", ""]
        for g in groups:
            lines += [f"### {g.title}", ""]
            if len(g.questions) > 1:
                lines += [f"*Question posée {len(g.questions)} fois.*", ""]
            lines += [_blocks(g.answer.answer if g.answer else ""), ""]
            srcs = g.sources
            if srcs:
                lines.append("Sources :")
                for s in srcs:
                    label = " — ".join(x for x in (s.get("title"), s.get("section")) if x)
                    lines.append(f"- [{label}]({s['url']})" if s.get("url") else f"- {label}")
                lines.append("")
    if report.uncovered:
        lines += [
            "---",
            "",
            f"{len(report.uncovered)} question(s) ne sont pas traitées par le guide : l'équipe "
            "Paris Méd' y répondra directement.",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(header)
        writer.writerows(safe_csv_row(r) for r in rows)


def write_faq_csv(report: BatchReport, path: Path) -> None:
    rows = []
    for theme, groups in sections(report):
        for g in groups:
            srcs = g.sources
            rows.append(
                [
                    g.numero,
                    theme,
                    g.title,
                    len(g.questions),
                    " | ".join(g.variants),
                    g.answer.answer.strip() if g.answer else "",
                    " | ".join(s.get("url") or "" for s in srcs),
                    " | ".join(" — ".join(x for x in (s.get("title"), s.get("section")) if x) for s in srcs),
                    round(g.answer.score, 3) if g.answer else "",
                ]
            )
    _write_csv(
        path,
        [
            "groupe",
            "rubrique",
            "question",
            "nombre",
            "formulations_voisines",
            "reponse",
            "sources_url",
            "sources_titres",
            "score",
        ],
        rows,
    )


def write_uncovered_csv(report: BatchReport, path: Path) -> None:
    rows = []
    for g in report.uncovered:
        rows.append(
            [
                g.numero,
                g.question,
                len(g.questions),
                " | ".join(g.variants),
                ", ".join(g.authors),
                ", ".join(g.emails),
                ", ".join(str(q.line) for q in g.questions),
                g.request_id or "",
            ]
        )
    _write_csv(
        path,
        ["groupe", "question", "nombre", "formulations_voisines", "auteurs", "emails", "lignes", "demande_console"],
        rows,
    )


def write_questions_csv(report: BatchReport, path: Path) -> None:
    """Every row read, whole, with its group (or its logistics kind): nothing asked is lost."""
    rows: list[list[Any]] = []
    for g in report.groups:
        for q in g.questions:
            rows.append([q.line, q.auteur, q.email, q.texte, g.numero, g.question, "question"])
    for c in report.chatter:
        q = c.question
        rows.append([q.line, q.auteur, q.email, q.texte, "", "", report.chatter_labels.get(c.kind, c.kind)])
    rows.sort(key=lambda r: r[0])
    _write_csv(path, ["ligne", "auteur", "email", "question", "groupe", "titre_du_groupe", "type"], rows)


def write_logistics_csv(report: BatchReport, path: Path) -> None:
    """The « logistique / hors sujet » part: greetings, thanks, sound problems, replay and slides requests."""
    rows = [
        [
            c.question.line,
            report.chatter_labels.get(c.kind, c.kind),
            c.question.texte,
            c.question.auteur,
            c.question.email,
        ]
        for c in report.chatter
    ]
    _write_csv(path, ["ligne", "type", "message", "auteur", "email"], rows)


def write_all(report: BatchReport, out_dir: Path, title: str | None = None) -> list[str]:
    out_dir.mkdir(parents=True, exist_ok=True)
    title = title or DEFAULT_TITLE
    files = {
        "faq.html": lambda p: write_html(report, p, title),
        "faq.md": lambda p: write_markdown(report, p, title),
        "faq.csv": lambda p: write_faq_csv(report, p),
        "non_couvertes.csv": lambda p: write_uncovered_csv(report, p),
        "questions.csv": lambda p: write_questions_csv(report, p),
        "logistique.csv": lambda p: write_logistics_csv(report, p),
    }
    written = []
    for name, writer in files.items():
        writer(out_dir / name)
        written.append(str(out_dir / name))
    (out_dir / "rapport.json").write_text(json.dumps(report.summary(), ensure_ascii=False, indent=2), encoding="utf-8")
    written.append(str(out_dir / "rapport.json"))
    return written
