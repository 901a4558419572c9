"""Information extraction from a free-text request: professions (with counts), place, team size, needs,
structure, projects and sector.

Tokens and phrase tables: ``matching``; places: ``places`` (the one place parser); team and numbers: ``team``.
The vocabulary itself is data (``data/vocabulaire.yaml``, ``data/besoins.yaml``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, Field

from frenchtext import fold
from rules_bridge.errors import GridError
from rules_bridge.matching import Match, Tables, Tok, find_phrases, tables, tokenize
from rules_bridge.places import ORDINAL_DIGITS, place_in_tokens
from rules_bridge.reference import load_reference
from rules_bridge.team import (
    added_to_team,
    counts,
    number_before,
    number_span_before,
    part_of_team_before,
    patient_side,
    removed_from_team,
    team_size,
)

_PROJECT_PRIORITY = [
    "demenagement",
    "agrandissement",
    "maintien",
    "installation",
    "travaux",
    "equipement",
    "recherche_local",
]

# Joining an existing group (the vocabulary's « rejoindre_verbes », « structure_existante ») is, for the grid, the
# growth (« agrandissement ») of that structure: the professionals who join it can be aided even alone.
JOINED_PROJECT = "agrandissement"

# Criteria of the grid a writer states in words (« notre local est dans un QPV », « on a un projet de santé »), and
# their negation in the same clause just before (« pas en QPV », « sans projet de santé »). Folded text.
_CRITERIA = {
    "qpv": re.compile(r"\b(?:qpv|quartiers? prioritaires?|politique de la ville)\b"),
    "projet_sante": re.compile(r"\bprojets? de sante\b"),
}
_NEGATION_BEFORE = re.compile(r"\b(?:pas|hors|sans|ni|aucun|aucune|non)\b[^.,;:!?]{0,30}$")
# A criterion asked about is not stated: « c'est quoi exactement un projet de santé ? » added « Projet de santé
# formalisé : +5 % » to the estimate that followed (fifth outside test).
_ASKED_ABOUT_BEFORE = re.compile(
    r"\b(?:c[' ]est quoi|c quoi|qu[' ]est[ -]ce qu\w*|que signifie|que veut dire|definition|defini\w*|explique\w*|"
    r"comment (?:on )?(?:fait|faire|ecrit|ecrire|redige|rediger|monte|monter))\b[^.,;:!?]{0,25}$"
)
_ASKED_ABOUT_AFTER = re.compile(
    r"^[\s,]{0,3}(?:c[' ]est quoi|ca veut dire quoi|ca consiste en quoi|ca signifie quoi)(?:\s+\w+)?\s*\?*\s*$"
)


class StatedCriteria(BaseModel):
    """Grid criteria stated in a text: True (said), False (denied), None (not mentioned)."""

    qpv: bool | None = None
    projet_sante: bool | None = None


def stated_criteria(text: str) -> StatedCriteria:
    """« notre local est dans un QPV » → qpv True; « on n'est pas en QPV » → False; no mention → None (regular
    expressions only: cheap enough for every message of a conversation)."""
    folded = fold(text) if isinstance(text, str) else ""
    found: dict[str, bool] = {}
    for criterion, pattern in _CRITERIA.items():
        for match in pattern.finditer(folded):  # the last mention wins (« pas en QPV… si, en fait, QPV »)
            before, after = folded[: match.start()], folded[match.end() :]
            if _ASKED_ABOUT_BEFORE.search(before) or _ASKED_ABOUT_AFTER.search(after):
                continue
            found[criterion] = not _NEGATION_BEFORE.search(before)
    return StatedCriteria(**found)


class Extraction(BaseModel):
    """What was understood in a request. ``effectifs`` gives explicit counts per profession.

    ``professions`` lists only the professions the writer exercises, employs or joins; professions cited as
    caregivers sought for a patient (« un médecin traitant pour ma mère ») go to ``professions_patient``.
    ``ajouts`` gives the professionals presented as added to a team described before (« et avec une infirmière ? »,
    « on ajoute deux kinés », « une orthophoniste en plus »); ``nombre_professionnels`` is then only a size the
    writer states (« on sera 4 avec une orthophoniste »), never the sum of the additions alone.
    ``notes`` are French remarks for a human reader (e.g. « Paris Centre » read as the 1er arrondissement).
    """

    professions: list[str] = []
    effectifs: dict[str, int] = {}
    ajouts: dict[str, int] = {}
    arrondissement: int | None = None
    code_postal: str | None = None
    hors_paris: str | None = None  # a place outside Paris named instead of an arrondissement (« à Montreuil »)
    retraits: list[str] = []  # professions taken away from the team described before (« et sans le médecin ? »)
    nombre_professionnels: int | None = None
    besoins: list[str] = []
    structure: str | None = None
    projet: str | None = None
    projets: list[str] = []
    secteur: str | None = None
    secteur_nombre: int | None = None  # members of the team the sector is said of, when not all (« l'un de nous »)
    professions_patient: list[str] = []
    qpv: bool | None = None
    projet_sante: bool | None = None
    notes: list[str] = []
    texte: str = Field("", exclude=True)

    def champs_manquants(self) -> list[str]:
        """Profile fields still needed for an estimate (French field names)."""
        missing = []
        if not self.professions:
            missing.append("professionnels")
        if self.arrondissement is None:
            missing.append("code_postal")
        return missing

    def profil_partiel(self) -> dict[str, Any]:
        """A profile dict for ``estimate`` built from what was understood (may be incomplete)."""
        profile: dict[str, Any] = {}
        if self.professions:
            lines = []
            single = len(self.professions) == 1
            for prof in self.professions:
                count = self.effectifs.get(prof) or (self.nombre_professionnels if single else None) or 1
                line: dict[str, Any] = {"profession": prof, "nombre": count}
                if self.secteur and (
                    prof.startswith("medecin_") or self.secteur in {"conventionne", "non_conventionne"}
                ):
                    line["secteur"] = self.secteur
                lines.append(line)
            profile["professionnels"] = lines
        if self.code_postal:
            profile["code_postal"] = self.code_postal
        elif self.arrondissement is not None:
            profile["arrondissement"] = self.arrondissement
        if self.structure:
            profile["structure"] = self.structure
        if len(self.projets) > 1:
            profile["projet"] = list(self.projets)
        elif self.projet:
            profile["projet"] = self.projet
        for criterion in StatedCriteria.model_fields:
            if getattr(self, criterion) is not None:
                profile[criterion] = getattr(self, criterion)
        return profile


def _profession_label(profession: str) -> str:
    from rules_bridge.grid import load_grid  # late import: the grid is not needed for extraction itself

    try:
        return load_grid().professions[profession].libelle
    except (GridError, KeyError):  # a label is cosmetic: never fail the extraction for it
        return load_reference().vocab.label(profession)


def _joined_structure(tokens: list[Tok], structures: list[Match], t: Tables) -> str | None:
    """The group structure the writer joins: after « rejoindre » / « intégrer » in the same sentence, or said to
    exist already (« une maison de santé existante », « une MSP qui existe déjà »); None when there is none."""
    for m in structures:
        if m.value == "exercice_seul":
            continue
        clause = tokens[m.start].clause
        if any(
            tokens[i].clause == clause and any(tokens[i].matches(verb) for verb in t.join_verbs)
            for i in range(max(0, m.start - 6), m.start)
        ):
            return m.value
        if any(
            tokens[i].clause == clause and any(tokens[i].matches(word) for word in t.existing)
            for i in range(m.end, min(len(tokens), m.end + 3))
        ):
            return m.value
    return None


_WRITER_BEFORE = (("suis",), ("suis", "un"), ("suis", "une"), ("en", "tant", "que"))


def _said_of_the_writer(tokens: list[Tok], m: Match) -> bool:
    """The profession ``m`` follows « je suis (un·e) » or « en tant que »: the writer's own."""
    return any(
        m.start - len(before) >= 0 and all(tokens[m.start - len(before) + j].surface == w for j, w in enumerate(before))
        for before in _WRITER_BEFORE
    )


