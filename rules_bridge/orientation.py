"""Orientation: which partners to contact, from a free-text need or from a profile."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from rules_bridge.extraction import Extraction, extract
from rules_bridge.grid import load_grid
from rules_bridge.matching import find_phrases, tables, tokenize
from rules_bridge.partners import Partner, rank_partners
from rules_bridge.profile import Profile, coerce_profile
from rules_bridge.reference import load_reference

NO_PARTNER = (
    "Aucun partenaire de la liste ne correspond à ce besoin. Contactez l'équipe Paris Méd'\u00a0: "
    "elle pourra vous orienter."
)
"""Said with an empty list (the chat says the same in its « orientation_vide » reply): a bare
`{"partenaires": []}` left the user of `orient --json` with nothing (fifth outside test)."""


class Orientation(BaseModel):
    """Ranked partners (best first), with the needs and the extraction they were derived from."""

    partenaires: list[Partner]
    besoins: list[str] = []
    extraction: Extraction | None = None

    def to_contract(self) -> dict[str, Any]:
        """`{"partenaires": [...]}`, with a `message` (`NO_PARTNER`) when the list is empty."""
        contract: dict[str, Any] = {"partenaires": [p.to_contract() for p in self.partenaires]}
        if not self.partenaires:
            contract["message"] = NO_PARTNER
        return contract


def _needs_from_profile(profile: Profile) -> list[str]:
    ref = load_reference()
    grid = load_grid()
    needs: list[str] = []
    for project in profile.projet or [grid.defauts.projet]:
        needs.extend(ref.needs_from_profile.get("projets", {}).get(project, []))
    if profile.structure:
        needs.extend(ref.needs_from_profile.get("structures", {}).get(profile.structure, []))
    return list(dict.fromkeys(needs))


def asks_in_general(text: str) -> bool:
    """Whether ``text`` asks for partners in general (« vers qui me tourner ? », « trouver un partenaire »): the
    words of the general orientation need (``besoin_par_defaut`` in ``data/besoins.yaml``)."""
    return bool(find_phrases(tokenize(text), tables().general_request))


def orient(need: str | Profile | dict[str, Any], limit: int = 5, *, general: bool = False) -> Orientation:
    """Partners for a free-text request (« je cherche un local dans le 19e ») or a profile, best first.

    A text gets the partners of the needs it names, or the general orientation list when it asks for partners in
    general (``asks_in_general``, or ``general=True`` when the caller knows it does, e.g. a « Trouver un
    partenaire » button). A text that does neither (« déclaration d'impôts ») gets no partner: none of the list
    matches, and the caller says so. A dict is validated as a Profile (ProfileError if invalid).
    """
    labels = {k: v.libelle_pluriel for k, v in load_grid().professions.items()}
    if isinstance(need, str):
        x = extract(need)
        if not x.besoins and not (general or asks_in_general(need)):
            return Orientation(partenaires=[], besoins=[], extraction=x)
        partners = rank_partners(x.besoins, x.professions, x.arrondissement, limit=limit, profession_labels=labels)
        return Orientation(partenaires=partners, besoins=x.besoins, extraction=x)
    profile = coerce_profile(need)
    needs = _needs_from_profile(profile)
    professions = list(dict.fromkeys(p.profession for p in profile.professionnels))
    partners = rank_partners(needs, professions, profile.arrondissement, limit=limit, profession_labels=labels)
    return Orientation(partenaires=partners, besoins=needs)
