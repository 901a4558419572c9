"""Calls to the public APIs of `knowledge_base` and `rules_bridge` (never their private modules).

Every call degrades gracefully: a failure is logged and reported in ``warnings`` so that a request is
always stored and triaged, even when the guide index or the grid is unavailable.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class Extracted:
    professions: list[str] = field(default_factory=list)
    arrondissement: int | None = None
    code_postal: str | None = None
    nombre_professionnels: int | None = None
    besoins: list[str] = field(default_factory=list)
    profil_partiel: dict[str, Any] | None = None


def _as_dict(obj: Any) -> dict[str, Any]:
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return obj
    if hasattr(obj, "to_contract"):
        return obj.to_contract()
    if hasattr(obj, "model_dump"):
        return obj.model_dump()
    return dict(vars(obj))


def extract(texte: str, warnings: list[str]) -> Extracted:
    try:
        from rules_bridge import extract as rb_extract

        raw = rb_extract(texte)
        x = _as_dict(raw)
        partial = raw.profil_partiel() if hasattr(raw, "profil_partiel") else None
    except Exception as exc:  # noqa: BLE001 - any failure of the other package must not lose the request
        log.warning("rules_bridge.extract failed: %s", exc)
        warnings.append(f"Extraction indisponible ({type(exc).__name__}).")
        return Extracted()
    arr = x.get("arrondissement")
    try:
        arr = int(arr) if arr is not None else None
    except (TypeError, ValueError):
        arr = None
    if arr is not None and not 1 <= arr <= 20:
        arr = None
    professions = [str(p) for p in (x.get("professions") or [])]
    return Extracted(
        professions=list(dict.fromkeys(professions)),
        arrondissement=arr,
        code_postal=x.get("code_postal"),
        nombre_professionnels=x.get("nombre_professionnels"),
        besoins=list(x.get("besoins") or []),
        profil_partiel=partial,
    )


def orient(texte: str, warnings: list[str]) -> list[dict[str, Any]]:
    try:
        from rules_bridge import orient as rb_orient

        data = _as_dict(rb_orient(texte))
    except Exception as exc:  # noqa: BLE001
        log.warning("rules_bridge.orient failed: %s", exc)
        warnings.append(f"Orientation indisponible ({type(exc).__name__}).")
        return []
    out = []
    for p in data.get("partenaires") or []:
        p = _as_dict(p)
        out.append({"nom": p.get("nom", ""), "raison": p.get("raison", ""), "url": p.get("url")})
    return out


def estimate(profile: dict[str, Any], warnings: list[str]) -> tuple[dict[str, Any] | None, str | None]:
    """(contract dict, explanation markdown) or (None, None) when the profile is incomplete."""
    try:
        from rules_bridge import ProfileError, explain_markdown
        from rules_bridge import estimate as rb_estimate
    except Exception as exc:  # noqa: BLE001
        log.warning("rules_bridge unavailable: %s", exc)
        warnings.append(f"Estimation indisponible ({type(exc).__name__}).")
        return None, None
    try:
        e = rb_estimate(profile)
    except ProfileError:
        return None, None
    except Exception as exc:  # noqa: BLE001
        log.warning("rules_bridge.estimate failed: %s", exc)
        warnings.append(f"Estimation indisponible ({type(exc).__name__}).")
        return None, None
    try:
        explanation = explain_markdown(e)
    except Exception as exc:  # noqa: BLE001
        log.warning("rules_bridge.explain_markdown failed: %s", exc)
        explanation = None
    return _as_dict(e), explanation


def explain(estimate_contract: dict[str, Any]) -> str | None:
    """Explanation of a stored estimate: recomputed from its profile when possible."""
    profile = (estimate_contract or {}).get("_profil")
    if not profile:
        return None
    _, explanation = estimate(profile, [])
    return explanation


def kb_answer(texte: str, warnings: list[str]) -> dict[str, Any] | None:
    """Contract of `knowledge_base.answer(texte).to_contract()` or None if unavailable."""
    try:
        from knowledge_base import answer

        return _as_dict(answer(texte))
    except Exception as exc:  # noqa: BLE001
        log.warning("knowledge_base.answer failed: %s", exc)
        warnings.append(f"Guide indisponible ({type(exc).__name__}).")
        return None


def profile_from(x: Extracted) -> dict[str, Any] | None:
    """A rules_bridge profile built from the extraction, or None when it is too incomplete to estimate.

    The count of professionals is only known in total: it goes to the profession when there is one,
    otherwise each profession counts once (the estimate lists this as an assumption to check)."""
    if not x.professions or x.arrondissement is None:
        return None
    if x.profil_partiel and x.profil_partiel.get("professionnels"):
        return dict(x.profil_partiel)
    single = len(x.professions) == 1 and x.nombre_professionnels
    team = [
        {"profession": p, "nombre": int(x.nombre_professionnels) if single and x.nombre_professionnels else 1}
        for p in x.professions
    ]
    return {"professionnels": team, "arrondissement": x.arrondissement}


def zone_ars(arrondissement: int | None) -> str | None:
    """ARS zone of an arrondissement through rules_bridge's public API, None when unknown."""
    if arrondissement is None:
        return None
    try:
        import rules_bridge

        lookup = getattr(rules_bridge, "zone_ars", None)
        if lookup is None:
            return None
        zone = lookup(arrondissement)
    except Exception as exc:  # noqa: BLE001
        log.warning("rules_bridge.zone_ars failed: %s", exc)
        return None
    if not zone:
        return None
    if isinstance(zone, (list, tuple)):
        return " ou ".join(str(z) for z in zone)
    return str(getattr(zone, "value", zone))


