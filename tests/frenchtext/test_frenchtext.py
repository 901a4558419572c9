"""The shared French-text layer: one fold, one money format, one e-mail check, one spaCy pipeline."""

from __future__ import annotations

import threading

import pytest

from frenchtext import fold, format_eur, french_pipeline, is_valid_email, key, normalise_email, words


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Médecin Généraliste", "medecin generaliste"),
        ("Œuvre ÆSTHÉTIQUE", "oeuvre aesthetique"),
        ("l’accès", "l'acces"),
        ("Sage-Femme, 19ᵉ", "sage-femme, 19e"),
        ("", ""),
    ],
)
def test_fold_removes_case_accents_and_ligatures_but_keeps_punctuation(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_words_and_key_split_on_punctuation() -> None:
    assert words("Sage-femme (l’ERP) — 5ᵉ catégorie") == ["sage", "femme", "l", "erp", "5e", "categorie"]
    assert key("  Maison  de Santé !") == "maison de sante"


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "0\u00a0€"),
        (950, "950\u00a0€"),
        (12345, "12\u202f345\u00a0€"),
        (1203816, "1\u202f203\u202f816\u00a0€"),
        (-500, "-500\u00a0€"),
        (2190.6, "2\u202f191\u00a0€"),
    ],
)
def test_format_eur_uses_french_typography_and_whole_euros(amount: float, text: str) -> None:
    assert format_eur(amount) == text


@pytest.mark.parametrize("address", ["prenom.nom@paris.fr", "dr.diallo+cabinet@exemple.fr"])
def test_valid_email_addresses(address: str) -> None:
    assert is_valid_email(address)


@pytest.mark.parametrize("address", ["", "nom@", "@paris.fr", '=HYPERLINK("x")', "a b@paris.fr", "nom@paris"])
def test_invalid_email_addresses(address: str) -> None:
    assert not is_valid_email(address)


def test_normalise_email_lowercases_the_domain() -> None:
    assert normalise_email("  Prenom.Nom@PARIS.FR ") == "Prenom.Nom@paris.fr"


def test_french_pipeline_is_loaded_once_even_from_concurrent_threads() -> None:
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(french_pipeline())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(p) for p in seen}) == 1
    doc = seen[0]("Les kinésithérapeutes cherchent des locaux")  # type: ignore[operator]
    assert [t.lemma_ for t in doc][:2] == ["le", "kinésithérapeute"]


def test_sentences_break_after_end_marks_and_at_line_breaks():
    from frenchtext import sentences

    text = "Bonjour… Nous sommes trois kinés.\nLe local fait 80 m2\n\nEst-ce un ERP ? Merci !  "
    assert sentences(text) == [
        "Bonjour…",
        "Nous sommes trois kinés.",
        "Le local fait 80 m2",
        "Est-ce un ERP ?",
        "Merci !",
    ]
    assert sentences("3,5 m. de large") == ["3,5 m.", "de large"]  # an abbreviation point still ends a sentence
    assert sentences("   ") == []


def test_asking_sentences_leave_the_context_out():
    from frenchtext import asking_sentences

    text = "Nous sommes trois kinés. Faut-il une rampe ?\nEt pour les toilettes ? Merci."
    assert asking_sentences(text) == ["Faut-il une rampe ?", "Et pour les toilettes ?"]
    assert asking_sentences("Nous cherchons un local.") == []


def test_within_limit_reads_a_long_message_on_its_last_questions():
    from frenchtext import within_limit

    assert within_limit("  Faut-il une rampe ?  ", 30) == "Faut-il une rampe ?"
    story = "Nous sommes trois kinés installés depuis dix ans. " * 3
    message = story + "Faut-il une rampe ? Et pour les toilettes ? Merci."
    assert within_limit(message, 60) == "Faut-il une rampe ? Et pour les toilettes ?"
    assert within_limit(message, 30) == "Et pour les toilettes ?"  # the last questions first
    assert within_limit(story, 20) == "installés depuis dix ans."[-20:].lstrip()  # no question: its end
    assert len(within_limit(story, 20)) <= 20


@pytest.mark.parametrize(
    "message",
    [
        "Quel article du code encadre le changement d'usage ?",
        "C'est quoi une SISA ?",
        "cmb gagne une infirmiere liberale a paris",
        "Auprès de quel organisme dois-je déclarer mon cabinet ?",
        "Et du coup, combien de temps ça prend ?",
        "je dois aller ou ?",
        "Nous sommes trois kinés. Quels documents faut-il fournir ?",
        "Et pour deux infirmières dans le 15e, ça ferait combien à peu près ?",  # a hedge after the question word
        "le délai c'est combien environ ?",
        "Il me faut combien de trucs anti-feu dans le cabinet ?",  # the word asking stands in the middle
        "on fait comment pour déposer le dossier ?",
    ],
)
def test_questions_asking_for_a_fact_are_open(message: str) -> None:
    from frenchtext import is_open_question

    assert is_open_question(message)


@pytest.mark.parametrize(
    "message",
    [
        "Faut-il une autorisation pour poser une plaque ?",
        "les sages femmes sont eligibles ?",
        "Les médecins qui s'installent ont-ils droit à l'aide ?",  # « qui » here is not the question's word
        "Qui a raison, et est-ce que j'ai le choix ?",  # asks a yes or no too
        "Comment on dépose la demande ? Et la Région finance-t-elle l'équipement ?",
        "c'est un peu près ?",
        "",
    ],
)
def test_yes_no_questions_are_not_open(message: str) -> None:
    from frenchtext import is_open_question

    assert not is_open_question(message)


def test_a_public_link_is_a_web_address():
    from frenchtext import public_link

    assert public_link("https://www.paris.fr/x") == "https://www.paris.fr/x"
    for url in ("seed:001", "shared/seeds/000.txt", "/work/x", "ftp://x", ""):
        with pytest.raises(ValueError, match="lien public"):
            public_link(url)


def test_a_message_in_english_is_told_from_french() -> None:
    from frenchtext import looks_english

    assert looks_english("Hello, do you speak English? I'm a nurse wanting to open a practice in Paris")
    assert looks_english("How can I get the Paris Med grant?")
    assert not looks_english("je suis infirmière et je veux ouvrir un cabinet")
    assert not looks_english("Bonjour, is it possible ?")  # too little to tell
    assert not looks_english("ok")


def test_a_second_question_coordinated_in_one_sentence_is_its_own_question() -> None:
    from frenchtext import asked_questions

    assert asked_questions("Est-ce qu'on a droit à une aide, combien, et est-ce qu'il faut une autorisation ?") == [
        "Est-ce qu'on a droit à une aide, combien",
        "et est-ce qu'il faut une autorisation ?",
    ]
    assert asked_questions("Nous sommes 3. Quel bail choisir ?") == ["Quel bail choisir ?"]
    # eighth outside test: « merci » was a question, answered « pas de réponse sûre à votre question « merci » »
    assert asked_questions("merci, et faut il une autorisation de l'ARS pour ouvrir un cabinet infirmier ?") == [
        "et faut il une autorisation de l'ARS pour ouvrir un cabinet infirmier ?"
    ]
