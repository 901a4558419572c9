"""Command line: `parismed webinar answer questions.csv --out rapport/`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .batch import WebinarError, run_batch
from .grouping import DEFAULT_THRESHOLD

webinar_app = typer.Typer(
    help="Suivi des webinaires : réponses groupées aux questions des participants.", no_args_is_help=True
)
console = Console()
err_console = Console(stderr=True)


@webinar_app.callback()
def _group() -> None:
    """Suivi des webinaires : réponses groupées aux questions des participants."""


@webinar_app.command("answer")
def answer_cmd(
    questions: Path = typer.Argument(
        ..., help="CSV (colonnes question[,auteur,email]) ou texte, une question par ligne."
    ),
    out: Path = typer.Option(Path("rapport-webinaire"), "--out", help="Dossier de sortie."),
    push_to_queue: bool = typer.Option(
        False, "--push-to-queue", help="Créer une demande par groupe dans la console de l'équipe."
    ),
    threshold: float = typer.Option(DEFAULT_THRESHOLD, "--seuil", help="Seuil de regroupement des questions voisines."),
    title: str = typer.Option("", "--titre", help="Titre du document de questions-réponses."),
) -> None:
    """Regroupe les questions voisines, répond à chacune une fois à partir du guide et écrit la FAQ."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:

        def step(label: str, total: int | None):
            task = progress.add_task(label, total=total)
            return lambda: progress.advance(task)

        try:
            report = run_batch(
                questions, out, push_to_queue=push_to_queue, threshold=threshold, title=title or None, progress=step
            )
        except WebinarError as exc:
            err_console.print(f"[red]{exc.message}[/red]")
            raise typer.Exit(1) from exc
    s = report.summary()
    console.print(
        f"{s['questions_lues']} questions lues, {s['groupes']} groupes "
        f"({s['questions_fusionnees']} questions fusionnées) : {s['groupes_couverts']} traités par le guide, "
        f"{s['groupes_non_couverts']} à traiter par l'équipe."
    )
    console.print(f"Durée : {s['duree_s']} s ({s['questions_par_s']} questions/s).")
    if push_to_queue:
        console.print(f"{report.pushed} demande(s) créée(s) dans la console de l'équipe.")
    for r in report.rejects:
        err_console.print(f"[yellow]• {r}[/yellow]")
    console.print("Fichiers écrits :")
    for f in report.files:
        console.print(f"  {f}")
