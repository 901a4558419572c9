"""Command line: `parismed webinar answer questions.csv --out rapport/`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from request_store import RequestStoreError

from .batch import Progress as Progress_
from .batch import WebinarError
from .chatter import chatter_rules
from .grouping import calibrated_params
from .run import run_batch

webinar_app = typer.Typer(
    help="Suivi des webinaires : réponses groupées aux questions des participants.", no_args_is_help=True
)
console = Console()
err_console = Console(stderr=True)


@contextmanager
def progress_bar() -> Iterator[Progress_]:
    """A rich progress bar on stderr, one task per step of the batch (reading, search, answers…)."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as progress:

        def step(label: str, total: int | None) -> Callable[[], None]:
            task = progress.add_task(label, total=total)
            return lambda: progress.advance(task)

        yield step


@webinar_app.callback()
def _group() -> None:
    """Suivi des webinaires : réponses groupées aux questions des participants."""


@webinar_app.command("answer")
def answer_cmd(
    questions: Path = typer.Argument(
        ...,
        help="CSV (colonne question, auteur et email facultatifs, dans n'importe quel ordre) ou texte, "
        "une question par ligne.",
    ),
    out: Path = typer.Option(Path("rapport-webinaire"), "--out", help="Dossier de sortie."),
    push_to_queue: bool = typer.Option(
        False, "--push-to-queue", help="Créer une demande par groupe dans la console de l'équipe."
    ),
    threshold: float | None = typer.Option(
        None, "--seuil", help="Seuil de regroupement des questions voisines (par défaut : celui calibré)."
    ),
    title: str = typer.Option("", "--titre", help="Titre du document de questions-réponses."),
) -> None:
    """Regroupe les questions voisines, répond à chacune une fois à partir du guide et écrit la FAQ."""
    with progress_bar() as step:
        try:
            params = calibrated_params()
            if threshold is not None:
                params = replace(params, threshold=threshold)
            report = run_batch(
                questions, out, push_to_queue=push_to_queue, params=params, title=title or None, progress=step
            )
        except WebinarError as exc:
            err_console.print(f"[red]{exc.message}[/red]")
            raise typer.Exit(1) from exc
        except RequestStoreError as exc:
            err_console.print(f"[red]Console de l'équipe indisponible : {exc}[/red]")
            raise typer.Exit(1) from exc
    s = report.summary()
    console.print(
        f"{s['questions_lues']} messages lus, dont {s['logistique_hors_sujet']} de logistique ou hors sujet ; "
        f"{s['groupes']} groupes de questions ({s['questions_fusionnees']} questions fusionnées) : "
        f"{s['groupes_couverts']} traités par le guide, {s['groupes_non_couverts']} à traiter par l'équipe."
    )
    counts = report.chatter_counts()
    organisers = [f"{report.chatter_labels[k]} : {counts.get(k, 0)}" for k in chatter_rules().counted]
    console.print("Pour les organisateurs — " + " ; ".join(organisers) + ".")
    console.print(f"Durée : {s['duree_s']} s ({s['questions_par_s']} questions/s).")
    if push_to_queue:
        console.print(
            f"{report.pushed} demande(s) créée(s) dans la console de l'équipe"
            + (
                f", {report.already_pushed} déjà envoyée(s) lors d'un passage précédent."
                if report.already_pushed
                else "."
            )
        )
    for r in report.rejects:
        err_console.print(f"[yellow]• {r}[/yellow]")
    console.print("Fichiers écrits :")
    for f in report.files:
        console.print(f"  {f}")
