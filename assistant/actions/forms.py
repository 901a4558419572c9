"""Eligibility form (validation, recovery of missed values) and the aid estimate via rules_bridge."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .common import (
    NON_PROFILE_INTENTS,
    SLOT_OFFER,
    call_blocking,
    latest_entities,
    latest_intent,
    latest_user_text,
    load_api,
    slot_before_latest_message,
)
from .lexicon import (
    find_professions,
    fold,
    needs_sector,
    normalize_profession,
    normalize_projet,
    normalize_secteur,
    normalize_structure,
    parse_count,
    parse_location,
    profession_label,
)
from .messages import say

logger = logging.getLogger(__name__)

FORM = "formulaire_eligibilite"
SLOT_PROFESSIONS = "professions"
SLOT_LOCATION = "arrondissement"
SLOT_COUNT = "nombre_professionnels"
SLOT_SECTOR = "secteur"
SLOT_SPLIT = "repartition"  # {profession id: headcount} when the user said it ("2 kinés et 1 infirmière")

MAX_PROFESSIONALS = 1000
BARE_ANSWER_MAX_WORDS = 6


# --------------------------------------------------------------------------------------------
# Reading the latest message
# --------------------------------------------------------------------------------------------
def bare_answer(tracker: Tracker) -> Optional[Text]:
    """The folded latest message when it is a short answer to the question asked, else None."""
    text = latest_user_text(tracker)
    if not text or latest_intent(tracker) in NON_PROFILE_INTENTS:
        return None
    folded = fold(text)
    return folded if 0 < len(folded.split()) <= BARE_ANSWER_MAX_WORDS else None


def counts_said_per_profession(tracker: Tracker) -> Dict[Text, int]:
    """Headcounts written just before each profession: « 2 kinés et une infirmière » -> {kiné: 2, infirmier: 1}."""
    text = (tracker.latest_message or {}).get("text") or ""
    counts: Dict[Text, int] = {}
    for entity in latest_entities(tracker, "profession"):
        profession = normalize_profession(entity.get("value"))
        start = entity.get("start")
        if not profession or start is None:
            continue
        words = fold(text[:start]).split()
        if words:
            count = parse_count(words[-1])
            if count and count > 0:
                counts[profession] = counts.get(profession, 0) + count
    return counts


async def rules_bridge_extraction(tracker: Tracker) -> Any:
    """rules_bridge.extract() on the latest message (off the event loop), or None if unavailable or failing."""
    text = latest_user_text(tracker)
    if not text:
        return None
    try:
        return await call_blocking(load_api("rules_bridge", "extract"), text)
    except Exception:
        logger.warning("rules_bridge.extract failed; continuing without it", exc_info=True)
        return None


def _extracted_professions(extraction: Any) -> List[Text]:
    found: List[Text] = []
    for item in getattr(extraction, "professions", None) or []:
        if isinstance(item, dict):
            item = item.get("profession")
        else:
            item = getattr(item, "profession", item)
        profession = normalize_profession(item) if item else None
        if profession and profession not in found:
            found.append(profession)
    return found


# --------------------------------------------------------------------------------------------
# Form questions (action_ask_<slot>: the texts are in messages.yml)
# --------------------------------------------------------------------------------------------
class AskMixin:
    """Ask the question of one form slot; not an Action itself, so rasa-sdk does not register it."""

    slot: Text = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        say(dispatcher, f"ask_{self.slot}")
        return []


class ActionAskProfessions(AskMixin, Action):
    slot = SLOT_PROFESSIONS


class ActionAskArrondissement(AskMixin, Action):
    slot = SLOT_LOCATION


class ActionAskNombreProfessionnels(AskMixin, Action):
    slot = SLOT_COUNT


class ActionAskSecteur(AskMixin, Action):
    slot = SLOT_SECTOR


# --------------------------------------------------------------------------------------------
# Form validation
# --------------------------------------------------------------------------------------------
class ValidateFormulaireEligibilite(FormValidationAction):
    """Asks only what is missing, re-asks politely on invalid values, accepts corrections."""

    def name(self) -> Text:
        return "validate_formulaire_eligibilite"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        professions = [normalize_profession(p) or p for p in tracker.get_slot(SLOT_PROFESSIONS) or []]
        if needs_sector(professions):
            return list(domain_slots)
        return [slot for slot in domain_slots if slot != SLOT_SECTOR]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        events = await super().get_validation_events(dispatcher, tracker, domain)
        # The split is a helper slot, not a required one: the base class would drop it.
        split = tracker.get_slot(SLOT_SPLIT)
        events = [event for event in events if event.get("name") != SLOT_SPLIT]
        if split != slot_before_latest_message(tracker, SLOT_SPLIT):
            events.append(SlotSet(SLOT_SPLIT, split))
        return events

    # ---- recovery of values the NLU missed (only for the question just asked) ----------------
    async def extract_professions(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != SLOT_PROFESSIONS or latest_entities(tracker, "profession"):
            return {}
        if latest_intent(tracker) in NON_PROFILE_INTENTS:
            return {}
        found = find_professions(latest_user_text(tracker))
        if found:
            return {SLOT_PROFESSIONS: found}
        extraction = await rules_bridge_extraction(tracker)
        found = _extracted_professions(extraction)
        if not found:
            return {}
        counts = {
            normalize_profession(p): int(n)
            for p, n in (getattr(extraction, "effectifs", None) or {}).items()
            if normalize_profession(p) and n
        }
        return {SLOT_PROFESSIONS: found, SLOT_SPLIT: counts or None}

    async def extract_arrondissement(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != SLOT_LOCATION:
            return {}
        if latest_entities(tracker, "arrondissement") or latest_entities(tracker, "code_postal"):
            return {}
        answer = bare_answer(tracker)
        if answer and parse_location(answer) is not None:
            events: Dict[Text, Any] = {SLOT_LOCATION: answer}
            if latest_entities(tracker, "nombre_professionnels"):
                # The number answered the location question: undo the headcount the NLU guessed.
                events[SLOT_COUNT] = slot_before_latest_message(tracker, SLOT_COUNT)
            return events
        if latest_intent(tracker) in NON_PROFILE_INTENTS:
            return {}
        extraction = await rules_bridge_extraction(tracker)
        value = getattr(extraction, "code_postal", None) or getattr(extraction, "arrondissement", None)
        return {SLOT_LOCATION: str(value)} if value else {}

    async def extract_nombre_professionnels(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != SLOT_COUNT or latest_entities(tracker, "nombre_professionnels"):
            return {}
        answer = bare_answer(tracker)
        count = parse_count(answer) if answer else None
        if count is not None:
            events: Dict[Text, Any] = {SLOT_COUNT: count}
            if latest_entities(tracker, "arrondissement"):
                # The number answered the headcount question: undo the location the NLU guessed.
                events[SLOT_LOCATION] = slot_before_latest_message(tracker, SLOT_LOCATION)
            return events
        if latest_intent(tracker) in NON_PROFILE_INTENTS:
            return {}
        value = getattr(await rules_bridge_extraction(tracker), "nombre_professionnels", None)
        return {SLOT_COUNT: value} if value else {}

    async def extract_secteur(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != SLOT_SECTOR:
            return {}
        answer = bare_answer(tracker)
        sector = normalize_secteur(answer) if answer else None
        if not sector:
            return {}
        # The whole answer names a sector (« Secteur 1 »): it wins over partial entities the NLU
        # may have read in it (« Secteur » as the sector, « 1 » as an arrondissement).
        events: Dict[Text, Any] = {SLOT_SECTOR: sector}
        if latest_entities(tracker, "arrondissement") or latest_entities(tracker, "code_postal"):
            events[SLOT_LOCATION] = slot_before_latest_message(tracker, SLOT_LOCATION)
        if latest_entities(tracker, "nombre_professionnels"):
            events[SLOT_COUNT] = slot_before_latest_message(tracker, SLOT_COUNT)
        return events

    # ---- validation ------------------------------------------------------------------------
    def validate_professions(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not value:
            return {SLOT_PROFESSIONS: None}
        values = value if isinstance(value, list) else [value]
        known: List[Text] = []
        unknown: List[Text] = []
        for item in values:
            profession = normalize_profession(item)
            if profession and profession not in known:
                known.append(profession)
            elif not profession:
                unknown.append(str(item))
        if not known:
            say(dispatcher, "profession_inconnue", valeur=", ".join(unknown))
            return {SLOT_PROFESSIONS: None}
        result: Dict[Text, Any] = {SLOT_PROFESSIONS: known}
        if latest_entities(tracker, "profession"):
            # The professions come from this message: its headcounts (if any) replace the old ones.
            result[SLOT_SPLIT] = counts_said_per_profession(tracker) or None
        else:
            # Keep the split found by extract_professions (only required slots are returned otherwise).
            result[SLOT_SPLIT] = tracker.get_slot(SLOT_SPLIT)
        return result

    def validate_arrondissement(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None or value == "":
            return {SLOT_LOCATION: None}
        location = parse_location(value)
        if location is not None and location.in_paris:
            return {SLOT_LOCATION: str(location.arrondissement)}
        if location is not None and location.code_postal:
            say(dispatcher, "code_postal_hors_paris", valeur=location.code_postal)
        else:
            say(dispatcher, "arrondissement_invalide", valeur=str(value))
        return {SLOT_LOCATION: None}

    def validate_nombre_professionnels(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None or value == "":
            return {SLOT_COUNT: None}
        count = parse_count(value)
        said = latest_entities(tracker, "nombre_professionnels")
        per_profession = counts_said_per_profession(tracker)
        if per_profession and len(per_profession) == len(latest_entities(tracker, "profession")):
            # « 2 kinés et une orthophoniste » : every profession has its headcount, the team is the sum.
            count = sum(per_profession.values())
        elif len(said) > 1 and latest_intent(tracker) not in NON_PROFILE_INTENTS:
            # « 2 et 1 » : the team is the sum of the numbers given.
            parts = [parse_count(entity.get("value")) for entity in said]
            if all(part is not None for part in parts):
                count = sum(parts)  # type: ignore[arg-type]
        if count is None or not 1 <= count <= MAX_PROFESSIONALS:
            say(dispatcher, "nombre_invalide")
            return {SLOT_COUNT: None}
        result: Dict[Text, Any] = {SLOT_COUNT: float(count)}
        if not latest_entities(tracker, "profession") and tracker.get_slot(SLOT_SPLIT):
            # A new total without professions (« non, nous sommes 4 »): the old split no longer holds.
            split = tracker.get_slot(SLOT_SPLIT) or {}
            if sum(int(n) for n in split.values()) != count:
                result[SLOT_SPLIT] = None
        return result

    def validate_secteur(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None or value == "":
            return {SLOT_SECTOR: None}
        sector = normalize_secteur(value)
        if sector is None:
            say(dispatcher, "secteur_invalide")
        return {SLOT_SECTOR: sector}


# --------------------------------------------------------------------------------------------
# Profile and estimate
# --------------------------------------------------------------------------------------------
def split_team(
    professions: List[Text], total: Optional[int], said: Optional[Dict[Text, Any]]
) -> Tuple[Dict[Text, int], bool]:
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


def build_profile(tracker: Tracker) -> Tuple[Dict[Text, Any], Optional[Text]]:
    """The rules_bridge profile from the slots, and a French description of a guessed split (or None)."""
    professions: List[Text] = []
    for item in tracker.get_slot(SLOT_PROFESSIONS) or []:
        profession = normalize_profession(item)
        if profession and profession not in professions:
            professions.append(profession)
    total = parse_count(tracker.get_slot(SLOT_COUNT))
    counts, guessed = split_team(professions, total, tracker.get_slot(SLOT_SPLIT))
    sector = normalize_secteur(tracker.get_slot(SLOT_SECTOR))

    team = []
    for profession, count in counts.items():
        member: Dict[Text, Any] = {"profession": profession, "nombre": count}
        if sector and needs_sector([profession]):
            member["secteur"] = sector
        team.append(member)

    profile: Dict[Text, Any] = {"professionnels": team}
    location = parse_location(tracker.get_slot(SLOT_LOCATION))
    if location is not None and location.in_paris:
        profile["arrondissement"] = location.arrondissement
    structure = normalize_structure(tracker.get_slot("structure"))
    if structure:
        profile["structure"] = structure
    projet = normalize_projet(tracker.get_slot("projet"))
    if projet:
        profile["projet"] = projet

    description = None
    if guessed:
        parts = [f"{n} {profession_label(p, n)}" for p, n in counts.items()]
        description = ", ".join(parts[:-1]) + " et " + parts[-1] if len(parts) > 1 else parts[0]
    return profile, description


def format_euros(amount: Any) -> Text:
    """12500 -> '12 500 €' (French thousands separator)."""
    try:
        value = int(round(float(amount)))
    except (TypeError, ValueError):
        return str(amount)
    return f"{value:,}".replace(",", "\u202f") + "\u00a0€"


class ActionEstimerAide(Action):
    """Estimate the floor aid with rules_bridge and explain it line by line."""

    def name(self) -> Text:
        return "action_estimer_aide"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        profile, guessed_split = build_profile(tracker)
        try:
            estimate = load_api("rules_bridge", "estimate")
            explain = load_api("rules_bridge", "explain_markdown")
            result = await call_blocking(estimate, profile)
            text = explain(result)
            contract = result.to_contract()
        except Exception as exc:
            if type(exc).__name__ == "ProfileError":
                say(dispatcher, "profil_incomplet", message=getattr(exc, "message", str(exc)))
                return [SlotSet(SLOT_OFFER, False)]
            logger.exception("rules_bridge.estimate failed for profile %s", profile)
            say(dispatcher, "estimation_erreur")
            return [SlotSet(SLOT_OFFER, True)]

        first_line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
        if "€" not in first_line:
            # The amount always comes first, in one line.
            response = "montant_estime" if contract.get("eligible") else "montant_non_eligible"
            say(dispatcher, response, montant=format_euros(contract.get("aide_plancher_eur") or 0))
        if text and text.strip():
            dispatcher.utter_message(text=text.strip())
        if guessed_split:
            say(dispatcher, "repartition_supposee", repartition=guessed_split)
        say(dispatcher, "estimation_suite")
        return [SlotSet(SLOT_OFFER, False)]


def describe_profile(tracker: Tracker) -> Text:
    """Short French summary of what the user said about the project (for the team)."""
    parts: List[Text] = []
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