def extract(text: str) -> Extraction:
    """Professions (with counts), arrondissement/postal code, team size and needs found in ``text``. The chat's form
    reads the same message several times a turn: the French pipeline runs once per text (a copy is returned)."""
    if not isinstance(text, str) or not text.strip():
        return Extraction(texte=text if isinstance(text, str) else "")
    return _extract(text).model_copy(deep=True)


@lru_cache(maxsize=1024)
def _extract(text: str) -> Extraction:
    t = tables()
    tokens = tokenize(text)

    place = place_in_tokens(tokens)
    arrondissement, code_postal, sector_note = place.arrondissement, place.code_postal, place.note
    arr_positions = {
        i for i, tok in enumerate(tokens) if tok.surface == code_postal or ORDINAL_DIGITS.match(tok.surface)
    }

    prof_matches = find_phrases(tokens, t.professions)
    # A bare « médecin » followed by a specialty (« médecin pédiatre ») is the specialty only.
    kept: list[Match] = []
    skip_start: int | None = None
    for k, m in enumerate(prof_matches):
        if skip_start is not None:
            m = Match(skip_start, m.end, m.value, m.phrase)
            skip_start = None
        nxt = prof_matches[k + 1] if k + 1 < len(prof_matches) else None
        if (
            len(m.phrase) == 1
            and m.value == "medecin_generaliste"
            and m.phrase[0] in t.generic
            and nxt is not None
            and nxt.start == m.end
            and nxt.value != "medecin_generaliste"
        ):
            skip_start = m.start
            continue
        kept.append(m)

    # « Dr Martin » is a doctor: a generalist unless a specialty is named; « docteur en pharmacie » is a degree.
    def is_title(m: Match) -> bool:
        return len(m.phrase) == 1 and m.value == "medecin_generaliste" and m.phrase[0] in t.titles

    kept = [m for m in kept if not (is_title(m) and m.end < len(tokens) and tokens[m.end].surface in t.doctorate_after)]
    if any(m.value == "medecin_specialiste" for m in kept):
        kept = [m for m in kept if not is_title(m)]

    # Only professions the writer is, employs or joins make the team; patient-side mentions are set apart.
    team_clauses = {tokens[m.start].clause for m in find_phrases(tokens, t.team)}
    stops = [m.start for m in kept[1:]] + [len(tokens)]
    patient = [m for m, stop in zip(kept, stops) if patient_side(tokens, m, t, team_clauses, stop)]
    kept = [m for m in kept if m not in patient]
    removed = [m for m in kept if removed_from_team(tokens, m, t)]  # « et sans le médecin ? »
    kept = [m for m in kept if m not in removed]
    professions = list(dict.fromkeys(m.value for m in kept))
    professions_patient = [p for p in dict.fromkeys(m.value for m in patient) if p not in professions]
    notes: list[str] = []
    if professions_patient:
        notes.append(t.patient_note.format(professions=", ".join(_profession_label(p) for p in professions_patient)))
    effectifs: dict[str, int] = {}
    counted: set[int] = set()
    for m in kept:
        n, span = number_span_before(tokens, m.start)
        if n is not None and counts(n) and (m.start - 1) not in arr_positions:
            effectifs[m.value] = effectifs.get(m.value, 0) + n
            counted.update(range(m.start - span, m.start))

    # The writer's own profession (« je suis généraliste », « en tant que kiné ») counts one in the team's size when
    # no number is said: « je suis généraliste, on monte un cabinet avec un kiné » is 2 (the size was asked three
    # times). Not a headcount of the profession: the writer may have colleagues of the same one.
    writer = {m.value for m in kept if m.value not in effectifs and _said_of_the_writer(tokens, m)}

    ajouts: dict[str, int] = {}
    for m in kept:
        if added_to_team(tokens, m, t):
            n = number_before(tokens, m.start)
            ajouts[m.value] = ajouts.get(m.value, 0) + (n if n is not None and counts(n) else 1)

    total = team_size(tokens, t, arr_positions, counted)
    only_additions = bool(ajouts) and set(ajouts) >= set(professions)  # the rest of the team was described before
    if total is None and not only_additions and professions and all(p in effectifs or p in writer for p in professions):
        total = sum(effectifs.values()) + len(writer)
    if total is None and not only_additions and len(kept) == 1 and not tokens[kept[0].start].plural:
        first_person = any(tok.surface in {"je", "j", "moi"} for tok in tokens)
        if first_person and not any(tok.surface in {"nous", "on"} for tok in tokens):
            total = 1

    # Needs in order of importance: the more specific first (« priorite » in besoins.yaml), then text order.
    found_needs = list(dict.fromkeys(m.value for m in find_phrases(tokens, t.besoins)))
    priority = {nid: need.priorite for nid, need in load_reference().needs.items()}
    needs = sorted(found_needs, key=lambda nid: (-priority[nid], found_needs.index(nid)))
    structure_matches = find_phrases(tokens, t.structures)
    structures = [m.value for m in structure_matches]
    found_projects = {m.value for m in find_phrases(tokens, t.projets)}
    joined = _joined_structure(tokens, structure_matches, t)
    if joined is not None:
        structures = [joined, *(s for s in structures if s != joined)]
        found_projects.add(JOINED_PROJECT)
    projets = [p for p in _PROJECT_PRIORITY if p in found_projects]
    projet = projets[0] if projets else None
    sector_matches = find_phrases(tokens, t.secteurs)
    secteurs = [m.value for m in sector_matches]

    return Extraction(
        professions=professions,
        effectifs=effectifs,
        ajouts=ajouts,
        arrondissement=arrondissement,
        code_postal=code_postal,
        hors_paris=place.hors_paris,
        retraits=[p for p in dict.fromkeys(m.value for m in removed) if p not in professions],
        nombre_professionnels=total,
        besoins=needs,
        structure=structures[0] if structures else None,
        projet=projet,
        projets=projets,
        secteur=secteurs[0] if secteurs else None,
        secteur_nombre=part_of_team_before(tokens, sector_matches[0].start) if sector_matches else None,
        professions_patient=professions_patient,
        **stated_criteria(text).model_dump(),
        notes=[*([sector_note] if sector_note else []), *notes],
        texte=text,
    )
