"""Turns the best sections into a quoted, cited answer — or an honest decline with the hand-off offer."""

from __future__ import annotations

import re
from textwrap import shorten
from typing import Any, NamedTuple

from pydantic import BaseModel, Field

from frenchtext import asked_questions, asking_sentences, fold, is_open_question, key, sentences, words
from frenchtext.courtesy import CLOSINGS, GREETINGS, is_courtesy_only

from .care import MEDICAL_ADVICE, PRACTITIONER_SEARCH, asks_for_care, seeks_a_practitioner
from .decision import Decision, features
from .guide import LIST_ITEM, Section
from .index import Index
from .retriever import Ranking, confidence
from .text import with_word_families

OFF_TOPIC = (
    "Cette question sort de mon domaine\u00a0: je réponds aux questions sur l'installation des professionnels de santé à "
    "Paris (local, travaux, accessibilité, bail, aide Paris Méd', partenaires)."
)
DECLINE = (
    "Le guide B.A.-BA réglementaire ne couvre pas cette question, et je préfère ne pas vous répondre "
    "au hasard. Je peux la transmettre à l'équipe Paris Méd', qui vous répondra directement."
)
NOT_UNDERSTOOD = (
    "Je n'ai pas compris votre message. Pouvez-vous reformuler votre question en quelques mots ? "
    "Par exemple : « Mon cabinet doit-il être accessible aux personnes handicapées ? »"
)
COURTESY_CLOSING = (
    "Je vous en prie, et bonne continuation dans votre projet ! Si une autre question se présente, posez-la-moi."
)
COURTESY_INVITATION = (
    "Posez-moi votre question sur l'installation de votre cabinet à Paris, par exemple : « Mon cabinet doit-il "
    "être accessible aux personnes handicapées ? »"
)
MAX_SENTENCES = 3
MAX_LIST_ITEMS = 6
DETAIL_SHARE = 0.5  # a sentence is quoted when it scores at least this share of the best sentence
FIRST_SENTENCE_SHARE = 0.3  # the first sentence is quoted when it scores at least this share of the best one
SECOND_SECTION_RATIO = 0.9  # fused score of the second section, relative to the first, to answer from both
MAX_SOURCES = 3  # sections one answer quotes at most (a message asking several questions)
# Said of a question the decision declines: the guide may hold its answer without the assistant being sure of it.
NOT_COVERED_PART = (
    "Je n'ai pas trouvé de réponse sûre dans le guide {questions} : l'équipe Paris Méd' pourra vous renseigner."
)
MAX_QUOTED_ASK = 120  # characters of a question quoted back in NOT_COVERED_PART
MAX_QUOTED_ASKS = 3  # questions quoted back; the others are counted
GLOSSARY_THEME = "glossaire"
_CAVEAT = re.compile(r"^\*?À confirmer", re.I)
CAVEAT_LONG_SECTION = 8  # sentences, from which a word of a third of them is the section's subject, no detail
CAVEAT_RARE_IDF = 2.5  # a word the caveat shares with the quote names the detail when it is this rare (see idf)
# Words of the editors' caveats that name no detail (« À confirmer : rédaction exacte de l'article … sur Légifrance »).
_EDITORIAL = frozenset(
    [
        "confirmer",
        "verifier",
        "legifrance",
        "lire",
        "texte",
        "exact",
        "redaction",
        "numero",
        "relecture",
        "vigueur",
        "article",
        "code",
        "source",
        "preciser",
        "indiquer",
        "consulter",
        "vraisemblablement",
        "issu",
    ]
)
# What a user reads in place of the guide's editorial notes (« *À confirmer : rédaction exacte des articles…* »),
# which are written for the editors who check the guide against official texts.
CAVEAT_NOTICE = (
    "À vérifier : un détail de cette fiche n'a pas encore été confirmé sur un texte officiel. Avant d'engager des "
    "frais ou des travaux, faites-le confirmer par l'équipe Paris Méd' ou par l'administration concernée."
)
# A sentence that promises the list a little further (« …doit vérifier plusieurs régimes. L'équipe… Voici… : »).
_PROMISES_LIST = re.compile(
    r"\b(?:plusieurs|suivante?s?|deux|trois|quatre|cinq|six|sept|huit)\s+(?:\w+\s+)?[\wéèà'’-]+s\b", re.I
)
# A list item's bold heading (« - **des webinaires** »), all that is shown of an item past `MAX_LIST_ITEMS` that
# nobody asked about.
_ITEM_HEADING = re.compile(r"^(?:[-*•]|\d+[.)])\s+\*\*[^*]+\*\*")
# A sentence that leans on the one before it: a pronoun or demonstrative subject (« Ses professionnels… », « Cette
# autorisation… », « C'est le cas… »), an imperative with its object pronoun (« Vérifiez-les »), an example or a
# contrast, or adds to it (« Devant la porte d'entrée, il faut aussi… » after the door width asked for), or names
# what it said (« Les ERP non conformes à cette date… »). « Il faut… », « Il existe… » are impersonal and read
# alone; a bold heading (« **Son parc :** ») speaks of the section's subject, not of the sentence before.
_ANAPHORA = re.compile(
    r"^(?:\*\*Exemple\b|"
    r"(?:Ses|Son|Sa|Leurs?|Ce|Cet|Cette|Ces|Cela|Ceci|Celui|Celle|Ceux|Celles|Elles?|Ils|En revanche|Par exemple|"
    r"Exemple|Dans ce cas|Dans les deux cas|À défaut|Sinon|Pour autant)\b"
    r"|C['’]est\b|Il\s+(?!faut|existe|suffit|est\b|n['’]|y\s+a|reste|appartient|convient|vaut|s['’]agit)"
    r"|\w+-(?:les|le|la|lui|leur|en|y)\b"
    r"|(?:[^\s*]+\s+){1,8}(?:aussi|également)\b"
    r"|(?:[^\s*]+\s+){1,6}(?:cette|cet|ces)\s+(?:date|délai|règle|règles|autorisation|obligation|obligations|"
    r"demande|liste|condition|conditions)\b)"
)
SHORT_ANSWER_WORDS = 5  # a first sentence this short (« Le plus souvent, non. ») is read with the next one
# A section's short answer often opens with « Oui, … » or « Non : … » (its title is a yes/no question); quoted for a
# question that asks for a fact (« Quel article… ? »), that word reads as a non sequitur and is left out.
_YES_NO = re.compile(r"^(?:Oui|Non)\s*[,:;.]\s*(?=\S)")


