"""Hand-off to the Paris Méd' team: contact form, request creation (exactly once), repeated misunderstandings."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

import knowledge_base
import request_store
import rules_bridge
from frenchtext import asking_sentences, fold, key, looks_english, normalise_email, words

from .common import (
    FORM,
    NO_CONTACT,
    SLOT_CONTACT,
    SLOT_OFFER,
    SLOT_SUBJECT,
    call_blocking,
    is_payload,
    last_action_before_latest_message,
    latest_intent,
    latest_user_text,
    transcript,
)
from .forms import AskMixin
from .knowledge import (
    AID_INTENTS,
    after_medical_advice,
    answer_follow_up,
    answer_if_the_guide_can,
    answer_question_in_form,
    answered_from_the_guide,
    say_medical_advice,
)
from .messages import say
from .orientation import orient_follow_up
from .profile import corrects_the_estimate, describe_profile, profile_from_entities

logger = logging.getLogger(__name__)

# French phone numbers (no phone library in the project; one pattern, tested): 0X XX XX XX XX or +33 X XX XX XX XX.
PHONE = re.compile(r"(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}")
REFUSALS = {"non", "non merci", "pas de contact", "aucun", "rien", "je prefere ne pas en laisser", "nan", "sans"}
RECENT_USER_MESSAGES = 6
_WORD_EDGES = "\"'()<>[]«»,;:.!?"


def contact_in(text: str) -> str | None:
    """The e-mail address (checked by email-validator) or French phone number found in a message, if any."""
    for word in (text or "").split():
        if "@" in word:
            email = normalise_email(word.strip(_WORD_EDGES))
            if email:
                return email
    phone = PHONE.search(text or "")
    if phone:
        return re.sub(r"[\s.-]", "", phone.group(0))
    return None


# Intents of messages that do not say what a hand-off is about (« je veux parler à quelqu'un », « bonjour », « oui »).
NO_SUBJECT_INTENTS = frozenset(
    {
        "parler_humain",
        "saluer",
        "remercier",
        "affirmer",
        "nier",
        "au_revoir",
        "frustration",
        "bot_challenge",
        "capacites",
        "donner_contact",
        "arreter",
        "nlu_fallback",
    }
)
# Words by which such a message still says its subject (« je veux parler à quelqu'un pour notre dossier de
# subvention », « … au sujet du bail »), unlike « je veux parler à quelqu'un, pas à un robot ».
SUBJECT_MARKERS = frozenset({"pour", "concernant", "sujet", "propos"})


def has_subject(tracker: Tracker) -> bool:
    """Whether a typed user message already says what the conversation is about: a question, a project, a need."""
    for event in tracker.events:
        text = event.get("text") or ""
        if event.get("event") != "user" or not text.strip() or is_payload(text):
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent not in NO_SUBJECT_INTENTS or SUBJECT_MARKERS & set(words(text)):
            return True
    return False


class ActionAskContact(AskMixin, Action):
    slot = SLOT_CONTACT


class ActionAskDemande(AskMixin, Action):
    slot = SLOT_SUBJECT


class ValidateFormulaireContact(FormValidationAction):
    """Ask what the request is about when nothing says it yet; accept an e-mail or a phone number, or the user's
    choice not to leave any."""

    def name(self) -> str:
        return "validate_formulaire_contact"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot(SLOT_SUBJECT) or not has_subject(tracker):
            return list(domain_slots)
        return [slot for slot in domain_slots if slot != SLOT_SUBJECT]

    async def extract_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Contact details said with a goodbye or thanks (« cabinet@exemple.fr, merci et bonne journée ») are the
        answer: those intents are not mapped to the slot (domain.yml), which a bare goodbye or thanks is not."""
        if tracker.get_slot("requested_slot") != SLOT_CONTACT or tracker.get_slot(SLOT_CONTACT):
            return {}
        found = contact_in(latest_user_text(tracker))
        return {SLOT_CONTACT: found} if found else {}

    def validate_demande(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if asks_for_the_teams_contact(text):  # « vous avez un numéro de téléphone ou un mail ? » is no subject
            say(dispatcher, "contact_de_l_equipe")
            return {SLOT_SUBJECT: None}
        found = contact_in(text)
        if found and not tracker.get_slot(SLOT_CONTACT):
            # « mon mail c'est …@…, c'est pour un projet de MSP » answers both questions: the contact was asked for
            # again, and the goodbye that followed cancelled the request (fifth outside test)
            return {SLOT_SUBJECT: text, SLOT_CONTACT: found}
        return {SLOT_SUBJECT: text or None}

    def validate_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        if text == NO_CONTACT:
            return {SLOT_CONTACT: NO_CONTACT}
        found = contact_in(text)
        if found:
            return {SLOT_CONTACT: found}
        if latest_intent(tracker) == "nier" or key(text) in REFUSALS or text.strip() == "/nier":
            return {SLOT_CONTACT: NO_CONTACT}
        if asks_for_the_teams_contact(text):  # « quel est votre numéro de téléphone ? »: the team's, not a wrong one
            say(dispatcher, "contact_de_l_equipe")
        else:
            say(dispatcher, "contact_invalide")
        return {SLOT_CONTACT: None}


_CONTACT_WORDS = frozenset(
    ["numero", "telephone", "tel", "mail", "email", "courriel", "adresse", "joindre", "contacter"]
)


def asks_for_the_teams_contact(text: str) -> bool:
    """A question for the team's phone number or e-mail address, asked when the form waits for the user's."""
    return bool(asking_sentences(text)) and bool(set(words(text)) & _CONTACT_WORDS)


def request_summary(tracker: Tracker, contact: str | None) -> str:
    """What the team reads first: the user's own recent words, then the known profile."""
    lines = [line["text"] for line in transcript(tracker) if line["from"] == "user"]
    if contact:
        lines = [line for line in lines if contact_in(line) != contact]
    recent = lines[-RECENT_USER_MESSAGES:]
    summary = "\n".join(f"- {line}" for line in recent) if recent else "- (aucun message saisi)"
    profile = describe_profile(tracker)
    text = "Messages de l'utilisateur (assistant Paris Méd') :\n" + summary
    if profile:
        text += "\nProfil indiqué : " + profile
    return text


def handoff_key(tracker: Tracker, events: list[dict[str, Any]] | None = None) -> str:
    """One key per conversation and hand-off: the sender and the time of the user message that confirmed it (the
    last one of ``events``, by default the whole conversation). A retried or replayed action call carries the same
    tracker, hence the same key: nothing new is created."""
    history = tracker.events if events is None else events
    stamp = next((e.get("timestamp") for e in reversed(history) if e.get("event") == "user"), None)
    return f"chat:{tracker.sender_id}:{stamp}"


def transmitted_key(tracker: Tracker) -> str | None:
    """The `handoff_key` of this conversation's last hand-off (the user message just before the last
    action_transmettre_equipe), None if nothing was passed to the team."""
    events = tracker.events
    last = next(
        (i for i in range(len(events) - 1, -1, -1) if events[i].get("name") == "action_transmettre_equipe"), None
    )
    return None if last is None else handoff_key(tracker, events[:last])


class ActionTransmettreEquipe(Action):
    """Create a staff request (once) with the transcript, then tell the user what happens next."""

    def name(self) -> str:
        return "action_transmettre_equipe"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        contact = tracker.get_slot(SLOT_CONTACT)
        contact = None if contact in (None, "", NO_CONTACT) else str(contact)
        try:
            created = await call_blocking(
                request_store.create_request,
                source="chat",
                texte=request_summary(tracker, contact),
                contact=contact,
                transcript=transcript(tracker),
                sender_id=tracker.sender_id,
                idempotency_key=handoff_key(tracker),
            )
        except (request_store.RequestStoreError, SQLAlchemyError):
            logger.exception("request_store.create_request failed")
            say(dispatcher, "transmission_echec")
            say(dispatcher, "contact_secours")
            return [SlotSet(SLOT_OFFER, False), SlotSet(SLOT_CONTACT, None), SlotSet(SLOT_SUBJECT, None)]
        response = "transmis" if contact else "transmis_sans_contact"
        say(dispatcher, response, numero=created.id)
        return [SlotSet(SLOT_OFFER, False), SlotSet(SLOT_CONTACT, None), SlotSet(SLOT_SUBJECT, None)]


# What a message right after a hand-off would have run had it not been a precision (the rules' usual action).
USUAL_ACTION = {
    "informer": FORM,
    "question_reglementaire": "action_repondre_guide",
    "hors_sujet": "action_hors_sujet",
    "nlu_fallback": "action_incompris",
}
_ASKS = re.compile(
    r"\b(?:comment|combien|pourquoi|quel|quelle|quels|quelles|quand|est-ce|qu'est-ce|c'est quoi|faut-il|peut-on"
    r"|dois-je|puis-je)\b"
)


def reads_as_a_question(text: str) -> bool:
    """A question, with or without its « ? » (« et pour le bail comment ça se passe »)."""
    return bool(asking_sentences(text)) or bool(_ASKS.search(fold(text)))


class ActionCompleterDemande(Action):
    """Details given right after a hand-off (« c'est pour un projet de centre de santé », « précision : les travaux
    sont estimés à 180 000 euros ») complete the request just passed to the team. They used to open the estimate
    (seventh outside test) or get a guide answer (eighth: the NLU reads them as profile details or as a regulatory
    question). A question, or a conversation with no request found, runs what the intent's rule would have run."""

    def name(self) -> str:
        return "action_completer_demande"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        usual = [FollowupAction(USUAL_ACTION.get(latest_intent(tracker) or "", FORM))]
        key_ = transmitted_key(tracker)
        precision = latest_user_text(tracker).strip()
        if key_ is None or not precision or reads_as_a_question(precision):
            return usual
        try:
            numero = await call_blocking(request_store.get_store().add_precision, key_, precision)
        except (request_store.RequestStoreError, SQLAlchemyError):
            logger.exception("request_store.add_precision failed")
            numero = None
        if numero is None:
            return usual
        say(dispatcher, "precision_ajoutee", numero=numero)
        return []


def misunderstood_twice(tracker: Tracker) -> bool:
    """True when the previous user message was already misunderstood (action_incompris ran after it, and did not
    answer it from the guide as a follow-up)."""
    user_turns_seen = 0
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            user_turns_seen += 1
            if user_turns_seen == 2:
                return False
        elif kind == "action" and user_turns_seen == 1 and event.get("name") == "action_incompris":
            return not answered_from_the_guide(tracker)
    return False


# What a question right after an estimate is about, for the guide (its previous turn).
AID_TOPIC = knowledge_base.Previous(question="l'aide Paris Méd'", section_id=None)


class ActionIncompris(Action):
    """First misunderstanding: ask to rephrase. Second in a row: offer the hand-off. Right after a guide answer, the
    message is first read by the guide as a follow-up (« et combien de temps il dure ? »), which the NLU, without the
    previous turn, cannot classify; right after a list of partners, as a need (« un financement pour du matériel »)."""

    def name(self) -> str:
        return "action_incompris"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if after_medical_advice(tracker):
            return say_medical_advice(dispatcher)
        if not tracker.active_loop_name and corrects_the_estimate(tracker, domain):  # « et si on passe en secteur 1 ? »
            return [FollowupAction(FORM)]
        if tracker.active_loop_name:  # a question asked in the middle of the estimate: the guide may answer it
            answered = await answer_question_in_form(dispatcher, tracker)
        elif answered_from_the_guide(tracker):
            answered = await answer_follow_up(dispatcher, tracker)
        elif last_action_before_latest_message(tracker)[0] == "action_orienter":
            answered = await orient_follow_up(dispatcher, tracker)
        else:  # a question on its own (« c'est versé quand l'aide ? »): the guide's answer when it is sure of one
            question = latest_user_text(tracker)
            # right after an estimate, « c'est versé quand ? » is about the aid (seventh outside test)
            topic = AID_TOPIC if last_action_before_latest_message(tracker)[0] == "action_estimer_aide" else None
            answered = (
                await answer_if_the_guide_can(dispatcher, question, topic) if asking_sentences(question) else None
            )
        if answered is not None:
            return answered
        if looks_english(latest_user_text(tracker)):  # « Hello, do you speak English? »
            say(dispatcher, "service_en_francais")
            return [SlotSet(SLOT_OFFER, True)]
        if misunderstood_twice(tracker):
            say(dispatcher, "proposer_equipe")
            return [SlotSet(SLOT_OFFER, True)]
        if tracker.active_loop_name:
            say(dispatcher, "reponse_non_comprise")
        else:
            say(dispatcher, "reformuler")
        return []


# Right after a guide answer, these intents may be the NLU's guess at a follow-up it cannot read without the previous
# turn (« et si on reçoit moins de 20 personnes ? » read as profile details, « et si c impossible » as frustration);
# otherwise the eligibility form, or for frustration the offer of the team (rules/guide.yml).
FOLLOW_UP_GUESSES = frozenset({"informer", "frustration", "hors_sujet"})
# From this NLU confidence on, the intent is taken as it is: « et pour une sage-femme ? » after an answer on medical
# waste (informer, 0.86, a profession read) opened the estimate (fourth outside test).
SURE_INTENT = 0.9
# The questions about the aid are follow-ups only when the NLU is less sure still and the message says nothing of the
# aid: « et pour une sage-femme c'est pareil ? » after a question on leases (demande_eligibilite, 0.50) opened the
# estimate (third outside test), while « Et sinon, on a droit à combien avec Paris Méd' ? » (estimer_aide, 0.57), read
# with the previous turn, was answered again on ERPs where the estimate is what is asked.
AID_GUESSES = frozenset({"demande_eligibilite", "estimer_aide"})
SURE_AID_INTENT = 0.7  # « ça prend combien de temps ? » after an answer on a derogation: estimer_aide, 0.60
# fmt: off
AID_WORDS = frozenset([
    "aide", "aides", "droit", "combien", "eligible", "eligibles", "eligibilite", "subvention", "subventions",
    "financement", "financer", "finance", "montant", "toucher", "argent", "med", "estimer", "estimation", "euros",
])
# fmt: on
_DURATION = re.compile(r"\bcombien de (?:temps|jours|semaines|mois|annees)\b")


def may_be_a_follow_up(intent: dict[str, Any], text: str) -> bool:
    """Whether the NLU's intent for a message right after a guide answer may be its guess at a follow-up."""
    name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
    if name in FOLLOW_UP_GUESSES:
        return confidence < SURE_INTENT
    said = set(words(_DURATION.sub(" ", fold(text))))  # « combien de temps » asks for a duration, not money
    return name in AID_GUESSES and confidence < SURE_AID_INTENT and not said & AID_WORDS


class ActionRelanceGuide(Action):
    """Right after a guide answer, a message the NLU reads, unsure, as profile details, frustration or a question
    about the aid (`may_be_a_follow_up`): when it may be a follow-up (`knowledge_base.may_follow_up`) and the guide
    answers it with the previous turn, that answer; otherwise the intent's own action (the eligibility form, the offer
    of the team). Third outside test (session 22): « et si on reçoit moins de 20 personnes ? » after a question on
    ERPs, « c'est long ? » after one on change of use, opened the estimate (« Quelle est votre profession ? »)."""

    def name(self) -> str:
        return "action_relance_guide"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        intent = (tracker.latest_message or {}).get("intent") or {}
        if may_be_a_follow_up(intent, latest_user_text(tracker)) and answered_from_the_guide(tracker):
            answered = await answer_follow_up(dispatcher, tracker)
            if answered is not None:
                return answered
        if intent.get("name") == "frustration":
            return apologise_and_offer(dispatcher)
        if intent.get("name") == "hors_sujet":  # « comment on la demande ? » was answered « je ne peux pas vous aider »
            return [FollowupAction("action_hors_sujet")]
        return [FollowupAction(FORM)]  # the form runs as its own rule would have run it


class ActionProposerEquipe(Action):
    """Frustration or insult: apologise and offer to pass the question to the team (same offer as after an
    unanswered question: buttons, and a typed « oui » accepts it)."""

    def name(self) -> str:
        return "action_proposer_equipe"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if after_medical_advice(tracker):  # « il ne répond plus » after the medical advice: the 15, the 112 again
            return say_medical_advice(dispatcher)
        return apologise_and_offer(dispatcher)


def apologise_and_offer(dispatcher: CollectingDispatcher) -> list[EventType]:
    """« Sorry I did not help »: the offer to pass the question to the team, pending (a typed « oui » accepts it)."""
    say(dispatcher, "excuses_equipe")
    return [SlotSet(SLOT_OFFER, True)]


class ActionNier(Action):
    """« Non » with no offer pending. Right after a guide answer (« Cette réponse vous aide-t-elle ? » — « non, c'est
    flou ») it says the answer did not help: apologise and offer the hand-off. With profile details after an estimate,
    a correction: the estimate again. Otherwise a plain « D'accord »."""

    def name(self) -> str:
        return "action_nier"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if corrects_the_estimate(tracker, domain):  # « non pardon, on est trois kinés pas deux »: a new estimate
            return [FollowupAction(FORM)]
        if answered_from_the_guide(tracker):
            return apologise_and_offer(dispatcher)
        dispatcher.utter_message(response="utter_ok_nier")
        return []


class ActionNonCompris(Action):
    """Core fallback (no policy is confident): apologise and forget the message, so the conversation (and an active
    form) continues as if it had not been sent. In the estimate, a grid criterion stated in words (« le local est en
    QPV ») or a question about the aid fills no slot, so the form rejects it: the first is acknowledged and kept for
    the estimate, the second told that the estimate is under way, then the form asks its question again (fifth
    outside test: « Désolé, je n'ai pas compris » to both)."""

    def name(self) -> str:
        return "action_non_compris"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.active_loop_name == FORM:  # what the form could not read but need not be forgotten
            stated = rules_bridge.stated_criteria(latest_user_text(tracker)).model_dump(exclude_none=True)
            # « centre de santé, agrandissement, travaux » while the form asks the sector: slots the entities filled
            # (sixth outside test: « Désolé, je n'ai pas compris »)
            if stated or profile_from_entities(tracker, domain):
                say(dispatcher, "critere_note")  # « le local est en QPV »: read again at the estimate
                return [FollowupAction(FORM)]
            if latest_intent(tracker) in AID_INTENTS:  # « est-ce que j'ai droit à une aide ? »
                say(dispatcher, "estimation_en_cours")
                return [FollowupAction(FORM)]
        say(dispatcher, "default")
        return [UserUtteranceReverted()]


class ActionClorOffre(Action):
    """The user declined the hand-off offer: forget it."""

    def name(self) -> str:
        return "action_clore_offre"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return [SlotSet(SLOT_OFFER, False)]
