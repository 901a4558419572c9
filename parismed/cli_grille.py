"""`parismed grille …`: versions of the floor-aid grid, loading a new version after showing what it changes.

The composition root owns the choice of the active grid: ``var/grille-active.txt`` (written by
``parismed grille charger`` or ``activer``; the setting ``PARISMED_GRID_VERSION`` wins when set), and the
versions loaded by staff live in ``var/grilles/``. ``configure_rules_bridge`` passes both to ``rules_bridge``;
the packaged versions (``rules_bridge/grids/``) always stay loadable. Stored staff requests are read through
``request_store`` (their estimate keeps the profile it was computed from, ``_profil``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import typer
from pydantic import BaseModel

import rules_bridge
from frenchtext import format_eur, key
from parismed.composition import active_file, configure_rules_bridge, loaded_dir
from parismed.config import Settings, get_settings

grille_app = typer.Typer(
    help="Grille de l'aide plancher : versions disponibles, chargement et activation d'une nouvelle version.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``parismed grille`` to the CLI (the grids are configured by the CLI's composition callback)."""
    app.add_typer(grille_app, name="grille")


# --- Effect of a new version on the stored requests --------------------------------------------------------


class Change(BaseModel):
    demande: int
    avant_eur: int
    apres_eur: int
    eligible_avant: bool
    eligible_apres: bool


class Impact(BaseModel):
    """What a candidate grid changes on the estimates of stored requests (both computed now)."""

    version_actuelle: str
    version_nouvelle: str
    demandes_estimees: int
    sans_profil: int
    changements: list[Change]

    @property
    def deviennent_non_eligibles(self) -> list[Change]:
        return [c for c in self.changements if c.eligible_avant and not c.eligible_apres]

    @property
    def deviennent_eligibles(self) -> list[Change]:
        return [c for c in self.changements if c.eligible_apres and not c.eligible_avant]

    @property
    def ecart_total_eur(self) -> int:
        return sum(c.apres_eur - c.avant_eur for c in self.changements)

    def lines(self) -> list[str]:
        out = [
            f"Effet sur les demandes enregistrées ({self.version_actuelle} → {self.version_nouvelle}) : "
            f"{self.demandes_estimees} demande(s) avec un profil estimable, {self.sans_profil} sans profil.",
            f"- Montant modifié : {len(self.changements)} demande(s) sur {self.demandes_estimees}.",
        ]
        if self.changements:
            ups = [c for c in self.changements if c.apres_eur > c.avant_eur]
            downs = [c for c in self.changements if c.apres_eur < c.avant_eur]
            out.append(
                f"- En hausse : {len(ups)} ; en baisse : {len(downs)} ; écart total : "
                f"{'+' if self.ecart_total_eur > 0 else ''}{format_eur(self.ecart_total_eur)} ; écart moyen : "
                f"{format_eur(self.ecart_total_eur / len(self.changements))} par demande modifiée."
            )
            for c in self.changements[:20]:
                out.append(f"  - demande n° {c.demande} : {format_eur(c.avant_eur)} → {format_eur(c.apres_eur)}")
            if len(self.changements) > 20:
                out.append(f"  - … et {len(self.changements) - 20} autre(s).")
        out.append(f"- Éligible → non éligible : {len(self.deviennent_non_eligibles)} demande(s).")
        out.append(f"- Non éligible → éligible : {len(self.deviennent_eligibles)} demande(s).")
        return out


def stored_profiles(settings: Settings) -> tuple[list[tuple[int, dict[str, Any]]], int]:
    """(request id, profile) of the stored requests that were estimated, and how many have no profile."""
    import request_store  # only this command needs the database

    store = request_store.open_store(settings.sqlalchemy_url)
    store.upgrade()
    with_profile: list[tuple[int, dict[str, Any]]] = []
    without = 0
    for req in store.all_requests():
        profile = (req.estimate or {}).get("_profil")
        if isinstance(profile, dict):
            with_profile.append((req.id, profile))
        else:
            without += 1
    return with_profile, without


def impact(
    profiles: list[tuple[int, dict[str, Any]]], current: rules_bridge.Grid, candidate: rules_bridge.Grid, without: int
) -> Impact:
    changes: list[Change] = []
    estimated = 0
    for request_id, profile in profiles:
        try:
            before = rules_bridge.estimate(profile, current)
            after = rules_bridge.estimate(profile, candidate)
        except rules_bridge.ProfileError:
            without += 1
            continue
        estimated += 1
        if (before.aide_plancher_eur, before.eligible) != (after.aide_plancher_eur, after.eligible):
            changes.append(
                Change(
                    demande=request_id,
                    avant_eur=before.aide_plancher_eur,
                    apres_eur=after.aide_plancher_eur,
                    eligible_avant=before.eligible,
                    eligible_apres=after.eligible,
                )
            )
    return Impact(
        version_actuelle=current.version,
        version_nouvelle=candidate.version,
        demandes_estimees=estimated,
        sans_profil=without,
        changements=changes,
    )


