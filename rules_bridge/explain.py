"""French explanations of an estimate (Markdown for the chat and the CLI, HTML for the staff console)."""

from __future__ import annotations

from markdown_it import MarkdownIt

from frenchtext import format_eur
from rules_bridge.engine import Estimate
from rules_bridge.grid import load_grid
from rules_bridge.reference import load_reference


def _md_escape_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def explain_markdown(estimate: Estimate, *, with_sources: bool = True) -> str:
    """The estimate in plain French: result, reasons, line-by-line computation, assumptions, partners, caveat."""
    e = estimate
    ref = load_reference()
    out: list[str] = ["## Estimation indicative de l'aide plancher Paris Méd'", ""]

    if e.eligible and e.aide_investissement:
        out.append(
            f"**Votre projet semble éligible. Aide plancher estimée : au moins {format_eur(e.aide_plancher_eur)} "
            "(estimation indicative).**"
        )
    elif e.eligible:
        out.append(
            "**Votre demande relève de l'accompagnement Paris Méd', sans aide en investissement à ce stade (0 €).**"
        )
    else:
        out.append("**En l'état, votre projet ne semble pas éligible à l'aide en investissement (0 €).**")
    out += ["", "### Pourquoi", ""]
    out += [f"- {m}" for m in e.motifs]

    if e.non_retenus:
        out += ["", "### Non retenus dans l'aide plancher", ""]
        out += [f"- {n.nombre} {n.libelle} : {n.raison}" for n in e.non_retenus]

    out += ["", f"### Détail du calcul (grille {e.version_grille})", ""]
    if with_sources:
        out += ["| Ligne | Montant | Fondement |", "|---|---:|---|"]
        for line in e.detail:
            out.append(
                f"| {_md_escape_cell(line.ligne)} | {format_eur(line.montant_eur)} | "
                f"{_md_escape_cell(line.fondement)} |"
            )
        out.append(f"| **Aide plancher estimée** | **{format_eur(e.aide_plancher_eur)}** | |")
    else:
        out += [f"- {line.ligne} : {format_eur(line.montant_eur)}" for line in e.detail]
        out.append(f"- **Aide plancher estimée : {format_eur(e.aide_plancher_eur)}**")

    if e.hypotheses:
        out += ["", "### Hypothèses retenues", ""]
        out += [f"- {h}" for h in e.hypotheses]
    if e.a_preciser:
        out += ["", "### Pour affiner l'estimation, précisez", ""]
        out += [f"- {q}" for q in e.a_preciser]
    if e.partenaires:
        out += ["", "### Qui contacter", ""]
        for p in e.partenaires:
            link = f" — {p.url}" if p.url else ""
            unverified = " (adresse à vérifier)" if p.url and not p.url_verifiee else ""
            contact = f" Contact : {p.contact}." if p.contact and not p.url else ""
            out.append(f"- **{p.nom}** : {p.raison}{contact}{link}{unverified}")

    if with_sources:
        cond = load_grid(e.version_grille).conditions
        cited = sorted(
            {k for line in e.detail for k in line.source_keys}
            | set(cond.territoire_tout_paris.sources)
            | set(cond.min_professionnels.sources)
        )
        if cited:  # as users read them: the public link or the document named plainly, never a key or a file
            out += ["", "### Sources", ""]
            out += [f"- {ref.sources[k].citation()}" for k in cited]

    out += ["", f"> **Avertissement** : {e.avertissement}", ""]
    return "\n".join(out)


_md = MarkdownIt("commonmark", {"html": False}).enable("table")


def explain_html(estimate: Estimate, *, with_sources: bool = True) -> str:
    """The same explanation rendered as HTML (raw HTML in the text is escaped)."""
    return str(_md.render(explain_markdown(estimate, with_sources=with_sources)))
