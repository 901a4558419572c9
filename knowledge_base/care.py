"""Questions asking for care (symptoms, treatment, doses), which the guide declines: their reply points to a doctor
or a pharmacist, and to the 15 or the 112, instead of offering to pass the question to the Paris Méd' team, who give
no medical advice. The chat reads them with its NLU (intent question_medicale); the CLI and the HTTP API with these
words (third outside test: `ask` offered the team to a question on chest pain)."""

from __future__ import annotations

import re

from frenchtext import key

MEDICAL_ADVICE = (
    "Je ne peux pas donner d'avis médical\u00a0: je suis l'assistant de la Ville de Paris pour l'installation des "
    "professionnels de santé. Pour une question de santé, consultez un médecin ou un pharmacien. En cas d'urgence, "
    "appelez le 15 (SAMU) ou le 112."
)

# Symptoms, conditions, medicines and care acts: words a question on installing a practice does not use. Folded.
_CARE = re.compile(
    r"\b(?:douleurs?|fievres?|toux|tousse|symptomes?|antibiotiques?|posologie|sirop|paracetamol|doliprane|"
    r"ibuprofene|aspirine|glycemie|insuline|malaise|saignements?|saigne|brulures?|entorse|angine|otite|cystite|"
    r"eczema|mycose|migraines?|vertiges?|diarrhee|vomissements?|nausees?|sciatique|lombalgie|tendinite|"
    r"pneumopathie|hypoglycemie|metformine|anticoagulants?|amoxicilline|allergique|fracture|hemorragie|"
    r"suicidaires?|infection|ulcere|pansement|covid|grippe|bronchite|asthme|diabete|cancer|tumeur|eruption|"
    r"vitamines?|urines|effets secondaires)\b"
    r"|\bj ai mal\b|\bmal (?:au|aux|a la|de)\b"
)


def asks_for_care(message: str) -> bool:
    """Whether a message asks about a symptom, a condition or a treatment."""
    return bool(_CARE.search(key(message)))