# --- Commands ---------------------------------------------------------------------------------------------------


def _yes(answer: str) -> bool:
    return key(answer) in {"oui", "o", "yes", "y"}


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"Erreur : {message}", err=True)
    raise typer.Exit(code)


@grille_app.command("liste")
def liste() -> None:
    """Liste les versions de la grille (la version active est marquée)."""
    active = rules_bridge.load_grid().version
    for info in rules_bridge.list_grids():
        mark = " (active)" if info.version == active else ""
        typer.echo(f"- {info.version}{mark} : {info.titre} (en vigueur le {info.date_effet:%d/%m/%Y})")


@grille_app.command("charger")
def charger(
    fichier: Path = typer.Argument(..., help="Fichier YAML de la nouvelle version (même schéma que les grilles)."),
    oui: bool = typer.Option(False, "--oui", help="Active sans demander de confirmation."),
    as_json: bool = typer.Option(False, "--json", help="Rapport JSON (validation, effet, activation)."),
) -> None:
    """Valide une nouvelle version, montre son effet sur les demandes enregistrées, puis l'active."""
    settings = get_settings()
    try:
        candidate = rules_bridge.read_grid_file(fichier, check_name=False)
    except rules_bridge.GridError as exc:
        _fail(str(exc))
    known = {info.version: info for info in rules_bridge.list_grids()}
    target = loaded_dir(settings) / f"{candidate.version}.yaml"
    if candidate.version in known and not (target.exists() and target.read_bytes() == fichier.read_bytes()):
        _fail(
            f"la version « {candidate.version} » existe déjà : une version chargée ne se modifie pas, donnez un "
            "nouveau nom de version (champ « version »)."
        )
    values = list(candidate.iter_values())
    assumed = sum(1 for _, v in values if v.hypothese)
    current = rules_bridge.load_grid()
    profiles, without = stored_profiles(settings)
    effect = impact(profiles, current, candidate, without)
    report = rules_bridge.calibrate(candidate)
    if not as_json:
        typer.echo(
            f"Grille « {candidate.version} » valide : {candidate.titre} (en vigueur le "
            f"{candidate.date_effet:%d/%m/%Y}) ; {len(values)} valeurs, toutes sourcées ou signalées comme "
            f"hypothèses ({assumed} hypothèses)."
        )
        for line in effect.lines():
            typer.echo(line)
        verdict = "respecté" if report.ok else "NON respecté : " + " ; ".join(report.problemes)
        typer.echo(f"Calage sur les résultats publiés 2023–2024 : {verdict}")
    activate = oui or (
        not as_json and _yes(typer.prompt(f"Activer la grille « {candidate.version} » ? (oui/non)", "non"))
    )
    if activate:
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            shutil.copyfile(fichier, target)
        active_file(settings).parent.mkdir(parents=True, exist_ok=True)
        active_file(settings).write_text(candidate.version + "\n", encoding="utf-8")
        configure_rules_bridge(settings)
    if as_json:
        data = {
            "version": candidate.version,
            "valeurs": len(values),
            "hypotheses": assumed,
            "effet": {
                **effect.model_dump(),
                "deviennent_non_eligibles": len(effect.deviennent_non_eligibles),
                "deviennent_eligibles": len(effect.deviennent_eligibles),
                "ecart_total_eur": effect.ecart_total_eur,
            },
            "calage_respecte": report.ok,
            "active": activate,
        }
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    if activate:
        typer.echo(
            f"Grille « {candidate.version} » active : les nouvelles estimations l'utilisent ; les versions "
            f"précédentes restent disponibles (parismed grille activer VERSION)."
        )
    else:
        typer.echo("Grille non activée.")


@grille_app.command("activer")
def activer(version: str = typer.Argument(..., help="Version à activer (voir « parismed grille liste »).")) -> None:
    """Active une version déjà disponible (pour revenir à une version précédente, par exemple)."""
    settings = get_settings()
    try:
        grid = rules_bridge.load_grid(version)
    except rules_bridge.GridError as exc:
        _fail(str(exc))
    active_file(settings).parent.mkdir(parents=True, exist_ok=True)
    active_file(settings).write_text(grid.version + "\n", encoding="utf-8")
    configure_rules_bridge(settings)
    typer.echo(f"Grille « {grid.version} » active.")
