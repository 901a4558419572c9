"""French draft answer for the staff, built from the guide answer, the partners and the estimate."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from frenchtext import format_eur as money

DATA_DIR = Path(__file__).resolve().parent / "data"


@lru_cache
def wording() -> dict[str, Any]:
    return yaml.safe_load((DATA_DIR / "brouillon.yaml").read_text(encoding="utf-8"))


def format_eur(amount: Any) -> str:
    """``frenchtext.format_eur`` for a stored amount, which may be missing or not a number."""
    try:
        return money(float(amount))
    except (TypeError, ValueError):
        return str(amount)


def format_sources(sources: list[dict[str, Any]]) -> list[str]:
    lines = []
    seen = set()
    for s in sources or []:
        key = (s.get("title"), s.get("section"), s.get("url"))
        if key in seen:
            continue
        seen.add(key)
        label = s.get("title") or ""
        if s.get("section") and s.get("section") != label:
            label = f"{label} — {s['section']}" if label else s["section"]
        lines.append(f"- {label} : {s['url']}" if s.get("url") else f"- {label}")
    return lines


def build_draft(
    *,
    theme: str,
    guide: list[dict[str, Any]],
    partenaires: list[dict[str, Any]],
    estimate: dict[str, Any] | None,
    extracted: Any,
) -> str:
    w = wording()
    parts: list[str] = [w["salutation"], "", w["remerciement"], w["intro_theme"].get(theme, "")]
    if guide:
        parts += ["", w["guide_intro"]]
        for a in guide:
            parts += ["", a["answer"].strip()]
            sources = format_sources(a.get("sources") or [])
            if sources:
                parts += ["", w["sources_titre"], *sources]
    elif theme != "autre":
        parts += ["", w["guide_absent"]]
    if estimate and (estimate.get("aide_plancher_eur") or 0) > 0:
        parts += ["", w["estimation_titre"], f"- {format_eur(estimate['aide_plancher_eur'])}"]
        for h in estimate.get("hypotheses") or []:
            parts.append(f"- {h}")
    if partenaires:
        parts += ["", w["partenaires_titre"]]
        for p in partenaires:
            line = f"- {p.get('nom', '')}"
            if p.get("raison"):
                line += f" : {p['raison']}"
            if p.get("url"):
                line += f" ({p['url']})"
            parts.append(line)
    missing = []
    if theme != "autre":
        if not getattr(extracted, "professions", None):
            missing.append(w["precisions"]["professions"])
        if getattr(extracted, "arrondissement", None) is None:
            missing.append(w["precisions"]["arrondissement"])
    if missing:
        parts += ["", w["precisions_titre"], *[f"- {m}" for m in missing]]
    parts += ["", w["conclusion"], "", w["signature"]]
    return "\n".join(p for p in parts if p is not None).strip() + "\n"
