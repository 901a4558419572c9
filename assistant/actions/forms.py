"""The eligibility form: its questions (action_ask_<slot>), recovery of values the NLU missed, validation.

Every word is read through the vocabulary module (rules_bridge identifiers); free-text recovery calls
rules_bridge.extract(). No business rule here: the estimate itself is rules_bridge's (see estimate.py)."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import rules_bridge
from frenchtext import FrenchPipelineUnavailable, asking_sentences, words

from .common import (
    NON_PROFILE_INTENTS,
    call_blocking,
    latest_entities,
    latest_intent,
    latest_user_text,
    slot_before_latest_message,
)
from .knowledge import answer_besides_the_aid
from .messages import render, say
from .profile import (
    SLOT_COUNT,
    SLOT_LOCATION,
    SLOT_PROFESSIONS,
    SLOT_SECTOR,
    SLOT_SECTOR_PART,
    SLOT_SPLIT,
    grow_team,
    place_outside_paris_in_conversation,
    place_stated_in_conversation,
    professions_stated_in_conversation,
    sector_stated_in_conversation,
    split_team,
)
from .vocabulary import (
    MAX_PROFESSIONALS,
    fold,
    needs_sector,
    normalize_profession,
    normalize_projet,
    normalize_secteur,
    parse_count,
    parse_location,
)

logger = logging.getLogger(__name__)

BARE_ANSWER_MAX_WORDS = 6
SLOT_STRUCTURE = "structure"
SLOT_PROJECT = "projet"


# --------------------------------------------------------------------------------------------
# Reading the latest message
# --------------------------------------------------------------------------------------------
# A place denied just before its mention: « pas le 20e », « pas dans le 20e », « et non au 20e ».
_DENIED_BEFORE = re.compile(r"\b(?:pas|non|plutot que)(?:\s+(?:dans|a|au|en))?(?:\s+(?:le|la|l))?\s*$")


# The writer speaks for one (« je m'associe… »), not for a group (« on », « nous »).
_WRITER_ALONE = frozenset({"je", "j", "moi", "m"})
_WRITER_WITH_OTHERS = frozenset({"on", "nous"})


def bare_answer(tracker: Tracker) -> str | None:
    """The folded latest message when it is a short answer to the question asked, else None."""
    text = latest_user_text(tracker)
    if not text or latest_intent(tracker) in NON_PROFILE_INTENTS:
        return None
    folded = fold(text)
    return folded if 0 < len(folded.split()) <= BARE_ANSWER_MAX_WORDS else None


def counts_said_per_profession(tracker: Tracker) -> dict[str, int]:
    """Headcounts written just before each profession: « 2 kinés et une infirmière » -> {kiné: 2, infirmier: 1}."""
    text = (tracker.latest_message or {}).get("text") or ""
    counts: dict[str, int] = {}
    for entity in latest_entities(tracker, "profession"):
        profession = normalize_profession(entity.get("value"))
        start = entity.get("start")
        if not profession or start is None:
            continue
        before = fold(text[:start]).split()
        if before:
            count = parse_count(before[-1])
            if count and count > 0:
                counts[profession] = counts.get(profession, 0) + count
    return counts


def headcount_entities(tracker: Tracker) -> list[dict[str, Any]]:
    """The headcount entities written just before a profession (« 2 kinés »), as opposed to a team size (« on
    sera 4, avec une orthophoniste »)."""
    text = (tracker.latest_message or {}).get("text") or ""
    starts = {entity.get("start") for entity in latest_entities(tracker, "profession")}
    found = []
    for entity in latest_entities(tracker, "nombre_professionnels"):
        end = entity.get("end")
        if end is None:
            continue
        gap = text[end:]
        if any(start is not None and start >= end and not gap[: start - end].strip() for start in starts):
            found.append(entity)
    return found


async def rules_bridge_extraction(tracker: Tracker) -> rules_bridge.Extraction | None:
    """rules_bridge.extract() on the latest message (off the event loop), or None if there is no text."""
    text = latest_user_text(tracker)
    if not text:
        return None
    try:
        return await call_blocking(rules_bridge.extract, text)
    except (rules_bridge.RulesBridgeError, FrenchPipelineUnavailable):
        logger.warning("rules_bridge.extract failed; continuing without it", exc_info=True)
        return None


def not_counted(professions: list[str]) -> list[str]:
    """For each profession the active grid does not count in the floor aid, why (« Ostéopathe : … »)."""
    grid = rules_bridge.load_grid().professions
    out = []
    for profession in professions:
        rule = grid.get(profession)
        if rule is not None and not rule.est_retenue:
            out.append(
                f"{rule.libelle[:1].upper()}{rule.libelle[1:]} : {(rule.retenu.note if rule.retenu else '') or ''}"
            )
    return out


def counted_names(professions: list[str]) -> str:
    """« Psychologue : profession comptée », « Infirmier, orthophoniste : professions comptées » (the grid's names)."""
    grid = rules_bridge.load_grid().professions
    names = ", ".join(grid[p].libelle if p in grid else p for p in professions)
    plural = "professions comptées" if len(professions) > 1 else "profession comptée"
    return f"{names[:1].upper()}{names[1:]} : {plural}"


def asks_whether_counted(tracker: Tracker) -> bool:
    """The latest message asks only whether a profession can have the aid (« un psychologue peut-il bénéficier… ? »;
    with a second question, the guide answers that one before the estimate)."""
    return latest_intent(tracker) == "demande_eligibilite" and len(asking_sentences(latest_user_text(tracker))) == 1


def previous_professions(tracker: Tracker) -> list[str]:
    """The professions known before the latest message."""
    return [normalize_profession(p) or p for p in slot_before_latest_message(tracker, SLOT_PROFESSIONS) or []]


def professions_read(tracker: Tracker) -> set[str | None]:
    """The professions the NLU read in the latest message."""
    return {normalize_profession(e.get("value")) for e in latest_entities(tracker, "profession")}


def _extracted_professions(extraction: rules_bridge.Extraction | None) -> list[str]:
    found: list[str] = []
    for item in extraction.professions if extraction else []:
        profession = normalize_profession(item)
        if profession and profession not in found:
            found.append(profession)
    return found


# --------------------------------------------------------------------------------------------
# Form questions (action_ask_<slot>: the texts are in messages.yml)
# --------------------------------------------------------------------------------------------
class AskMixin:
    """Ask the question of one form slot; not an Action itself, so rasa-sdk does not register it."""

    slot: str = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        say(dispatcher, f"ask_{self.slot}")
        return []


class ActionAskProfessions(AskMixin, Action):
    slot = SLOT_PROFESSIONS


class ActionAskArrondissement(AskMixin, Action):
    """The arrondissement question; when the user said the practice is outside Paris (« je m'installe à Montreuil »,
    sixth outside test: asked « Dans quel arrondissement ? » as if nothing had been said), why Paris Méd' does not
    apply there, once."""

    slot = SLOT_LOCATION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        outside = await call_blocking(place_outside_paris_in_conversation, tracker)
        if outside:
            notice = render("lieu_hors_paris", lieu=outside)
            if not any(e.get("event") == "bot" and e.get("text") == notice["text"] for e in tracker.events):
                dispatcher.utter_message(text=notice["text"])
                return []
        return await super().run(dispatcher, tracker, domain)


class ActionAskNombreProfessionnels(AskMixin, Action):
    slot = SLOT_COUNT


class ActionAskSecteur(AskMixin, Action):
    slot = SLOT_SECTOR


# --------------------------------------------------------------------------------------------
# Form validation
# --------------------------------------------------------------------------------------------
class ValidateFormulaireEligibilite(FormValidationAction):
    """Asks only what is missing, re-asks politely on invalid values, accepts corrections."""

    def name(self) -> str:
        return "validate_formulaire_eligibilite"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        # A guide question asked with a question about the aid (« Combien je peux toucher ? Et dois-je déclarer des
        # travaux pour repeindre ? ») is answered first, then the form goes on: its next question or the estimate.
        answered = await answer_besides_the_aid(dispatcher, tracker)
        return [*answered, *await super().run(dispatcher, tracker, domain)]

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        professions = [normalize_profession(p) or p for p in tracker.get_slot(SLOT_PROFESSIONS) or []]
        if needs_sector(professions):
            return list(domain_slots)
        return [slot for slot in domain_slots if slot != SLOT_SECTOR]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().get_validation_events(dispatcher, tracker, domain)
        # The split is a helper slot, not a required one: the base class would drop it.
        split = tracker.get_slot(SLOT_SPLIT)
        events = [event for event in events if event.get("name") != SLOT_SPLIT]
        if split != slot_before_latest_message(tracker, SLOT_SPLIT):
            events.append(SlotSet(SLOT_SPLIT, split))
        if latest_intent(tracker) in NON_PROFILE_INTENTS:
            return events
        events = await self.sector_of_part_of_the_team(tracker, events)
        changes = await self.follow_up_changes(tracker)
        if not changes:
            return events
        events = [event for event in events if event.get("name") not in changes]
        return [*events, *(SlotSet(slot, value) for slot, value in changes.items())]

    async def sector_of_part_of_the_team(self, tracker: Tracker, events: list[EventType]) -> list[EventType]:
        """« et si l'un de nous passe en secteur 1 ? » moves one doctor, not all (eighth outside test: all three did):
        the sector said before stays the team's, and the part is kept in its own slot until a sector is said of
        the whole team again."""
        if not latest_entities(tracker, "secteur"):
            return events
        extraction = await rules_bridge_extraction(tracker)
        said = normalize_secteur(extraction.secteur) if extraction is not None else None
        before = normalize_secteur(slot_before_latest_message(tracker, SLOT_SECTOR))
        if extraction is None or not extraction.secteur_nombre or not said or not before or said == before:
            return [*events, SlotSet(SLOT_SECTOR_PART, None)] if tracker.get_slot(SLOT_SECTOR_PART) else events
        part = {"secteur": said, "nombre": extraction.secteur_nombre}
        kept = [event for event in events if event.get("name") not in {SLOT_SECTOR, SLOT_SECTOR_PART}]
        return [*kept, SlotSet(SLOT_SECTOR, before), SlotSet(SLOT_SECTOR_PART, part)]

    async def follow_up_changes(self, tracker: Tracker) -> dict[str, Any]:
        """Slots a follow-up changes beyond its own entities: professionals added to the team known before
        (« et si on est 3 avec une infirmière ? » keeps the team and adds her), or an existing group joined
        (« je rejoins une maison de santé existante »: its growth, which a professional alone can be aided for)."""
        previous = previous_professions(tracker)
        adds = bool(previous) and bool(latest_entities(tracker, "profession"))
        joins = bool(latest_entities(tracker, SLOT_STRUCTURE)) and not latest_entities(tracker, SLOT_PROJECT)
        recounts = bool(previous) and bool(latest_entities(tracker, "nombre_professionnels"))
        removes = bool(previous)  # « et si on enlève l'infirmière ? »: rules_bridge reads whom (extraction.retraits)
        if not (adds or joins or recounts or removes):
            return {}
        extraction = await rules_bridge_extraction(tracker)
        if extraction is None:
            return {}
        changes: dict[str, Any] = {}
        if joins and rules_bridge.JOINED_PROJECT in extraction.projets:
            changes[SLOT_PROJECT] = rules_bridge.JOINED_PROJECT
        added = {p: n for raw, n in extraction.ajouts.items() if (p := normalize_profession(raw))}
        recounted = {p: n for raw, n in extraction.effectifs.items() if (p := normalize_profession(raw))}
        removed = {p for raw in extraction.retraits if (p := normalize_profession(raw))} & set(previous)
        # One profession recounted; two or more describe the whole team again (« non, nous sommes 3 kinés et 1
        # orthophoniste » replaces it: the base form's rule)
        recount = recounts and len(recounted) == 1 and set(recounted) < set(previous)
        if not added and (removed or recount):
            # « non pardon, on est trois kinés pas deux » after 2 kinés and a GP: the kinés are three, the GP stays
            # (the estimate was shown again unchanged, for a team of three: fifth outside test); « et avec un seul
            # médecin ? » recounts the doctors, « et sans le médecin ? » takes them away (sixth outside test: both
            # were read as more doctors, and the aid went up)
            before = split_team(
                previous,
                parse_count(slot_before_latest_message(tracker, SLOT_COUNT)),
                slot_before_latest_message(tracker, SLOT_SPLIT),
            )[0]
            team = {p: n for p, n in {**before, **recounted}.items() if p not in removed}
            if team:
                count = float(sum(team.values()))
                return {**changes, SLOT_PROFESSIONS: list(team), SLOT_SPLIT: team, SLOT_COUNT: count}
        if not (adds and added):
            return changes
        if normalize_projet(tracker.get_slot(SLOT_PROJECT)) == rules_bridge.JOINED_PROJECT:
            # A growth counts only who joins (the grid's rule): the team described before is already there.
            total = sum(added.values())
            return {**changes, SLOT_PROFESSIONS: list(added), SLOT_SPLIT: dict(added), SLOT_COUNT: float(total)}
        restated = {
            p: n for raw, n in extraction.effectifs.items() if (p := normalize_profession(raw)) and p not in added
        }
        said = [normalize_profession(p) for p in tracker.get_slot(SLOT_PROFESSIONS) or []]
        for profession in said:  # a profession the NLU read and rules_bridge did not: one more professional
            if profession and profession not in previous and profession not in restated:
                added.setdefault(profession, 1)
        before_total = parse_count(slot_before_latest_message(tracker, SLOT_COUNT))
        previous_counts = (
            split_team(previous, before_total, slot_before_latest_message(tracker, SLOT_SPLIT))[0]
            if before_total
            else None
        )
        stated = extraction.nombre_professionnels
        if stated is None and latest_entities(tracker, "nombre_professionnels") and not headcount_entities(tracker):
            stated = parse_count(tracker.get_slot(SLOT_COUNT))
        professions, split, total = grow_team(previous, previous_counts, restated, added, stated)
        said = set(words(latest_user_text(tracker)))
        if total is None and len(previous) == 1 and said & _WRITER_ALONE and not said & _WRITER_WITH_OTHERS:
            # « et si je m'associe avec une ophtalmo ? » after « je suis orthoptiste… », no size known yet: the writer
            # and who joins (the size was asked again: seventh outside test)
            total = 1 + sum(added.values())
        if total is not None and not 1 <= total <= MAX_PROFESSIONALS:
            return changes
        changes.update({SLOT_PROFESSIONS: professions, SLOT_SPLIT: split or None})
        if total is not None:
            changes[SLOT_COUNT] = float(total)
        return changes

    # ---- recovery of values the NLU missed (only for the question just asked) ----------------
    async def extract_professions(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The professions rules_bridge reads when the NLU read none in the answer to the question, or fewer in a
        first description of the team (« un kiné et un ostéopathe » read as a kiné alone: the ostéopathe then
        vanished from the card instead of being named as not counted, third outside test)."""
        if latest_intent(tracker) in NON_PROFILE_INTENTS:
            return {}
        if slot_before_latest_message(tracker, SLOT_PROFESSIONS):  # a follow-up: follow_up_changes
            return {}
        read = professions_read(tracker)
        # Read in the answer to the question, or in the message that starts the form (« on est une naturopathe et
        # une sophrologue… » were ignored, then « et avec une infirmière en plus ? » was estimated for two nurses).
        if not read and tracker.get_slot("requested_slot") not in (SLOT_PROFESSIONS, None):
            return {}
        extraction = await rules_bridge_extraction(tracker)
        found = _extracted_professions(extraction)
        if not found and not read and tracker.get_slot("requested_slot") is None:
            said = await call_blocking(professions_stated_in_conversation, tracker)  # said before the form started
            counts = {p: n for raw, n in said.items() if (p := normalize_profession(raw)) and n}
            return (
                {SLOT_PROFESSIONS: [normalize_profession(p) or p for p in said], SLOT_SPLIT: counts or None}
                if said
                else {}
            )
        if not found or (read and not read < set(found)):
            return {}
        counts = (
            {normalize_profession(p): int(n) for p, n in extraction.effectifs.items() if normalize_profession(p) and n}
            if extraction
            else {}
        )
        return {SLOT_PROFESSIONS: found, SLOT_SPLIT: counts or None}

    async def extract_arrondissement(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        named = latest_entities(tracker, "arrondissement")
        text = latest_user_text(tracker)
        if len(named) > 1:
            # « c'est dans le 19e pas le 20e » (sixth outside test) and « dans le 10e pour accueillir un 3e
            # dentiste » (seventh): the slot took the last one; not a denied one, and rules_bridge's reading first
            kept = [e for e in named if not _DENIED_BEFORE.search(fold(text[: e.get("start") or 0]))]
            read = await call_blocking(rules_bridge.parse_place, text)
            agreed = [
                e
                for e in kept
                if (found := parse_location(e.get("value"))) and found.arrondissement == read.arrondissement
            ]
            if agreed or (kept and len(kept) < len(named)):
                return {SLOT_LOCATION: (agreed or kept)[0].get("value")}
        if tracker.get_slot("requested_slot") != SLOT_LOCATION:
            if named:
                return {}
            if tracker.get_slot(SLOT_LOCATION):
                if latest_intent(tracker) in NON_PROFILE_INTENTS:  # « le 18e est-il en QPV ? » asked mid-form
                    return {}
                # « et si on reste dans le 15e finalement ? » (no entity read): the estimate did not change
                read = await call_blocking(rules_bridge.parse_place, text)
                moved = read.arrondissement is not None and str(read.arrondissement) != str(
                    tracker.get_slot(SLOT_LOCATION)
                )
                return {SLOT_LOCATION: str(read.arrondissement)} if moved else {}
            said = await call_blocking(place_stated_in_conversation, tracker)  # before the form asks for it
            return {SLOT_LOCATION: str(said)} if said else {}
        if latest_entities(tracker, "arrondissement") or latest_entities(tracker, "code_postal"):
            return {}
        answer = bare_answer(tracker)
        if answer and parse_location(answer) is not None:
            events: dict[str, Any] = {SLOT_LOCATION: answer}
            if latest_entities(tracker, "nombre_professionnels"):
                # The number answered the location question: undo the headcount the NLU guessed.
                events[SLOT_COUNT] = slot_before_latest_message(tracker, SLOT_COUNT)
            return events
        if latest_intent(tracker) in NON_PROFILE_INTENTS:
            return {}
        extraction = await rules_bridge_extraction(tracker)
        # « je serai à Montreuil » is checked like an answer: validate_arrondissement says Paris Méd' is for Paris
        value = extraction and (extraction.code_postal or extraction.arrondissement or extraction.hors_paris)
        return {SLOT_LOCATION: str(value)} if value else {}

    async def extract_nombre_professionnels(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The team size: a bare answer to the question, or the size rules_bridge reads in a profile message where the
        NLU read none (« je m'installe avec deux collègues dentistes » is 3, the writer included: asked « Combien de
        professionnels… ? » after it, the third outside tester had to type « 3 »; « et si je m'associe avec une
        collègue ? » after an estimate for one is 2)."""
        if latest_entities(tracker, "nombre_professionnels"):
            return {}
        asked = tracker.get_slot("requested_slot") == SLOT_COUNT
        if asked and (answer := bare_answer(tracker)) and (count := parse_count(answer)) is not None:
            events: dict[str, Any] = {SLOT_COUNT: count}
            if latest_entities(tracker, "arrondissement"):
                # The number answered the headcount question: undo the location the NLU guessed.
                events[SLOT_LOCATION] = slot_before_latest_message(tracker, SLOT_LOCATION)
            return events
        if latest_intent(tracker) in NON_PROFILE_INTENTS:
            return {}
        extraction = await rules_bridge_extraction(tracker)
        value = extraction.nombre_professionnels if extraction else None
        # Unasked, a team of one is rules_bridge's guess (« … pour mon cabinet de kiné » read as a kiné alone, who
        # would be told he is not eligible): the form asks instead, unless the writer says so (« toute seule »).
        alone = extraction is not None and extraction.structure == "exercice_seul"
        return {SLOT_COUNT: value} if value and (asked or value > 1 or alone) else {}

    async def extract_secteur(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != SLOT_SECTOR:
            if tracker.get_slot(SLOT_SECTOR) or latest_entities(tracker, "secteur"):
                return {}
            said = await call_blocking(sector_stated_in_conversation, tracker)  # before the form asks for it
            return {SLOT_SECTOR: said} if said else {}
        answer = bare_answer(tracker)
        sector = normalize_secteur(answer) if answer else None
        if not sector:
            return {}
        # The whole answer names a sector (« Secteur 1 »): it wins over partial entities the NLU
        # may have read in it (« Secteur » as the sector, « 1 » as an arrondissement).
        events: dict[str, Any] = {SLOT_SECTOR: sector}
        if latest_entities(tracker, "arrondissement") or latest_entities(tracker, "code_postal"):
            events[SLOT_LOCATION] = slot_before_latest_message(tracker, SLOT_LOCATION)
        if latest_entities(tracker, "nombre_professionnels"):
            events[SLOT_COUNT] = slot_before_latest_message(tracker, SLOT_COUNT)
        return events

    # ---- validation ------------------------------------------------------------------------
    def validate_professions(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not value:
            return {SLOT_PROFESSIONS: None}
        values = value if isinstance(value, list) else [value]
        known: list[str] = []
        unknown: list[str] = []
        for item in values:
            profession = normalize_profession(item)
            if profession and profession not in known:
                known.append(profession)
            elif not profession:
                unknown.append(str(item))
        if not known:
            say(dispatcher, "profession_inconnue", valeur=", ".join(unknown))
            return {SLOT_PROFESSIONS: None}
        left_out = not_counted(known)
        if left_out and len(left_out) == len(known) and known != previous_professions(tracker):
            # « Je suis ostéopathe, est-ce que je peux avoir l'aide ? »: the answer now, before the other questions
            # (fifth outside test: only « Dans quel arrondissement… ? » came back)
            say(dispatcher, "professions_non_retenues", raisons=" ".join(left_out))
        elif not left_out and asks_whether_counted(tracker) and known != previous_professions(tracker):
            # « Est-ce qu'un psychologue peut bénéficier de Paris Méd' ? » got only « Dans quel arrondissement… ? »
            # (eighth outside test): the grid's answer first, then the questions of the estimate
            say(dispatcher, "professions_retenues", professions=counted_names(known))
        result: dict[str, Any] = {SLOT_PROFESSIONS: known}
        read = professions_read(tracker)
        if read and set(known) <= read:
            # The professions come from this message: its headcounts (if any) replace the old ones.
            result[SLOT_SPLIT] = counts_said_per_profession(tracker) or None
        else:
            # Keep the split found by extract_professions (only required slots are returned otherwise), also when
            # it read professions the NLU missed.
            result[SLOT_SPLIT] = tracker.get_slot(SLOT_SPLIT)
        return result

    def validate_arrondissement(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None or value == "":
            return {SLOT_LOCATION: None}
        location = parse_location(value)
        if location is not None and location.in_paris:
            return {SLOT_LOCATION: str(location.arrondissement)}
        if location is not None and location.code_postal:
            say(dispatcher, "code_postal_hors_paris", valeur=location.code_postal)
        elif location is not None and location.hors_paris:
            say(dispatcher, "lieu_hors_paris", lieu=location.hors_paris)
        else:
            say(dispatcher, "arrondissement_invalide", valeur=str(value))
        return {SLOT_LOCATION: None}

    def validate_nombre_professionnels(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None or value == "":
            return {SLOT_COUNT: None}
        count = parse_count(value)
        said = latest_entities(tracker, "nombre_professionnels")
        per_profession = counts_said_per_profession(tracker)
        team_size_said = len(headcount_entities(tracker)) < len(said)  # « on sera 4, avec une orthophoniste »
        # Professions rules_bridge read and the NLU missed (extract_professions) have no headcount entity.
        professions = {normalize_profession(p) for p in tracker.get_slot(SLOT_PROFESSIONS) or []}
        every_one_counted = len(per_profession) == len(latest_entities(tracker, "profession")) and professions <= set(
            per_profession
        )
        if per_profession and every_one_counted and not team_size_said:
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
        result: dict[str, Any] = {SLOT_COUNT: float(count)}
        if not latest_entities(tracker, "profession") and tracker.get_slot(SLOT_SPLIT):
            # A new total without professions (« non, nous sommes 4 »): the old split no longer holds.
            split = tracker.get_slot(SLOT_SPLIT) or {}
            if sum(int(n) for n in split.values()) != count:
                result[SLOT_SPLIT] = None
        return result

    def validate_secteur(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None or value == "":
            return {SLOT_SECTOR: None}
        sector = normalize_secteur(value)
        if sector is None:
            say(dispatcher, "secteur_invalide")
        return {SLOT_SECTOR: sector}
