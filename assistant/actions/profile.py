"""The project profile read from the slots: the rules_bridge profile for an estimate, a summary for the team."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.types import DomainDict

import rules_bridge
from frenchtext import fold

from .common import latest_entities, latest_user_text, user_messages
from .vocabulary import (
    needs_sector,
    normalize_profession,
    normalize_projet,
    normalize_secteur,
    normalize_structure,
    parse_count,
    parse_location,
    profession_label,
)

SLOT_PROFESSIONS = "professions"
SLOT_LOCATION = "arrondissement"
SLOT_COUNT = "nombre_professionnels"
SLOT_SECTOR = "secteur"
SLOT_SPLIT = "repartition"  # {profession id: headcount} when the user said it ("2 kinés et 1 infirmière")
SLOT_SECTOR_PART = "secteur_partiel"  # {"secteur": "1", "nombre": 1}: « l'un de nous passe en secteur 1 »
SLOT_ESTIMATE = "estimation"  # the last estimate shown: {profil, version_grille, eligible, aide_investissement, …}


def split_team(professions: list[str], total: int | None, said: dict[str, Any] | None) -> tuple[dict[str, int], bool]:
    """Headcount per profession and whether it had to be guessed (then the user is told)."""
    said = {p: int(n) for p, n in (said or {}).items() if p in professions and n}
    if len(professions) == 1:
        return {professions[0]: max(total or said.get(professions[0], 1), 1)}, False
    if len(said) == len(professions) and (total is None or sum(said.values()) == total):
        return dict(said), False
    counts = {p: said[p] for p in professions if p in said}
    missing = [p for p in professions if p not in counts]
    remaining = (total or 0) - sum(counts.values())
    if missing:
        share, extra = divmod(max(remaining, 0), len(missing))
        for index, profession in enumerate(missing):
            counts[profession] = max(share + (1 if index < extra else 0), 1)
    return {p: counts[p] for p in professions}, True


def grow_team(
    previous: list[str],
    previous_counts: dict[str, int] | None,
    restated: dict[str, int],
    added: dict[str, int],
    total: int | None,
) -> tuple[list[str], dict[str, int], int | None]:
    """The team after a follow-up that adds professionals (« et avec une infirmière ? », « on ajoute un kiné »).

    ``previous``/``previous_counts``: the team known before (counts None when its size was not given yet);
    ``restated``: headcounts the message gives again for professions it does not add (« 3 kinés avec … »);
    ``added``: the new professionals; ``total``: a size the user stated (« on sera 4 avec une orthophoniste »).
    Returns the professions, the headcounts said (the repartition slot) and the team size (None if unknown).
    When the stated size differs from the sum, the additions and the restated counts are kept and split_team
    shares the rest among the other professions (the user is then told the split it assumed)."""
    professions = list(dict.fromkeys([*previous, *restated, *added]))
    if previous_counts is None:
        return professions, {**restated, **added}, total
    team = {**previous_counts, **restated}
    for profession, count in added.items():
        team[profession] = team.get(profession, 0) + count
    if total is None or total == sum(team.values()):
        return professions, team, sum(team.values())
    said = {**restated, **{p: n for p, n in added.items() if p not in previous_counts}}
    return professions, said, total


def profile_professions(tracker: Tracker) -> list[str]:
    professions: list[str] = []
    for item in tracker.get_slot(SLOT_PROFESSIONS) or []:
        profession = normalize_profession(item)
        if profession and profession not in professions:
            professions.append(profession)
    return professions


def profile_from_entities(tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
    """The slots the latest message's entities fill through the domain's from_entity mappings (the profile), whatever
    its intent: a regulatory question asked with a question about the aid (« je suis kiné dans le 19e, je peux avoir
    l'aide ? et … ? ») still tells the project. As Rasa does: a list slot takes every value, another the last one."""
    values: dict[str, Any] = {}
    for slot, spec in (domain.get("slots") or {}).items():
        for mapping in spec.get("mappings") or []:
            found = [e.get("value") for e in latest_entities(tracker, mapping.get("entity") or "")]
            if mapping.get("type") == "from_entity" and found:
                values[slot] = found if spec.get("type") == "list" else found[-1]
                break
    return values


def corrects_the_estimate(tracker: Tracker, domain: DomainDict) -> bool:
    """Whether the latest message, after an estimate was shown, gives profile details (entities) whatever its intent:
    « non pardon, on est trois kinés pas deux » (nier) got « D'accord », « et si l'un de nous passe en secteur 1 ? »
    (not understood) a definition of the secteur 1, and the estimate stayed as it was (fifth outside test)."""
    return bool(tracker.get_slot(SLOT_ESTIMATE)) and bool(profile_from_entities(tracker, domain))


def restates_a_criterion(tracker: Tracker) -> bool:
    """Whether the latest message, after an estimate was shown, states a grid criterion (« et si le local est dans un
    QPV ? »): a what-if for the estimate, which the NLU reads as a question for the guide (fifth outside test: the
    definition of a QPV came back, not the estimate with it)."""
    if not tracker.get_slot(SLOT_ESTIMATE):
        return False
    return bool(rules_bridge.stated_criteria(latest_user_text(tracker)).model_dump(exclude_none=True))


def criteria_stated_in_conversation(tracker: Tracker) -> dict[str, bool]:
    """Grid criteria the user stated during the conversation (« notre local est dans un QPV », « avec un projet de
    santé »), the latest mention of each winning: the NLU has no entity for them (third outside test: the card said
    « Local en QPV : non retenu » to nurses who had said their premises were in one)."""
    stated: dict[str, bool] = {}
    for text in user_messages(tracker):
        stated.update(rules_bridge.stated_criteria(text).model_dump(exclude_none=True))
    return stated


# Projects a user describes in words the NLU has no entity for. Not the weaker ones: « le local est à 200 m d'un
# QPV » is no search for premises (read so, the estimate fell to 0 €: fourth outside test).
STATED_PROJECTS = ("maintien", "demenagement", "agrandissement")


def project_stated_in_conversation(tracker: Tracker) -> str | None:
    """The project the user described in words the NLU has no entity for (« je pars à la retraite et je voudrais que
    mon cabinet continue » is « maintien »), read by rules_bridge on the user's messages, the latest describing one
    of `STATED_PROJECTS` winning (third outside test: the card said « installation »). Blocking (French pipeline):
    run off the loop."""
    for text in reversed(user_messages(tracker)):
        stated = [p for p in rules_bridge.extract(text).projets if p in STATED_PROJECTS]
        if stated:
            return normalize_projet(stated[0])
    return None


def place_stated_in_conversation(tracker: Tracker) -> int | None:
    """The Paris arrondissement the user named in an earlier message the NLU did not map to the profile (« je voudrais
    m'installer en secteur 1 dans le 18e », a regulatory question; « mon appart du 11e », no entity), the latest
    mention winning; read by rules_bridge. The form asked « Dans quel arrondissement ? » up to four times after it
    (fifth outside test). Blocking (French pipeline): run off the loop."""
    for text in reversed(user_messages(tracker)):
        arrondissement = rules_bridge.parse_place(text).arrondissement
        if arrondissement is not None:
            return arrondissement
    return None


def professions_stated_in_conversation(tracker: Tracker) -> dict[str, int]:
    """The professions (with their headcounts when said, else 0) of the latest earlier message naming the writer's
    team that the NLU did not map (« je suis sage-femme et je voudrais consulter chez moi… », a regulatory question):
    « est-ce que j'ai droit à Paris Méd' toute seule ? » was asked « Quelle est votre profession ? » (sixth outside
    test). Patients' mentions (« un médecin pour ma mère ») are not the team. Blocking: run off the loop."""
    for text in reversed(user_messages(tracker)[:-1]):
        found = rules_bridge.extract(text)
        if found.professions:
            return {p: found.effectifs.get(p, 0) for p in found.professions}
    return {}


def place_outside_paris_in_conversation(tracker: Tracker) -> str | None:
    """The place outside Paris the user's latest mention of a place names (« je m'installe à Montreuil »), None when
    it is a Paris arrondissement or no place was named. Blocking (French pipeline): run off the loop."""
    for text in reversed(user_messages(tracker)):
        place = rules_bridge.parse_place(text)
        if place.arrondissement is not None:
            return None
        if place.hors_paris:
            return place.hors_paris
    return None


_SECTOR_WORDS = re.compile(r"\b(?:secteur|s[123]|optam|conventionn|tarifs? opposables?)")


def sector_stated_in_conversation(tracker: Tracker) -> str | None:
    """The doctors' sector the user named in an earlier message the NLU did not map (see
    `place_stated_in_conversation`), the latest mention winning. Blocking: run off the loop."""
    for text in reversed(user_messages(tracker)):
        if not _SECTOR_WORDS.search(fold(text)):  # the French pipeline only for messages that may name one
            continue
        sector = normalize_secteur(rules_bridge.extract(text).secteur)
        if sector:
            return sector
    return None


def build_profile(tracker: Tracker) -> tuple[dict[str, Any], str | None]:
    """The rules_bridge profile from the slots, and a French description of a guessed split (or None)."""
    professions = profile_professions(tracker)
    total = parse_count(tracker.get_slot(SLOT_COUNT))
    counts, guessed = split_team(professions, total, tracker.get_slot(SLOT_SPLIT))
    sector = normalize_secteur(tracker.get_slot(SLOT_SECTOR))

    part = tracker.get_slot(SLOT_SECTOR_PART) or {}
    part_sector = normalize_secteur(part.get("secteur"))
    part_left = int(part.get("nombre") or 0) if part_sector and sector else 0
    if part_left >= sum(n for p, n in counts.items() if needs_sector([p])):  # « l'un de nous » of a lone doctor
        sector, part_left = (part_sector if part_left else sector), 0
    team = []
    for profession, count in counts.items():
        if not (sector and needs_sector([profession])):
            team.append({"profession": profession, "nombre": count})
            continue
        moved = min(part_left, count)  # « l'un de nous » moves one doctor; the others keep their sector
        part_left -= moved
        if count - moved:
            team.append({"profession": profession, "nombre": count - moved, "secteur": sector})
        if moved:
            team.append({"profession": profession, "nombre": moved, "secteur": part_sector})

    profile: dict[str, Any] = {"professionnels": team}
    location = parse_location(tracker.get_slot(SLOT_LOCATION))
    if location is not None and location.in_paris:
        profile["arrondissement"] = location.arrondissement
    structure = normalize_structure(tracker.get_slot("structure"))
    if structure:
        profile["structure"] = structure
    projet = normalize_projet(tracker.get_slot("projet"))
    if projet:
        profile["projet"] = projet
    profile.update(criteria_stated_in_conversation(tracker))

    return profile, describe_team(counts) if guessed else None


def describe_team(counts: dict[str, int]) -> str:
    """« 2 masseurs-kinésithérapeutes et 1 orthophoniste »."""
    parts = [f"{n} {profession_label(p, n)}" for p, n in counts.items()]
    return ", ".join(parts[:-1]) + " et " + parts[-1] if len(parts) > 1 else "".join(parts)


def describe_profile(tracker: Tracker) -> str:
    """Short French summary of what the user said about the project (for the team)."""
    parts: list[str] = []
    professions = [normalize_profession(p) or str(p) for p in tracker.get_slot(SLOT_PROFESSIONS) or []]
    if professions:
        parts.append("professions : " + ", ".join(profession_label(p) for p in professions))
    location = parse_location(tracker.get_slot(SLOT_LOCATION))
    if location is not None and location.in_paris:
        parts.append(f"arrondissement : {location.arrondissement}")
    count = parse_count(tracker.get_slot(SLOT_COUNT))
    if count:
        parts.append(f"nombre de professionnels : {count}")
    for slot, label in (("secteur", "secteur"), ("structure", "structure"), ("projet", "projet")):
        value = tracker.get_slot(slot)
        if value:
            parts.append(f"{label} : {value}")
    return " ; ".join(parts)
