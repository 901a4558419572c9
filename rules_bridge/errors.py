"""Exceptions of the rules bridge, with French messages meant for end users."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError


class RulesBridgeError(Exception):
    """Base class of the expected failures of this package."""


class GridError(RulesBridgeError):
    """A grid or reference data file is missing or invalid (a deployment problem, not a user error)."""


class ProfileError(RulesBridgeError, ValueError):
    """A profile cannot be used for an estimate.

    ``field`` names the first faulty field (e.g. ``code_postal`` or ``professionnels[0].nombre``) and
    ``message`` is a French sentence naming it. ``errors`` lists every problem found as (field, message).
    """

    def __init__(self, field: str, message: str, errors: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.errors = errors or [(field, message)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "message": self.message,
            "errors": [{"field": f, "message": m} for f, m in self.errors],
        }

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


def format_loc(loc: tuple[Any, ...]) -> str:
    """``('professionnels', 0, 'nombre')`` → ``professionnels[0].nombre``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _show(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _message(err: Mapping[str, Any], field: str) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    champ = f"« {field} »"
    value = err.get("input")
    if kind == "profile":
        return str(ctx.get("message", "")).replace("{champ}", champ)
    if kind == "missing":
        return f"Le champ {champ} est obligatoire."
    if kind == "extra_forbidden":
        return f"Le champ {champ} n'est pas reconnu : vérifiez son orthographe."
    if kind.startswith("int_") or kind == "int_type":
        return f"Le champ {champ} doit être un nombre entier : « {_show(value)} » ne l'est pas."
    if kind.startswith("bool"):
        return f"Le champ {champ} doit valoir oui ou non (true ou false) : « {_show(value)} » ne convient pas."
    if kind.startswith("string"):
        return f"Le champ {champ} doit être un texte."
    if kind in {"list_type", "tuple_type"}:
        return f"Le champ {champ} doit être une liste."
    if kind == "too_short":
        return f"Le champ {champ} doit contenir au moins un élément."
    if kind in {"greater_than_equal", "greater_than"}:
        limit = ctx.get("ge", ctx.get("gt"))
        return f"Le champ {champ} doit être supérieur ou égal à {limit} : « {_show(value)} » ne l'est pas."
    if kind in {"less_than_equal", "less_than"}:
        limit = ctx.get("le", ctx.get("lt"))
        return f"Le champ {champ} doit être inférieur ou égal à {limit} : « {_show(value)} » ne l'est pas."
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        where = f"Le champ {champ}" if field else "Le profil"
        return f"{where} doit être un objet (dictionnaire de champs)."
    return f"Le champ {champ} est invalide."


def describe_error(err: Mapping[str, Any]) -> tuple[str, str]:
    """One pydantic error of a profile as (field, French message naming it): ``professionnels[0].secteur``.

    The one wording of a profile's problems, for the CLI and the chat (``ProfileError``) and the HTTP API's 422s.
    """
    ctx = err.get("ctx") or {}
    loc = format_loc(tuple(err.get("loc", ())))
    extra = str(ctx.get("field") or "") if err.get("type") == "profile" else ""
    field = ".".join(part for part in (loc, extra) if part) or "profil"
    return field, _message(err, field)


def profile_error_from_validation(exc: ValidationError) -> ProfileError:
    """Convert a pydantic ValidationError raised while validating a Profile into a ProfileError."""
    problems = [describe_error(err) for err in exc.errors()]
    if not problems:  # pragma: no cover - pydantic always reports at least one error
        problems = [("profil", "Le profil est invalide.")]
    return ProfileError(problems[0][0], problems[0][1], problems)
