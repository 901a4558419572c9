"""`parismed` command line: the same public APIs as the chat and the HTTP API, for scripts and staff."""

from __future__ import annotations

import json
import os
import re
import sys
from typing import NoReturn

import typer

# typer (0.29, pinned) vendors its own copy of click: its usage errors are these classes, not click's.
from typer._click import exceptions as click

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

app = typer.Typer(
    help="Assistant Paris Méd' : guide réglementaire, estimation de l'aide, orientation.",
    no_args_is_help=True,
    add_completion=False,
)
kb_app = typer.Typer(help="Base de connaissances (guide B.A.-BA réglementaire).", no_args_is_help=True)
app.add_typer(kb_app, name="kb")


# The json module's messages, said in French (the start of the message, before « at … »).
JSON_PROBLEMS = {
    "Expecting property name enclosed in double quotes": "nom de champ attendu entre guillemets droits",
    "Expecting value": "valeur attendue",
    "Expecting ',' delimiter": "virgule attendue",
    "Expecting ':' delimiter": "deux-points attendus",
    "Unterminated string starting": "texte entre guillemets non terminé",
    "Extra data": "texte en trop après le profil",
    "Invalid control character": "caractère de contrôle interdit",
    "Invalid \\escape": "caractère d'échappement invalide",
}

# Commands that use the guide's knowledge base: it is pointed at the settings' guide, index and models first.
_KB_COMMANDS = {"ask", "kb", "triage", "webinar"}


@app.callback()
def _compose(ctx: typer.Context) -> None:
    from parismed.composition import configure_rules_bridge

    configure_rules_bridge()  # every command estimates with the active grid (or manages it: `grille`)
    if ctx.invoked_subcommand in _KB_COMMANDS:
        from parismed.composition import configure_knowledge_base

        configure_knowledge_base()
    if ctx.invoked_subcommand in ("staff", "triage", "webinar", "grille"):  # the console's database and store
        from parismed.staff_wiring import configure_staff

        configure_staff(migrate=ctx.invoked_subcommand != "triage")


def _fail(message: str, code: int = 2) -> NoReturn:
    """Every failed command: one French message on stderr, nothing on stdout, exit code 2."""
    typer.echo(f"Erreur\u00a0: {message}", err=True)
    raise typer.Exit(code)


def _print_json(data) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False))


@kb_app.command("build")
def kb_build(force: bool = typer.Option(False, "--force", help="Reconstruit même si le guide n'a pas changé.")):
    """Construit l'index (BM25 + FAISS) du guide, seulement si le guide a changé."""
    from knowledge_base import KnowledgeBaseError, build_index

    try:
        result = build_index(force=force, progress=True)
    except KnowledgeBaseError as exc:
        _fail(str(exc))
    state = "reconstruit" if result["rebuilt"] else "à jour"
    typer.echo(f"Index du guide {state} : {result['sections']} sections ({result['dir']}).")


@app.command()
def ask(
    question: str | None = typer.Argument(None, help="La question, en français."),
    as_json: bool = typer.Option(False, "--json", help="Réponse JSON (answer, answered, sources, score)."),
    jsonl: bool = typer.Option(False, "--jsonl", help="Lit une question par ligne sur l'entrée standard."),
):
    """Répond à une question à partir du guide, avec ses sources."""
    from knowledge_base import KnowledgeBaseError, answer, get_service

    if jsonl:
        try:
            get_service()  # models loaded once for the whole batch
        except KnowledgeBaseError as exc:
            _fail(str(exc))
        failed = 0
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                _print_json(answer(line).to_contract())
            except KnowledgeBaseError as exc:
                # One line per question still (outputs stay aligned with the questions), but an error, not an answer:
                # no « answer » a script could take for one. The batch goes on and ends with exit code 2.
                failed += 1
                typer.echo(f"Erreur\u00a0: ligne {number}\u00a0: {exc}", err=True)
                _print_json({"erreur": str(exc), "ligne": number})
        if failed:
            raise typer.Exit(2)
        return
    if question is None:
        _fail("indiquez une question, ou --jsonl pour lire les questions sur l'entrée standard.")
    try:
        result = answer(question)
    except KnowledgeBaseError as exc:
        _fail(str(exc))
    if as_json:
        _print_json(result.to_contract())
        return
    typer.echo(result.answer)
    for s in result.sources:
        typer.echo(f"  Source : {s.title} — {s.section} {s.url or s.document}".rstrip())


# The profile's format, for a newcomer who only has --help (fifth outside test: six profiles written ahead, all refused).
PROFILE_HELP = (
    "Le profil (JSON) : « professionnels » (obligatoire), une liste de { « profession », « nombre », et « secteur » "
    "pour les médecins } ; le lieu, « code_postal » ou « arrondissement » (obligatoire) ; facultatifs : « structure » "
    "(cabinet_groupe, msp, centre_sante…), « projet » (une valeur ou une liste : installation, agrandissement, "
    "demenagement, maintien, travaux, equipement…), « qpv » et « projet_sante » (true ou false), "
    "« depenses_investissement_eur ». Les professions s'écrivent en toutes lettres (« kiné », « sage-femme »).\n\n"
    'Exemple : parismed estimate --json \'{"professionnels": [{"profession": "infirmier", "nombre": 2}], '
    '"arrondissement": 19}\''
)