class Previous(BaseModel):
    """The conversation's previous turn, so that a follow-up (« et si je veux résilier plus tôt ? ») is read
    with its topic."""

    question: str = Field(description="The user's previous question.")
    section_id: str | None = Field(None, description="Id of the guide section the previous answer cited first.")


# A message that starts like this continues the previous turn rather than opening a new topic.
_FOLLOW_UP_OPENINGS = {"et", "mais", "donc", "alors", "aussi", "sinon", "si", "ok", "puis", "ensuite", "dans", "pour"}
_FOLLOW_UP_MAX_WORDS = 10


def courtesy_answer(message: str) -> Answer | None:
    """The reply to a message of courtesy only, which asks nothing of the guide: a goodbye to « merci, au revoir »,
    an invitation to ask to « Bonjour » or « ok » (not answered, nothing to forward). None for any other message.
    Ranked like a question, « merci beaucoup, au revoir » was answered from a section on a growing team (third
    outside test, session 22)."""
    if not is_courtesy_only(message):
        return None
    said = set(words(message))
    if said & CLOSINGS:
        text = COURTESY_CLOSING
    else:
        text = f"Bonjour ! {COURTESY_INVITATION}" if said & GREETINGS else COURTESY_INVITATION
    return Answer(answer=text, answered=False, sources=[], score=0.0, courtesy=True)


def reply_to_declined(declined: Answer, message: str) -> Answer:
    """A declined message gets the reply that helps its writer instead of the offer to pass it to the team, who help
    professionals set up: a patient looking for a practitioner (`care.seeks_a_practitioner`), `PRACTITIONER_SEARCH`;
    a question on care (`care.asks_for_care`), `MEDICAL_ADVICE` (the 15 or the 112, a doctor, a pharmacist); a
    question with no word of a practice (`is_off_topic`: the weather, a cake recipe), `OFF_TOPIC`. Any other answer
    is returned as it is."""
    if declined.answered or declined.courtesy:
        return declined
    if seeks_a_practitioner(message):
        return declined.model_copy(update={"answer": PRACTITIONER_SEARCH, "patient": True})
    if asks_for_care(message):
        return declined.model_copy(update={"answer": MEDICAL_ADVICE, "medical": True})
    if declined.understood and is_off_topic(message):
        return declined.model_copy(update={"answer": OFF_TOPIC, "off_topic": True})
    return declined


