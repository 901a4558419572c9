"""E-mail addresses: one syntax check (email-validator), no DNS lookup (the machine may be offline).

email-validator is imported when an address is checked: the Rasa environment, which does not install it, imports
frenchtext for its sentences (assistant/components/questions.py)."""

from __future__ import annotations


def normalise_email(text: str) -> str | None:
    """The normalised address, or None when ``text`` is not a valid e-mail address."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def is_valid_email(text: str) -> bool:
    return normalise_email(text) is not None