@app.command(epilog=PROFILE_HELP)
def estimate(
    profile: str = typer.Option(..., "--json", help="Profil du projet, en JSON."),
):
    """Estime l'éligibilité à Paris Méd' et l'aide plancher (simulation indicative)."""
    from rules_bridge import RulesBridgeError
    from rules_bridge import estimate as run_estimate

    try:
        data = json.loads(profile)
    except json.JSONDecodeError as exc:
        problem = JSON_PROBLEMS.get(exc.msg.split(" at")[0], "syntaxe invalide")
        _fail(f"le profil n'est pas un JSON valide ({problem}, colonne {exc.colno}).")
    try:
        result = run_estimate(data)
    except RulesBridgeError as exc:  # a field of the profile (ProfileError, naming it) or the grid itself (GridError)
        _fail(str(exc))
    _print_json(result.to_contract())


@app.command()
def orient(
    besoin: str = typer.Argument(..., help="Le besoin, en quelques mots."),
    as_json: bool = typer.Option(False, "--json", help="Réponse JSON."),
):
    """Indique les partenaires à contacter pour un besoin."""
    from rules_bridge import RulesBridgeError
    from rules_bridge import orient as run_orient

    if not besoin.strip():
        _fail("décrivez votre besoin en quelques mots.")
    try:
        result = run_orient(besoin)
    except RulesBridgeError as exc:
        _fail(str(exc))
    data = result.to_contract()
    if as_json:
        _print_json(data)  # {"partenaires": [], "message": …} when no partner of the list matches the need
        return
    if not data["partenaires"]:
        typer.echo(data["message"])
    for p in data["partenaires"]:
        typer.echo(f"- {p['nom']} : {p['raison']} {p['url']}".rstrip())


@app.command()
def run(
    no_rasa: bool = typer.Option(False, "--sans-rasa", help="Démarre seulement l'application (API, pages)."),
):
    """Démarre Rasa et l'application, attend qu'ils répondent, puis affiche l'adresse."""
    from parismed.launcher import run_all

    raise typer.Exit(run_all(with_rasa=not no_rasa))


def _add_channel_subcommands() -> None:
    """Channel commands (staff, triage, webinar) live with their channel; imported here, not at start."""
    from channels.staff import staff_app, triage_app
    from channels.webinar import webinar_app

    app.add_typer(staff_app, name="staff")
    from parismed import cli_privacy  # `parismed purge`, `parismed staff erase`

    cli_privacy.register(app, staff_app)
    app.add_typer(triage_app, name="triage")
    app.add_typer(webinar_app, name="webinar")


_add_channel_subcommands()
__import__("parismed.cli_grille").cli_grille.register(app)  # `parismed grille …` and the active grid


def _add_cluster_subcommands() -> None:
    """`parismed cluster run`: the scaled stack (make run-cluster)."""
    from parismed.cli_cluster import app as cluster_app

    app.add_typer(cluster_app, name="cluster")


_add_cluster_subcommands()


def usage_error_message(error: click.UsageError) -> str:
    """A usage error of the command line (an unknown option, a missing or extra argument), said in French: the
    library's own messages are in English."""
    hint = error.ctx.command_path if error.ctx else "parismed"
    if isinstance(error, click.NoSuchOption):
        close = sorted(error.possibilities or [])
        suggestion = f" (vouliez-vous dire {' ou '.join(close)} ?)" if close else ""
        return f"option inconnue\u00a0: {error.option_name}{suggestion}. Aide\u00a0: {hint} --help"
    if isinstance(error, click.BadOptionUsage):
        return f"l'option {error.option_name} attend une valeur. Aide\u00a0: {hint} --help"
    if isinstance(error, click.BadParameter):  # a missing parameter too
        name = error.param.name if error.param and error.param.name else "un paramètre"
        if isinstance(error, click.MissingParameter):
            return f"paramètre manquant\u00a0: {name}. Aide\u00a0: {hint} --help"
        return f"valeur invalide pour {name}. Aide\u00a0: {hint} --help"
    unknown = re.match(r"No such command '(.+)'", error.message)
    if unknown:
        return f"commande inconnue\u00a0: {unknown.group(1)}. Aide\u00a0: {hint} --help"
    extra = re.match(r"Got unexpected extra argument(?:\(s\)|s)? \((.+)\)", error.message)
    if extra:
        return (
            f"argument en trop\u00a0: {extra.group(1)}. Mettez la question ou le besoin entre guillemets, "
            f'par exemple\u00a0: parismed ask "Mon cabinet est-il un ERP ?". Aide\u00a0: {hint} --help'
        )
    return f"commande mal formée. Aide\u00a0: {hint} --help"


def main() -> None:
    """The `parismed` program: the commands above, with usage errors in French and exit code 2 like every other
    failure (`_fail`)."""
    try:
        code = app(standalone_mode=False)
    except click.NoArgsIsHelpError as error:
        typer.echo(error.ctx.get_help() if error.ctx else "", err=True)
        sys.exit(error.exit_code)
    except click.UsageError as error:
        typer.echo(f"Erreur\u00a0: {usage_error_message(error)}", err=True)
        sys.exit(error.exit_code)
    except typer.Abort:
        typer.echo("Interrompu.", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
