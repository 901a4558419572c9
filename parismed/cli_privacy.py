"""`parismed purge` and `parismed staff erase`: the retention period and the right to erasure, by hand.

Registered by ``parismed.cli`` (composition root: it knows the settings, the request store and the trackers).
"""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.markup import escape

import request_store
from parismed import retention
from parismed.config import get_settings

console = Console()
err_console = Console(stderr=True)


def _store() -> request_store.Store:
    store = request_store.open_store(get_settings().sqlalchemy_url)
    store.upgrade()
    return store


def purge_cmd(
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON (nombre d'éléments supprimés par catégorie)."),
) -> None:
    """Supprime ce qui dépasse la durée de conservation (PARISMED_RETENTION_MONTHS, 12 mois par défaut) :
    demandes et transcriptions, journal d'audit, traces de connexion, conversations de l'assistant."""
    settings = get_settings()
    report = retention.purge(settings, _store())
    if as_json:
        typer.echo(json.dumps({"avant": report.cutoff.isoformat(), **report.counts}, ensure_ascii=False))
        return
    console.print(
        f"Conservation : {settings.retention_months} mois ; supprimé tout ce qui date d'avant le "
        f"{report.cutoff:%d/%m/%Y} :"
    )
    labels = {
        "demandes": "demandes (avec leur transcription)",
        "journal": "lignes du journal d'audit",
        "connexions": "traces de connexion",
        "sessions_revoquees": "sessions révoquées expirées",
        "conversations": "conversations de l'assistant",
    }
    for key, label in labels.items():
        console.print(f"  {report.counts.get(key, 0)} {label}")


def erase_cmd(
    contact: str = typer.Option(..., "--contact", help="Adresse e-mail de la personne dont effacer les données."),
    by: str = typer.Option("console", "--par", help="Qui demande l'effacement (inscrit au journal d'audit)."),
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Efface les demandes d'une personne (texte, transcription, journal) et ses conversations avec l'assistant."""
    try:
        report = retention.erase_contact(get_settings(), _store(), contact, by)
    except request_store.RequestStoreError as exc:
        err_console.print(f"[red]{escape(exc.message)}[/red]")
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(report.model_dump(), ensure_ascii=False))
        return
    ids = ", ".join(f"n° {i}" for i in report.request_ids) or "aucune"
    console.print(
        f"Effacé pour {escape(contact)} : {len(report.request_ids)} demande(s) ({ids}), "
        f"{report.conversations} conversation(s) de l'assistant."
    )


def register(app: typer.Typer, staff_app: typer.Typer) -> None:
    app.command("purge")(purge_cmd)
    staff_app.command("erase")(erase_cmd)
