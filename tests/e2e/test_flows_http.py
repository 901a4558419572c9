"""The full dialogue flows through the real servers: eligibility form to an amount in €, orientation, hand-off."""

import re
import uuid

import pytest

from tests.e2e.test_chat_http import texts

pytestmark = pytest.mark.e2e


def test_eligibility_flow_asks_only_what_is_missing_and_ends_with_an_amount(say):
    sender = f"test-{uuid.uuid4().hex[:12]}"
    first = texts(say(sender, "Je voudrais savoir si je suis éligible à Paris Méd'"))
    assert "profession" in first.lower()
    second = texts(say(sender, "nous sommes 2 infirmiers"))
    assert "arrondissement" in second.lower()
    final = texts(say(sender, "dans le 19e"))
    assert re.search(r"\d[\d\s]*€", final), final  # French typography: narrow no-break spaces (Babel)
    assert "hypoth" in final.lower() or "indicati" in final.lower()


def test_orientation_lists_partners_with_reasons(say):
    reply = say(f"test-{uuid.uuid4().hex[:12]}", "Je cherche un local pour mon cabinet dans le 19e, qui contacter ?")
    assert "Paris Commerces" in texts(reply)