# The words of a question about a practice, folded: a declined message with none of them is off the assistant's
# topic, and the team, who help professionals set up, is not offered (two outside testers, session 24: the weather,
# a Navigo pass and a cake recipe were « transmissible à l'équipe »). Tax, insurance or software questions name the
# practice and keep the offer.
_PRACTICE_WORDS = re.compile(
    r"\b(?:cabinets?|locaux|local|install\w*|patient\w*|professionn\w*|sante|soins?|soignants?|medec\w*|medic\w*|"
    r"docteurs?|dr|generalistes?|specialistes?|kine\w*|infirmi\w*|idel?|sages? femmes?|orthophon\w*|orthopt\w*|"
    r"podolog\w*|pedicur\w*|dentist\w*|psycholog\w*|osteo\w*|pharmac\w*|msp|cpts|erp|pmr|bail|baux|loyers?|"
    r"bailleurs?|proprio\w*|copro\w*|syndic|travaux|amenag\w*|accessib\w*|handicap\w*|urbanism\w*|permis|"
    r"autorisation\w*|enseignes?|plaques?|dasri|dechets?|aides?|subvention\w*|financ\w*|med|ordre|urps|ars|cpam|"
    r"ameli|assuran\w*|urssaf|fisc\w*|impots?|bnc|revenus?|comptab\w*|logiciels?|secretari\w*|rempla\w*|"
    r"associ\w*|collegues?|confreres?|consultations?|rendez vous|rdv|diplome\w*|etudes?|internes?|retraite)\b"
)


def is_off_topic(message: str) -> bool:
    """Whether a message names nothing of a practice (`_PRACTICE_WORDS`)."""
    return not _PRACTICE_WORDS.search(key(message))


def continues_previous_turn(question: str) -> bool:
    """Whether a message is short and opens like a continuation (« et combien de temps il dure ? », « mais si le
    bailleur refuse ? »): the one rule, for the knowledge base and the chat."""
    tokens = words(question)
    return len(tokens) <= _FOLLOW_UP_MAX_WORDS and bool(tokens) and tokens[0] in _FOLLOW_UP_OPENINGS


def may_follow_up(question: str) -> bool:
    """Whether a message may continue the previous turn, for a channel whose intent classifier cannot tell: it opens
    like a continuation, or it is a short question (« c'est long ? », « il doit contenir quoi ? »). The knowledge base
    itself reads a question with the previous turn only when `is_follow_up`."""
    tokens = words(question)
    short_question = 0 < len(tokens) <= _FOLLOW_UP_MAX_WORDS and bool(asking_sentences(question))
    return continues_previous_turn(question) or short_question


def is_follow_up(question: str, alone: Answer) -> bool:
    """Whether a question needs the previous turn: declined alone, short and opening like a continuation, or short
    and leaning on it (`leans_on_previous_turn`)."""
    return not alone.answered or continues_previous_turn(question) or leans_on_previous_turn(question)


# « c'est payant ? », « ça dure combien ? », « comment on la demande ? », « je les stocke où ? »: a subject or an
# object pronoun standing for what the previous turn was about (folded text). « c'est quoi un QPV ? » names its topic.
_LEANS_ON_PREVIOUS = re.compile(
    r"^(?:c est|ca|cela|et ca)\b(?! quoi\b)"
    # « c'est quoi la durée minimum ? » after an answer on leases: a detail of the previous topic (seventh outside test)
    r"|^c est quoi (?:le|la|les) (?:duree|delai|cout|prix|montant|procedure|demarche|difference|minimum|maximum)\b"
    r"|\b(?:on|je|j|il|elle|vous|nous|faut il|faut|peut on|dois je|doit on)\s+(?:la|le|les|l|y|en)\s+\w+"
)
_LEANING_MAX_WORDS = 7


