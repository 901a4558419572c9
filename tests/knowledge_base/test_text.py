from frenchtext import fold
from knowledge_base.text import QUESTION_EMPHASIS, Analyzer, as_message, clean_user_text, emphasise_questions, expand


def test_fold_removes_accents_case_and_ligatures():
    assert fold("Établissement Recevant du PUBLIC, œuvre") == "etablissement recevant du public, oeuvre"


def test_abbreviations_are_expanded_not_replaced():
    assert expand("Mon cab est un ERP ?").startswith("Mon cab est un ERP ?")
    assert "établissement recevant du public" in expand("Mon cab est un ERP ?")
    assert "permis construire" in expand("faut-il un PC")


def test_terms_are_accent_insensitive_lemmas_without_stop_words():
    a = Analyzer()
    with_accents = a.terms("Les établissements recevant du public")
    without = a.terms("les etablissements recevant du public")
    assert with_accents == without
    assert "le" not in with_accents and "du" not in with_accents
    assert "etablissement" in with_accents


def test_typos_are_repaired_against_the_index_vocabulary():
    a = Analyzer()
    a.set_vocabulary(["accessibilite", "autorisation", "copropriete"])
    assert a.terms("acessibilite coproprieté", repair=True) == ["accessibilite", "copropriete"]
    assert a.terms("acessibilite", repair=False) == ["acessibilite"]


def test_html_is_stripped_from_user_text():
    assert clean_user_text("<script>alert(1)</script> Mon <b>cabinet</b>&nbsp;?") == "alert(1) Mon cabinet ?"


def test_repaired_terms_match_the_repairing_analysis_and_unknown_words_are_counted():
    a = Analyzer()
    a.set_vocabulary(["accessibilite", "autorisation", "copropriete"])
    raw = a.terms("acessibilite coproprieté urssaf")
    assert a.repaired(raw) == a.terms("acessibilite coproprieté urssaf", repair=True)
    assert a.repaired(raw)[:2] == ["accessibilite", "copropriete"]
    assert a.unknown_share(raw) == 2 / 3  # before repair: the typo and the word the guide never uses
    assert a.unknown_share(a.terms("accessibilite urssaf")) == 0.5
    assert a.unknown_share([]) == 0.0


def test_asking_sentences_of_a_long_message_are_repeated_after_it():
    told = "Nous sommes trois infirmières dans le 20e. Nous cherchons un local."
    asked = "Comment avoir accès aux locaux des bailleurs sociaux ?"
    emphasised = emphasise_questions(f"{told} {asked}")
    assert emphasised.startswith(f"{told} {asked}")
    assert emphasised.count(asked) == 1 + QUESTION_EMPHASIS
    assert emphasise_questions(asked) == asked  # one sentence: nothing to weigh
    assert emphasise_questions(f"{asked} Et combien ça coûte ?") == f"{asked} Et combien ça coûte ?"  # all asking
    assert emphasise_questions(told) == told  # nothing asked


def test_the_emphasis_cuts_sentences_as_frenchtext_does():
    """One rule for the whole project: a line break ends a sentence (frenchtext.sentences), a sentence asks when it
    ends with « ? » (frenchtext.asking_sentences)."""
    told = "Nous sommes trois infirmières dans le 20e"
    asked = "Comment avoir accès aux locaux des bailleurs sociaux ?"
    assert emphasise_questions(f"{told}\n{asked}").count(asked) == 1 + QUESTION_EMPHASIS
    opening_only = "Comment avoir accès aux locaux des bailleurs sociaux."
    assert emphasise_questions(f"{told}. {opening_only}") == f"{told}. {opening_only}"  # nothing ends with « ? »


def test_a_new_question_after_thanks_is_ranked_alone():
    """« merci » followed by a new question: the question is ranked alone (the thanks would weigh on the decision's
    features); a greeting stays, and courtesy only is left as it is, for the decision to decline."""
    assert as_message("merci! derniere question: c quoi une ZAC ?") == "c quoi une ZAC ?"
    told, asked = "Bonjour, nous sommes trois infirmières.", "Comment avoir accès aux locaux des bailleurs sociaux ?"
    assert as_message(f"{told} {asked}") == emphasise_questions(f"{told} {asked}")
    assert as_message("Très bien, merci et bonne soirée") == "Très bien, merci et bonne soirée"
