"""The aid estimate (rules_bridge.estimate) sent as one short text plus one « estimate_card » payload.

The card's shape is the contract with the web widget (docs/contracts.md, « carte d'estimation »): the widget
shows the amount, the main reasons and the partners, and keeps the table, assumptions and sources in a
« Voir le détail du calcul » disclosure. Channels that ignore custom payloads still get the short text.

The last estimate is kept in the conversation (slot ``estimation``): asked again with nothing changed (« c'est
combien ? », « pourquoi je ne suis pas éligible ? » after the card), the form completes at once and the action
restates it in a few words instead of sending the same card again. Right after it, « pourquoi ? », « comment c'est
calculé ? » (intent ``expliquer_estimation``) get its main reasons and its calculation lines in a short text."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import rules_bridge
from frenchtext import FrenchPipelineUnavailable, format_eur

from .common import SLOT_AID_ASKED, SLOT_OFFER, call_blocking, last_action_before_latest_message, latest_intent
from .handoff import ActionIncompris
from .messages import render, say
from .profile import SLOT_ESTIMATE, SLOT_SECTOR, build_profile, describe_team, project_stated_in_conversation

logger = logging.getLogger(__name__)

MAIN_REASONS = 3
MAIN_PARTNERS = 3
ASKS_WHY = "demande_eligibilite"  # « suis-je éligible ? », « pourquoi je ne suis pas éligible ? »
# After these actions, « pourquoi ? » is about the estimate just shown (or just explained).
ESTIMATE_ACTIONS = frozenset({"action_estimer_aide", "action_expliquer_estimation"})


class CardPartner(BaseModel):
    nom: str
    raison: str
    url: str | None = None


class CardLine(BaseModel):
    ligne: str
    montant_eur: int
    montant: str
    fondement: str


class EstimateCard(BaseModel):
    """The custom payload of an estimate (type « estimate_card »): plain French texts, amounts formatted."""

    type: str = "estimate_card"
    eligible: bool
    aide_plancher_eur: int
    montant: str
    titre: str
    motifs: list[str]
    partenaires: list[CardPartner]
    detail: list[CardLine]
    hypotheses: list[str]
    a_preciser: list[str]
    sources: list[str]
    avertissement: str
    version_grille: str
    repartition_supposee: str | None = None


def cited_sources(explanation: str) -> list[str]:
    """The « Sources » list of rules_bridge.explain_markdown (« titre — éditeur — date — adresse »)."""
    sources: list[str] = []
    inside = False
    for line in explanation.splitlines():
        if line.startswith("### "):
            inside = line.strip() == "### Sources"
        elif inside and line.startswith("- "):
            sources.append(line[2:].strip())
    return sources


def title(result: rules_bridge.Estimate) -> str:
    if result.eligible and result.aide_investissement:
        return "Votre projet semble éligible"
    if result.eligible:
        return "Accompagnement Paris Méd', sans aide en investissement à ce stade"
    return "En l'état, votre projet ne semble pas éligible"


def estimate_card(result: rules_bridge.Estimate, explanation: str, guessed_split: str | None) -> EstimateCard:
    return EstimateCard(
        eligible=result.eligible,
        aide_plancher_eur=result.aide_plancher_eur,
        montant=format_eur(result.aide_plancher_eur),
        titre=title(result),
        motifs=result.motifs[:MAIN_REASONS],
        partenaires=[CardPartner(nom=p.nom, raison=p.raison, url=p.url) for p in result.partenaires[:MAIN_PARTNERS]],
        detail=[
            CardLine(
                ligne=line.ligne,
                montant_eur=line.montant_eur,
                montant=format_eur(line.montant_eur),
                fondement=line.fondement,
            )
            for line in result.detail
        ],
        hypotheses=result.hypotheses,
        a_preciser=result.a_preciser,
        sources=cited_sources(explanation),
        avertissement=result.avertissement,
        version_grille=result.version_grille,
        repartition_supposee=guessed_split,
    )


def summary_message(
    result: rules_bridge.Estimate,
    guessed_split: str | None,
    newcomers: str | None = None,
    sector_unused: bool = False,
) -> dict[str, Any]:
    """The one short text (with the follow-up buttons) sent before the card. ``newcomers``: for a growth project,
    the professionals counted as joining (the grid counts only them), said so that a user who described the team
    already there can correct it (third outside test: 2 kinés counted, then 1 680 € once an orthophoniste joined).
    ``sector_unused``: a sector was said for a team without doctors, which the grid's sector rule does not concern
    (sixth outside test: « dentiste conventionné secteur 2 » got an amount without a word on the sector)."""
    if result.eligible and result.aide_investissement:
        head = render("montant_estime", montant=format_eur(result.aide_plancher_eur))
    elif result.eligible:
        head = render("montant_accompagnement")
    else:
        head = render("montant_non_eligible")
    parts = [head["text"]]
    if guessed_split:
        parts.append(render("repartition_supposee", repartition=guessed_split)["text"])
    if newcomers:
        parts.append(render("agrandissement_arrivants", arrivants=newcomers)["text"])
    if sector_unused:
        parts.append(render("secteur_non_retenu")["text"])
    follow_up = render("estimation_suite")
    parts.append(follow_up["text"])
    return {"text": " ".join(parts), "buttons": follow_up.get("buttons") or []}


def kept_estimate(profile: dict[str, Any], result: rules_bridge.Estimate) -> dict[str, Any]:
    """What the conversation keeps of an estimate to restate it: its profile, verdict, amount and main reasons."""
    return {
        "profil": profile,
        "version_grille": result.version_grille,
        "eligible": result.eligible,
        "aide_investissement": result.aide_investissement,
        "aide_plancher_eur": result.aide_plancher_eur,
        "motifs": result.motifs[:MAIN_REASONS],
        "detail": [{"ligne": line.ligne, "somme": format_eur(line.montant_eur)} for line in result.detail],
    }


def still_valid(kept: Any, profile: dict[str, Any]) -> bool:
    """Whether the kept estimate answers for this profile today: same profile, and the grid it was computed with is
    still the active one (staff may publish a new grid during a conversation)."""
    return (
        isinstance(kept, dict)
        and kept.get("profil") == profile
        and kept.get("version_grille") == rules_bridge.load_grid().version
    )


def restatement(kept: dict[str, Any], with_reasons: bool) -> str:
    """The last estimate in a few words: the amount (or the verdict) and that it is an estimate under assumptions;
    its main reasons too when the user asks about eligibility or the project does not seem eligible."""
    if kept["eligible"] and kept["aide_investissement"]:
        text = render("rappel_montant", montant=format_eur(kept["aide_plancher_eur"]))["text"]
    elif kept["eligible"]:
        text = render("rappel_accompagnement")["text"]
    else:
        text = render("rappel_non_eligible")["text"]
    if (with_reasons or not kept["eligible"]) and kept["motifs"]:
        text += "\n" + render("rappel_motifs", motifs="\n- ".join(kept["motifs"]))["text"]
    return text


def explanation(kept: dict[str, Any]) -> str:
    """Why the last estimate says what it says: its restatement with its main reasons, then its calculation lines."""
    text = restatement(kept, with_reasons=True)
    lines = kept.get("detail") or []  # an estimate kept before the lines were
    if lines:
        calculation = "\n- ".join(f"{line['ligne']} → {line['somme']}" for line in lines)
        text += "\n" + render("rappel_calcul", lignes=calculation)["text"]
    return text


class ActionExpliquerEstimation(Action):
    """« Pourquoi ? », « pourquoi ce montant ? », « comment c'est calculé ? » right after an estimate: its reasons
    and calculation lines. Anywhere else the question refers to nothing the assistant just said: it is handled like
    a message not understood (after a guide answer, the guide reads it as a follow-up)."""

    def name(self) -> str:
        return "action_expliquer_estimation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        kept = tracker.get_slot(SLOT_ESTIMATE)
        action, _ = last_action_before_latest_message(tracker)
        if isinstance(kept, dict) and action in ESTIMATE_ACTIONS:
            dispatcher.utter_message(text=explanation(kept))
            return [SlotSet(SLOT_OFFER, False)]
        return await ActionIncompris().run(dispatcher, tracker, domain)


def counted_newcomers(profile: dict[str, Any]) -> str | None:
    """« 2 masseurs-kinésithérapeutes et 1 orthophoniste » when the project is a growth, else None."""
    if profile.get("projet") != rules_bridge.JOINED_PROJECT:
        return None
    return describe_team({m["profession"]: m["nombre"] for m in profile["professionnels"]}) or None


async def stated_project(tracker: Tracker) -> str | None:
    """`project_stated_in_conversation`, off the event loop; None when the French pipeline fails."""
    try:
        return await call_blocking(project_stated_in_conversation, tracker)
    except (rules_bridge.RulesBridgeError, FrenchPipelineUnavailable):
        logger.warning("rules_bridge.extract failed; estimating without the stated project", exc_info=True)
        return None


class ActionEstimerAide(Action):
    """Estimate the floor aid with rules_bridge: one short text, then the card with the line-by-line detail."""

    def name(self) -> str:
        return "action_estimer_aide"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events = await self.estimate(dispatcher, tracker)
        if tracker.get_slot(SLOT_AID_ASKED):  # the estimate asked with a guide question is done
            events.append(SlotSet(SLOT_AID_ASKED, None))
        return events

    async def estimate(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        profile, guessed_split = build_profile(tracker)
        if "projet" not in profile and (projet := await stated_project(tracker)):
            profile["projet"] = projet
        kept = tracker.get_slot(SLOT_ESTIMATE)
        if still_valid(kept, profile):  # nothing changed since the card was shown
            dispatcher.utter_message(text=restatement(kept, with_reasons=latest_intent(tracker) == ASKS_WHY))
            return [SlotSet(SLOT_OFFER, False)]
        try:
            result = await call_blocking(rules_bridge.estimate, profile)
            explanation = rules_bridge.explain_markdown(result)
        except rules_bridge.ProfileError as error:
            say(dispatcher, "profil_incomplet", message=error.message)
            return [SlotSet(SLOT_OFFER, False)]
        except rules_bridge.RulesBridgeError:
            logger.exception("rules_bridge.estimate failed for profile %s", profile)
            say(dispatcher, "estimation_erreur")
            return [SlotSet(SLOT_OFFER, True)]
        sector_unused = bool(tracker.get_slot(SLOT_SECTOR)) and not any(
            "secteur" in m for m in profile["professionnels"]
        )
        message = summary_message(result, guessed_split, counted_newcomers(profile), sector_unused)
        dispatcher.utter_message(text=message["text"], buttons=message["buttons"])
        dispatcher.utter_message(json_message=estimate_card(result, explanation, guessed_split).model_dump())
        return [SlotSet(SLOT_OFFER, False), SlotSet(SLOT_ESTIMATE, kept_estimate(profile, result))]