def leans_on_previous_turn(question: str) -> bool:
    """Whether a short question stands on the previous turn with a pronoun (« c'est payant ? » after an answer on
    medical waste was answered on the CPTS's fee; « comment on la demande ? » after the accessibility derogation, on
    the Paris Méd' application: fifth outside tests)."""
    folded = key(question)
    return 0 < len(folded.split()) <= _LEANING_MAX_WORDS and bool(_LEANS_ON_PREVIOUS.search(folded))


class Source(BaseModel):
    title: str = Field(description="Titre du thème du guide.")
    section: str = Field(description="Question (section) du guide citée.")
    url: str = Field(description="Lien public de la source (vide quand la section repose sur un document sans lien).")
    document: str = Field("", description="Document source nommé en clair quand il n'a pas de lien public.")
    file: str = ""
    checked: str = Field("", description="Date de vérification des faits.")
    section_id: str = ""

    def to_contract(self) -> dict[str, str]:
        """{"title", "section", "url"}, and "document" naming the source plainly when it has no public link."""
        cited = {"title": self.title, "section": self.section, "url": self.url}
        return {**cited, "document": self.document} if not self.url and self.document else cited

    @classmethod
    def of(cls, s: Section) -> Source:
        return cls(
            title=s.theme_title,
            section=s.title,
            url=s.url,
            document="" if s.url else s.document,
            file=s.file,
            checked=s.verifie_le,
            section_id=s.id,
        )


class Answer(BaseModel):
    answer: str
    answered: bool
    sources: list[Source] = Field(default_factory=list)
    score: float
    understood: bool = Field(default=True, description="Faux quand le message ne contient aucun mot connu (charabia).")
    courtesy: bool = Field(default=False, description="Vrai pour un message de politesse seule (« merci, au revoir »).")
    medical: bool = Field(default=False, description="Vrai pour une question de soins que le guide décline.")
    patient: bool = Field(
        default=False, description="Vrai pour un patient qui cherche un praticien ou un rendez-vous (guide décliné)."
    )
    off_topic: bool = Field(
        default=False, description="Vrai pour une question sans rapport avec un cabinet (déclinée)."
    )

    def to_contract(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "answered": self.answered,
            "score": round(self.score, 4),
            "sources": [s.to_contract() for s in self.sources],
        }


RELATED_WEIGHT = 0.5  # a word of the same family as the question's (« durée » for « dure ») counts half
# A follow-up's previous question, in the sentences quoted: read with its terms at full weight, a follow-up
# answered from the same section quoted the same sentences again (17 of 179 labelled follow-ups, session 23).
CONTEXT_WEIGHT = 0.25


