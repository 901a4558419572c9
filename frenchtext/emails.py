"""E-mail addresses: one syntax check (email-validator), no DNS lookup (the machine may be offline)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


def normalise_email(text: str) -> str | None:
    """The normalised address, or None when ``text`` is not a valid e-mail address."""
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def is_valid_email(text: str) -> bool:
    return normalise_email(text) is not None
