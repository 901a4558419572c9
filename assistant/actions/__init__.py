"""Custom actions of the Paris Méd' Rasa assistant (served by rasa-sdk's ActionExecutor).

One module per concern: knowledge (guide answers, with the previous turn as context), forms (the
eligibility form's questions and validation), estimate (the estimate card), orientation, handoff (team
requests, misunderstandings); shared helpers in common, messages, profile (slots -> rules_bridge profile) and
vocabulary (user words -> rules_bridge identifiers). They call knowledge_base, rules_bridge and request_store
directly (typed APIs, the packages' own error types).
"""

from .estimate import ActionEstimerAide, ActionExpliquerEstimation
from .forms import (
    ActionAskArrondissement,
    ActionAskNombreProfessionnels,
    ActionAskProfessions,
    ActionAskSecteur,
    ValidateFormulaireEligibilite,
)
from .handoff import (
    ActionAskContact,
    ActionAskDemande,
    ActionClorOffre,
    ActionIncompris,
    ActionNier,
    ActionNonCompris,
    ActionProposerEquipe,
    ActionTransmettreEquipe,
    ValidateFormulaireContact,
)
from .knowledge import ActionHorsSujet, ActionQuestionMedicale, ActionRepondreGuide
from .orientation import ActionOrienter

__all__ = [
    "ActionAskArrondissement",
    "ActionAskContact",
    "ActionAskDemande",
    "ActionAskNombreProfessionnels",
    "ActionAskProfessions",
    "ActionAskSecteur",
    "ActionClorOffre",
    "ActionEstimerAide",
    "ActionExpliquerEstimation",
    "ActionHorsSujet",
    "ActionIncompris",
    "ActionNier",
    "ActionNonCompris",
    "ActionOrienter",
    "ActionProposerEquipe",
    "ActionQuestionMedicale",
    "ActionRepondreGuide",
    "ActionTransmettreEquipe",
    "ValidateFormulaireContact",
    "ValidateFormulaireEligibilite",
]
