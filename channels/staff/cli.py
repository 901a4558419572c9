"""Command line: `parismed staff ...` (accounts, import) and `parismed triage ...` (classification)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .security import StaffError

staff_app = typer.Typer(help="Console de l'équipe Paris Méd' : comptes et import des demandes.", no_args_is_help=True)
triage_app = typer.Typer(help="Tri automatique des demandes (thème, priorité, brouillon).", no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)


@staff_app.command("add-user")
def add_user_cmd(
    email: str = typer.Argument(..., help="Adresse e-mail du membre de l'équipe (identifiant)."),
    name: str = typer.Option("", "--name", help="Nom affiché dans la console."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Lire le mot de passe sur l'entrée standard."),
) -> None:
    """Crée un compte (ou change le mot de passe d'un compte existant)."""
    from .security import add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Mot de passe", hide_input=True, confirmation_prompt="Confirmez le mot de passe")
    try:
        user = add_user(email, password, name=name)
    except StaffError as exc:
        err_console.print(f"[red]{escape(exc.message)}[/red]")
        raise typer.Exit(1) from exc
    console.print(escape(f"Compte prêt : {user.email}" + (f" ({user.name})" if user.name else "")))


@staff_app.command("users")
def users_cmd() -> None:
    """Liste les comptes de l'équipe."""
    from .security import list_users

    table = Table("E-mail", "Nom", "Actif", "Créé le")
    for u in list_users():
        table.add_row(escape(u.email), escape(u.name), "oui" if u.active else "non", u.created_at.strftime("%d/%m/%Y"))
    console.print(table)


def _account_cmd(action: str, email: str) -> None:
    from .security import set_active, unlock

    try:
        if action == "unlock":
            lifted = unlock(email)
            console.print(f"{lifted} blocage(s) levé(s) pour {escape(email)}.")
            return
        user = set_active(email, action == "enable")
    except StaffError as exc:
        err_console.print(f"[red]{escape(exc.message)}[/red]")
        raise typer.Exit(1) from exc
    state = "activé" if user.active else "désactivé (ses sessions ouvertes sont fermées)"
    console.print(f"Compte {escape(user.email)} {state}.")


@staff_app.command("disable")
def disable_cmd(email: str = typer.Argument(..., help="Adresse e-mail du compte.")) -> None:
    """Désactive un compte : il ne peut plus se connecter et ses sessions ouvertes sont fermées."""
    _account_cmd("disable", email)


@staff_app.command("enable")
def enable_cmd(email: str = typer.Argument(..., help="Adresse e-mail du compte.")) -> None:
    """Réactive un compte désactivé."""
    _account_cmd("enable", email)


@staff_app.command("unlock")
def unlock_cmd(email: str = typer.Argument(..., help="Adresse e-mail du compte.")) -> None:
    """Lève les blocages après tentatives de connexion infructueuses (toutes adresses)."""
    _account_cmd("unlock", email)


@staff_app.command("import")
def import_cmd(
    path: Path = typer.Argument(
        ..., help="Fichier CSV (date, nom, email, sujet, message) ou dossier de fichiers .eml."
    ),
    no_triage: bool = typer.Option(False, "--sans-tri", help="Importer sans lancer l'analyse automatique."),
) -> None:
    """Importe des courriels ou des réponses de formulaire dans la file des demandes."""
    from .importer import count_items, import_path

    if not path.exists():
        err_console.print(f"[red]Introuvable : {escape(str(path))}[/red]")
        raise typer.Exit(1)
    total = count_items(path)
    with Progress(
        TextColumn("Import"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("import", total=total or None)
        try:
            report = import_path(path, classify_now=not no_triage, progress=lambda: progress.advance(task))
        except StaffError as exc:
            err_console.print(f"[red]{escape(exc.message)}[/red]")
            raise typer.Exit(1) from exc
    console.print(
        f"{len(report.created)} demande(s) importée(s), {report.duplicates} déjà présente(s), "
        f"{len(report.errors)} erreur(s)."
    )
    for e in report.errors:
        err_console.print(f"[yellow]• {escape(str(e))}[/yellow]")


@staff_app.command("list")
def list_cmd(statut: str = typer.Option("", help="nouvelle, en_cours, repondue, close ou toutes.")) -> None:
    """Affiche la file des demandes (priorité puis date)."""
    from .service import QueueFilter, list_requests

    table = Table("N°", "Priorité", "Reçue le", "Thème", "Arr.", "Statut", "Demande")
    for r in list_requests(QueueFilter(status=statut or None)):
        table.add_row(
            str(r.id),
            r.priorite,
            r.created_at.strftime("%d/%m/%Y"),
            r.theme or "—",
            str(r.arrondissement or "—"),
            r.status,
            escape(r.texte[:60].replace("\n", " ")),  # stored text is shown as it is, never as rich markup
        )
    console.print(table)


@triage_app.command("classify")
def classify_cmd(
    texte: str = typer.Argument(..., help="Texte de la demande."),
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON (contrat stable)."),
    source: str = typer.Option("", "--source", help="Origine : chat, formulaire, import."),
) -> None:
    """Classe une demande : thème, professions, arrondissement, priorité, partenaires, brouillon."""
    from .classify import classify

    result = classify(texte, source=source or None)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    console.print(f"[bold]Thème :[/bold] {result['theme']}")
    console.print(f"[bold]Professions :[/bold] {', '.join(result['professions']) or '—'}")
    console.print(
        f"[bold]Arrondissement :[/bold] {result['arrondissement'] or '—'}  "
        f"[bold]Zone ARS :[/bold] {result['zone_ars'] or '—'}"
    )
    console.print(f"[bold]Priorité :[/bold] {result['priorite']['niveau']} — {escape(result['priorite']['raison'])}")
    for p in result["partenaires"]:
        console.print(escape(f"  • {p['nom']} — {p.get('raison', '')} {p.get('url') or ''}"))
    console.print("\n" + escape(result["brouillon"]))


@triage_app.command("evaluate")
def evaluate_cmd(
    labelled: Path = typer.Option(
        None, "--jeu", help="Jeu étiqueté (YAML) ; par défaut eval/demandes_etiquetees.yaml."
    ),
    errors: bool = typer.Option(False, "--erreurs", help="Afficher les demandes mal classées."),
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Mesure la qualité du tri sur le jeu de demandes étiquetées."""
    from .evaluation import evaluate, print_report

    result = evaluate(labelled)
    if as_json:
        typer.echo(json.dumps(result.summary(), ensure_ascii=False, indent=2))
    else:
        print_report(result, console, show_errors=errors)
