"""Questions asking for care (symptoms, treatment, doses), which the guide declines: their reply points to a doctor
or a pharmacist, and to the 15 or the 112, instead of offering to pass the question to the Paris Méd' team, who give
no medical advice. The chat reads them with its NLU (intent question_medicale); the CLI and the HTTP API with these
words (third outside test: `ask` offered the team to a question on chest pain)."""

from __future__ import annotations

import re

from frenchtext import key

# The emergency comes first: a professional writing about a patient's chest pain needs the 15 before the rest
# (fifth outside test).
MEDICAL_ADVICE = (
    "En cas d'urgence, appelez le 15 (SAMU) ou le 112. Je ne peux pas donner d'avis médical\u00a0: je suis "
    "l'assistant de la Ville de Paris pour l'installation des professionnels de santé. Pour une question de santé, "
    "consultez un médecin ou un pharmacien."
)

# A patient looking for a practitioner: the Assurance Maladie's directory, and its conciliator for a médecin
# traitant (service-public.fr F20849, read 2026-12-03). Offering to forward « un médecin traitant pour ma mère » to
# the installation team made no sense (fifth outside test).
PRACTITIONER_SEARCH = (
    "Je suis l'assistant de la Ville de Paris pour l'installation des professionnels de santé\u00a0: je ne peux pas "
    "vous indiquer de praticien ni prendre de rendez-vous. Pour trouver un médecin ou un autre professionnel de santé "
    "près de chez vous, consultez l'annuaire santé de l'Assurance Maladie (https://annuairesante.ameli.fr). Si vous "
    "ne parvenez pas à trouver de médecin traitant, le conciliateur de votre caisse d'Assurance Maladie peut vous aider "
    "(https://www.service-public.fr/particuliers/vosdroits/F20849)."
)

# Symptoms, conditions, medicines and care acts: words a question on installing a practice does not use. Folded.
_CARE = re.compile(
    r"\b(?:douleurs?|fievres?|toux|tousse|symptomes?|antibiotiques?|posologie|sirop|paracetamol|doliprane|"
    r"ibuprofene|aspirine|glycemie|insuline|malaise|saignements?|saigne|brulures?|entorse|angine|otite|cystite|"
    r"eczema|mycose|migraines?|vertiges?|diarrhee|vomissements?|nausees?|sciatique|lombalgie|tendinite|"
    r"pneumopathie|hypoglycemie|metformine|anticoagulants?|amoxicilline|allergique|fracture|hemorragie|"
    r"suicidaires?|infection|ulcere|pansement|covid|grippe|bronchite|asthme|diabete|cancer|tumeur|eruption|"
    r"vitamines?|urines|effets secondaires|tension|saturation|interactions?|reeducation|prothese|begaie|quel diagnostic|"
    r"inconscient|convulsions?|etouffe|accident vasculaire|aux urgences|arret cardiaque|perdu connaissance|respire plus|"
    r"ne mange plus|coupe profondement|fatigue|perte de poids|levothyrox|medicaments? pour)\b"
    r"|\bj ai mal\b|\bmal (?:au|aux|a la|de)\b"
)


_PRACTITIONERS = (
    r"(?:medecin|generaliste|dentiste|kine\w*|pediatre|gyneco\w*|dermato\w*|ophtalmo\w*|psychiatre|psychologue|"
    r"infirmier\w*|sage femme|orthophoniste|podologue|specialiste|docteur)"
)
# A patient's words, folded: looking for a practitioner for oneself or a relative, a médecin traitant lost, an
# appointment. A professional recruiting (« je cherche un médecin pour notre MSP ») has none of them.
_SEEKS_PRACTITIONER = re.compile(
    rf"\b(?:cherche|recherche|trouver|trouve|besoin d un|besoin d une|conseiller|connaissez)\s+(?:un|une)\s+"
    rf"(?:bon\s+|bonne\s+|nouveau\s+|nouvelle\s+)?{_PRACTITIONERS}(?:\s+traitant)?\s+"
    r"(?:pour (?:moi|ma|mon|mes)\b|pres de chez|dans mon quartier|qui (?:prend|prenne|accepte)|disponible)"
    rf"|\b{_PRACTITIONERS}\s+traitant\s+pour\s+(?:moi|ma|mon|mes)\b"
    r"|\b(?:cherche|recherche|trouver|trouve)\s+(?:un|une)\s+(?:nouveau\s+|nouvelle\s+)?medecin traitant\b"
    r"|\bje n ai (?:pas|plus) de medecin traitant\b"
    r"|\b(?:prend|prennent|accepte|acceptent)\s+(?:de |des )?nouveaux patients\b"
    rf"|\bprendre (?:un )?(?:rendez vous|rdv) (?:chez|avec) (?:un|une|le|la|mon|ma)\s+{_PRACTITIONERS}"
)


def seeks_a_practitioner(message: str) -> bool:
    """Whether a message is a patient's looking for a practitioner (or an appointment)."""
    return bool(_SEEKS_PRACTITIONER.search(key(message)))


def asks_for_care(message: str) -> bool:
    """Whether a message asks about a symptom, a condition or a treatment."""
    return bool(_CARE.search(key(message)))