@dataclass
class EstimateComparison:
    """A stored estimate (computed when the request arrived) next to the same profile under the active grid."""

    stored: dict[str, Any]
    current: dict[str, Any] | None = None
    explanation: str | None = None
    error: str | None = None
    """French message when the amount cannot be recomputed (profile not kept, no longer valid, grid missing)."""

    @property
    def changed(self) -> bool:
        """True when the active grid gives another amount or is another version than the stored one."""
        if self.current is None:
            return False
        return self.current.get("aide_plancher_eur") != self.stored.get("aide_plancher_eur") or self.current.get(
            "version_grille"
        ) != self.stored.get("version_grille")

    @property
    def non_retenus(self) -> list[dict[str, Any]]:
        """Professionals left out of the floor aid: under the active grid when recomputed, else as stored."""
        source = self.current if self.current is not None else self.stored
        return [n for n in (source.get("non_retenus") or []) if isinstance(n, dict)]


def compare_estimate(stored: dict[str, Any]) -> EstimateComparison:
    """Recompute a stored estimate's profile (``_profil``) with the active grid; never raises."""
    out = EstimateComparison(stored=dict(stored or {}))
    profile = out.stored.get("_profil")
    if not profile:
        out.error = (
            "Le profil de la demande n'a pas été conservé avec l'estimation : "
            "le montant ne peut pas être recalculé selon la grille active."
        )
        return out
    try:
        from rules_bridge import ProfileError, explain_markdown
        from rules_bridge import estimate as rb_estimate
    except Exception as exc:  # noqa: BLE001
        log.warning("rules_bridge unavailable: %s", exc)
        out.error = "Le moteur de calcul est indisponible : le montant n'a pas pu être recalculé."
        return out
    try:
        e = rb_estimate(profile)
    except ProfileError as exc:
        out.error = (
            "Le profil enregistré avec la demande n'est plus accepté par la grille active, "
            f"le montant n'a pas pu être recalculé : {exc.message}"
        )
        return out
    except Exception as exc:  # noqa: BLE001
        log.warning("rules_bridge.estimate failed: %s", exc)
        out.error = f"Le montant n'a pas pu être recalculé selon la grille active ({type(exc).__name__})."
        return out
    out.current = _as_dict(e)
    try:
        out.explanation = explain_markdown(e)
    except Exception as exc:  # noqa: BLE001
        log.warning("rules_bridge.explain_markdown failed: %s", exc)
    return out
