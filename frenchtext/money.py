"""Money in French typography, by Babel: ``12345`` → ``12 345 €`` (narrow no-break spaces)."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency

_PATTERN = "#,##0\u00a0¤"  # whole euros: the estimates are indicative, cents would suggest false precision


def format_eur(amount: int | float | Decimal) -> str:
    """``12345`` → ``12 345 €``; ``-500`` → ``-500 €``; rounded to the euro."""
    return format_currency(round(amount), "EUR", format=_PATTERN, locale="fr_FR", currency_digits=False)
