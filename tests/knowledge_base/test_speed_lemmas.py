"""Query analysis by lemma lookup (no spaCy pipeline per question) agrees with the pipeline the index was built with."""

import pytest

from frenchtext import french_pipeline
from knowledge_base.text import Analyzer


def test_the_index_persists_a_lemma_table_that_the_query_path_uses(kb):
    analyzer = kb.index.analyzer
    assert len(analyzer.lemmas) > 1000
    terms = analyzer.terms("Les travaux des locaux accessibles aux medecins handicapés")
    assert {"travail", "local", "medecin", "handicape"} <= set(terms), terms  # « medecins »: the folded form


def test_a_question_is_answered_without_running_the_pipeline(kb, monkeypatch):
    def no_pipeline(*args, **kwargs):
        raise AssertionError("the spaCy pipeline ran for a question")

    monkeypatch.setattr(french_pipeline(), "pipe", no_pipeline)
    assert kb.answer("mon cabinet est-il un ERP ?").answered
    assert not kb.answer("azertyuiop qsdfghjklm").understood  # gibberish detection needs no pipeline either
    with pytest.raises(AssertionError):
        Analyzer().terms("sans table de lemmes, le pipeline tourne")


def test_lookup_terms_agree_with_the_pipeline_on_the_guide_sentences(kb):
    sentences = [s for section in kb.index.sections[::3] for s in section.sentences()][:300]
    by_pipeline = Analyzer().terms_many(sentences)  # no lemma table: the whole spaCy pipeline, lemmas in context
    by_lookup = kb.index.analyzer.terms_many(sentences)
    terms = sum(len(a) for a in by_pipeline)
    agreeing = sum(len(set(a) & set(b)) for a, b in zip(by_pipeline, by_lookup, strict=True))
    # Measured 0.91: the rest are the pipeline's guesses in context (« Paris » → « pari », « urbanism »).
    assert agreeing / terms >= 0.88, agreeing / terms


def test_unknown_words_keep_their_folded_form_and_the_model_lookup_covers_common_french():
    analyzer = Analyzer()
    analyzer.set_lemmas({"travaux": "travail"})
    assert analyzer.terms("Travaux ÉLIGIBLES xyzzyplop") == ["travail", "eligible", "xyzzyplop"]
    assert analyzer.lemma("loyers") == "loyer"  # not in the table: the model's lookup table


def test_gibberish_detection_still_works_without_the_pipeline(kb):
    analyzer = kb.index.analyzer
    assert not analyzer.recognises("azertyuiop qsdfghjklm")
    assert analyzer.recognises("bonjour, une question sur mon bail")
    assert analyzer.recognises("12")
