from frenchtext.courtesy import COURTESY_WORDS, THANKS, after_thanks, is_courtesy, strip_lead


def test_courtesy_sentences_are_recognised_on_folded_words() -> None:
    assert is_courtesy("Merci beaucoup, très clair !")
    assert is_courtesy("Bonne journée à tous")
    assert is_courtesy("")  # no word: nothing asked
    assert not is_courtesy("Merci, et pour l'enseigne ?")
    assert not is_courtesy("Je suis kiné.")
    assert "derniere" in COURTESY_WORDS and "kine" not in COURTESY_WORDS


def test_a_courtesy_lead_is_stripped_before_a_comma_or_colon() -> None:
    assert strip_lead("Bonjour, petite question : mon cabinet est-il un ERP ?") == "mon cabinet est-il un ERP ?"
    assert strip_lead("derniere question: c quoi une ZAC ?") == "c quoi une ZAC ?"
    assert strip_lead("Je suis kiné, puis-je avoir l'aide ?") == "Je suis kiné, puis-je avoir l'aide ?"
    assert strip_lead("Merci, au revoir") == "au revoir"  # what follows the lead is kept, even courtesy
    assert strip_lead("merci,") == "merci,"  # nothing after the lead: kept whole


def test_a_new_question_after_thanks_is_kept_alone() -> None:
    assert after_thanks("merci! derniere question: c quoi une ZAC ?") == "c quoi une ZAC ?"
    assert after_thanks("merci bcp, et si je suis en bail derogatoire je peux partir quand ?") == (
        "et si je suis en bail derogatoire je peux partir quand ?"
    )
    assert (
        after_thanks("Merci pour ces infos. Dernière chose : le registre, on le range où ? Et qui le signe ?", "\n")
        == "le registre, on le range où ?\nEt qui le signe ?"
    )
    assert "merci" in THANKS


def test_other_texts_are_left_as_they_are() -> None:
    for text in (
        "Bonjour, je suis kiné. Puis-je avoir l'aide ?",  # a greeting, not thanks: part of how people write
        "merci, à bientôt",  # courtesy only: nothing new is asked
        "ça m'aide beaucoup, merci, bonne continuation",  # the thanks do not open the message
        "Je suis kiné.  Puis-je avoir l'aide ?",
    ):
        assert after_thanks(text, "\n") == text