def extract(
    section: Section,
    sentence_terms: list[list[str]],
    query_terms: set[str],
    idf: dict[str, float],
    context_terms: frozenset[str] = frozenset(),
) -> str:
    """The sentences that answer: those sharing the rarest terms with the question (a number, an office, a form),
    kept in the guide's order. The section's first sentence (its short answer) comes too when it shares terms with
    the question or when no sentence does. Quoted text must read alone (third and fourth outside tests): a list comes
    whole with the sentence announcing it (`with_lists`), and a sentence leaning on the one before (« Ses
    professionnels… », « Vérifiez-les… », « **Exemple :** … ») comes with it (`with_antecedents`), without the
    « Oui »/« Non » that answered the section's own question. `context_terms` (a follow-up's previous question) count
    at `CONTEXT_WEIGHT`: they break ties without quoting the previous answer again. A section carrying an editorial
    caveat (« *À confirmer : …* ») ends with `CAVEAT_NOTICE` instead of the note. `sentence_terms` are the sentences'
    terms, computed with the index.

    Not kept: quoting the section's opening « Oui »/« Non » for any yes/no question. It answered the section's own
    question (« Non, la subvention ne finance pas un cabinet individuel » to two professionals about to group,
    fourth outside test)."""
    sentences = section.sentences()
    if not sentences:
        return section.body
    related = with_word_families(query_terms) - query_terms  # « dure » asks for the « durée »

    def score(terms: set[str]) -> float:
        return (
            sum(idf.get(t, 0.0) for t in query_terms & terms)
            + RELATED_WEIGHT * sum(idf.get(t, 0.0) for t in related & terms)
            + CONTEXT_WEIGHT * sum(idf.get(t, 0.0) for t in context_terms & terms)
        )

    caveats = {i for i, s in enumerate(sentences) if _CAVEAT.match(s)}
    scores = [score(set(sentence_terms[i])) if i < len(sentence_terms) else 0.0 for i in range(len(sentences))]
    best = max((scores[i] for i in range(len(sentences)) if i not in caveats), default=0.0)
    chosen: set[int] = set()
    if best > 0:
        ranked = sorted((i for i in range(len(sentences)) if i not in caveats), key=lambda i: (-scores[i], i))
        chosen = {i for i in ranked[:MAX_SENTENCES] if scores[i] >= DETAIL_SHARE * best}
    # The short answer: the first sentence, and the next one when the first is only « Oui. » or « Le plus souvent,
    # non. » (it shares no term with any question, yet is the answer to a yes/no one).
    short = [0, 1] if len(sentences) > 1 and len(sentences[0].split()) < SHORT_ANSWER_WORDS else [0]
    short = [i for i in short if i not in caveats] or [0]
    if not chosen or max(scores[i] for i in short) >= FIRST_SENTENCE_SHARE * best:
        chosen.update(short)
    antecedents = with_antecedents(sentences, chosen - caveats) - chosen
    shown = with_lists(sentences, chosen | antecedents)
    for i in antecedents:  # context for the sentence after it: its « Non, » answered another question
        shown[i] = without_yes_no(shown[i])
    quoted = [shown[i] for i in sorted(shown) if i not in caveats]
    quoted_terms = {t for i in shown if i < len(sentence_terms) and i not in caveats for t in sentence_terms[i]}
    doubtful = quotes_a_doubtful_detail(quoted, quoted_terms, caveats, sentence_terms, idf)
    return "\n".join([*quoted, CAVEAT_NOTICE] if doubtful else quoted)


