"""Custom actions of the Paris Méd' Rasa assistant (served by rasa-sdk's ActionExecutor).

One module per concern: knowledge (guide answers), eligibility (form + estimate), orientation,
handoff (team requests, misunderstandings). The APIs of knowledge_base, rules_bridge and
channels.staff are imported lazily inside the actions, so this package always imports.
"""

from .eligibility import (
    ActionAskArrondissement,
    ActionAskNombreProfessionnels,
    ActionAskProfessions,
    ActionAskSecteur,
    ActionEstimerAide,
    ValidateFormulaireEligibilite,
)
from .handoff import (
    ActionAskContact,
    ActionClorOffre,
    ActionIncompris,
    ActionNonCompris,
    ActionTransmettreEquipe,
    ValidateFormulaireContact,
)
from .knowledge import ActionRepondreGuide
from .orientation import ActionOrienter

__all__ = [
    "ActionAskArrondissement",
    "ActionAskContact",
    "ActionAskNombreProfessionnels",
    "ActionAskProfessions",
    "ActionAskSecteur",
    "ActionClorOffre",
    "ActionEstimerAide",
    "ActionIncompris",
    "ActionNonCompris",
    "ActionOrienter",
    "ActionRepondreGuide",
    "ActionTransmettreEquipe",
    "ValidateFormulaireContact",
    "ValidateFormulaireEligibilite",
]