def quotes_a_doubtful_detail(
    quoted: list[str],
    quoted_terms: set[str],
    caveats: set[int],
    sentence_terms: list[list[str]],
    idf: dict[str, float],
) -> bool:
    """Whether the quoted sentences may state the detail a section's caveat (« *À confirmer : …* ») doubts: they share
    with the caveat a number (« 4 » mois) or a rare word (« guichet », « bourgeoise ») that is not the section's
    subject (a word of many of its sentences: « DASRI » in a section on DASRI) nor an editor's word (« Légifrance »).
    A general principle quoted from such a section comes without the notice, which ended 19 of 35 answers of the
    fifth outside test with no way to tell which detail was in doubt."""
    if not caveats:
        return False
    doubted = {t for i in caveats if i < len(sentence_terms) for t in sentence_terms[i]}
    shared = doubted & quoted_terms
    if any(t.isdigit() for t in shared):
        return True
    body = [set(terms) for i, terms in enumerate(sentence_terms) if i not in caveats]
    # In a short section, the caveat doubts its main claim: its subject words count (« diagnostic » non obligatoire)
    long_section = len(body) >= CAVEAT_LONG_SECTION
    subject = {t for t in shared if sum(t in terms for terms in body) >= len(body) // 3} if long_section else set()
    return any(idf.get(t, 0.0) >= CAVEAT_RARE_IDF for t in shared - subject - _EDITORIAL)


def with_antecedents(sentences: list[str], chosen: set[int]) -> set[int]:
    """`chosen` with the sentence before each chosen sentence that leans on it (`_ANAPHORA`), back to one that
    does not. A list item is never added this way: it would come without its list; a sentence that leans on a list
    (« **Exemple :** trois infirmières… » after the cases of a change of use) brings the sentence announcing the
    list, which brings the list (`with_lists`; eighth outside test: the example came alone)."""
    out = set(chosen)
    for i in sorted(chosen):
        j = i
        while j > 0 and not LIST_ITEM.match(sentences[j]) and _ANAPHORA.match(sentences[j]):
            j -= 1
            if LIST_ITEM.match(sentences[j]):
                while j > 0 and LIST_ITEM.match(sentences[j]):
                    j -= 1
                if not LIST_ITEM.match(sentences[j]) and not _CAVEAT.match(sentences[j]):
                    out.add(j)
                break
            if _CAVEAT.match(sentences[j]):
                break
            out.add(j)
    return out


def with_lists(sentences: list[str], chosen: set[int]) -> dict[int, str]:
    """The chosen sentences, by position, completed list by list. A list is the run of items after the sentence
    that announces it; it comes when that sentence or one of its items is chosen, or when a chosen sentence
    promises it (« plusieurs régimes », « quatre motifs ») just before: « quatre séries d'obligations » followed by
    points 1 and 3 only read as a mistake (third outside test, session 22). Its first `MAX_LIST_ITEMS` items come
    whole, and so do the items asked about; the others are cut to their bold heading (« - **des webinaires** […] »)
    or left out when they have none."""
    shown = {i: sentences[i] for i in chosen}
    i = 0
    while i < len(sentences):
        if not LIST_ITEM.match(sentences[i]):
            i += 1
            continue
        first = i
        while i < len(sentences) and LIST_ITEM.match(sentences[i]):
            i += 1
        if first == 0:  # a body opening on a list: nothing announces it
            continue
        items = range(first, i)
        announcing = first - 1
        picked = [k for k in items if k in chosen]
        promised = any(
            k in chosen and _PROMISES_LIST.search(sentences[k]) for k in range(max(0, announcing - 2), announcing)
        )
        if not (picked or announcing in chosen or promised):
            continue
        shown[announcing] = sentences[announcing]
        for n, k in enumerate(items):
            if n < MAX_LIST_ITEMS or k in picked:
                shown[k] = sentences[k]
            elif heading := _ITEM_HEADING.match(sentences[k]):
                shown[k] = f"{heading.group(0)} […]"
    return shown


def assemble(parts: list[str]) -> str:
    """The answer's text from the parts quoted from each section, `CAVEAT_NOTICE` said once, at the end."""
    lines = [line for part in parts for line in part.split("\n")]
    kept = [line for line in lines if line != CAVEAT_NOTICE]
    return "\n".join([*kept, CAVEAT_NOTICE] if len(kept) < len(lines) else kept)


def decision_score(index: Index, ranking: Ranking, decision: Decision | None) -> float:
    """Probability that the guide answers the question (fitted decision), or the hand-set confidence."""
    best = int(ranking.order[0])
    if decision is None:
        return confidence(ranking, best)
    return decision.probability(features(ranking, glossary=index.sections[best].theme == GLOSSARY_THEME))


def build_answer(
    index: Index,
    ranking: Ranking,
    query: str,
    threshold: float,
    decision: Decision | None = None,
    asked_terms: list[str] | None = None,
) -> Answer:
    """The answer from the ranking's best sections. `asked_terms`: for a follow-up ranked with its previous question,
    the follow-up's own terms, which choose the sentences quoted (the others only break ties)."""
    best = int(ranking.order[0])
    score = decision_score(index, ranking, decision)
    if score < threshold:
        if not index.analyzer.recognises(query):
            return Answer(answer=NOT_UNDERSTOOD, answered=False, understood=False, sources=[], score=score)
        return Answer(answer=DECLINE, answered=False, sources=[], score=score)
    sections = index.sections
    top = sections[best]
    query_terms = set(ranking.terms if asked_terms is None else asked_terms)
    context_terms = frozenset(ranking.terms) - query_terms
    # A section's « Oui »/« Non » answers its own question, which a follow-up read in context is not
    # (« c'est long ? » after a question on the change of use was answered « Oui : … une autorisation… »).
    yes_or_no = asks_yes_or_no(query) and asked_terms is None
    parts = [extract(top, index.sentence_terms[best], query_terms, index.idf, context_terms)]
    sources = [Source.of(top)]
    # A question spanning two sections: the second is answered from and cited when it is nearly as relevant and
    # brings terms of the question that the first does not cover.
    if len(ranking.order) > 1:
        second = int(ranking.order[1])
        close = ranking.fused[second] >= SECOND_SECTION_RATIO * ranking.fused[best]
        if close and fold(sections[second].id) != fold(top.id):
            sources.append(Source.of(sections[second]))
            covered = {t for sent in index.sentence_terms[best] for t in sent}
            if query_terms - covered:
                extra = extract(
                    sections[second],
                    index.sentence_terms[second],
                    query_terms - covered,
                    index.idf,
                    context_terms=context_terms,
                )
                parts.append(extra)
    if not yes_or_no:
        parts = [without_yes_no(p) for p in parts]
    return Answer(answer=assemble(parts), answered=True, sources=sources, score=score)


def asks_yes_or_no(message: str) -> bool:
    """Whether « Oui : » or « Non : » may open the answer: the message asks a question (« ? ») that is not a
    request for facts. Told a situation without a question (« mon propriétaire veut augmenter le loyer de 30 % »), a
    quoted « Non : la loi ne plafonne pas… » reads as an answer to a question nobody asked (second outside test,
    session 21)."""
    return bool(asking_sentences(message)) and not is_open_question(message)


def without_yes_no(quoted: str) -> str:
    """The quoted text without the « Oui, » or « Non : » that opens it, its next word capitalised."""
    rest = _YES_NO.sub("", quoted, count=1)
    return rest[:1].upper() + rest[1:] if rest != quoted else quoted


class Ask(NamedTuple):
    """One question of a message asking several: the asking sentence, and the query that ranks it."""

    sentence: str
    query: str


def asks_in_context(message: str) -> list[Ask]:
    """A message asking several questions (« Faut-il des blocs de secours ? Où les mettre ? »), one query per asking
    sentence, each read after the sentences that tell the situation and the questions asked before it (« les » is
    the blocs); [] for a message asking one question. Session 16, on a writer the section model had not learned (145
    messages): asked alone or after the situation only, the sections added this way were labelled right for 0.40 and
    0.41 of them; after the questions before too, 0.80 (the first cited section: 0.86) — docs/mesures.md."""
    asks = asked_questions(message)  # « …une aide, combien, et est-ce qu'il faut une autorisation ? » asks two
    if len(asks) < 2:
        return []
    context = [s for s in sentences(message) if not s.endswith("?")]
    return [Ask(ask, " ".join([*context, *asks[:k], ask])) for k, ask in enumerate(asks)]


def with_other_asks(
    index: Index, answer: Answer, asks: list[Ask], rankings: list[Ranking], threshold: float, decision: Decision | None
) -> Answer:
    """The answer to a message asking several questions, each ranked on its own (`asks_in_context`, `rankings`):
    completed from the section that answers each other question when the decision would answer that question alone
    and the section is not cited yet, up to `MAX_SOURCES` sections (the first cited section stays the whole
    message's); the questions whose own section is neither cited nor answerable are named in a closing sentence
    (`NOT_COVERED_PART`), not passed over. A message declined whole stays declined: answering it from its surest
    question instead gained 10 right answers for 1 wrong on two cross-fitting folds, but answered 2 of the 74
    out-of-scope dev messages, one of them wrongly (session 16, docs/mesures.md)."""
    if not answer.answered:
        return answer
    parts, sources = [answer.answer], list(answer.sources)
    cited = {s.section_id for s in sources}
    not_covered = []
    for ask, ranking in zip(asks, rankings, strict=True):
        best = int(ranking.order[0])
        section = index.sections[best]
        if section.id in cited:
            continue
        if decision_score(index, ranking, decision) < threshold:
            not_covered.append(ask.sentence)
            continue
        if len(sources) >= MAX_SOURCES:
            continue
        quoted = extract(section, index.sentence_terms[best], set(ranking.terms), index.idf)
        parts.append(without_yes_no(quoted) if is_open_question(ask.sentence) else quoted)
        sources.append(Source.of(section))
        cited.add(section.id)
    text = assemble(parts)
    if not_covered:
        text += "\n" + not_covered_part(not_covered)
    return answer.model_copy(update={"answer": text, "sources": sources})


def not_covered_part(asks: list[str]) -> str:
    """The closing sentence naming the questions of a message the assistant found no sure answer to."""
    quoted = " ; ".join(f"« {shorten(a.strip(), MAX_QUOTED_ASK, placeholder=' …')} »" for a in asks[:MAX_QUOTED_ASKS])
    if len(asks) > MAX_QUOTED_ASKS:
        others = len(asks) - MAX_QUOTED_ASKS
        quoted += f" et {others} autre{'s' if others > 1 else ''}"
    if len(asks) == 1:
        return NOT_COVERED_PART.format(questions=f"à votre question {quoted}")
    return NOT_COVERED_PART.format(questions=f"à vos questions {quoted}")
