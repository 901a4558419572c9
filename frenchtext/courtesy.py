"""Courtesy around a question (greetings, thanks, sign-offs, « petite question : »): the one word list and the
rules that recognise and remove it, shared by the knowledge base (chat messages) and the webinar batch (chat lines).

A sentence is courtesy when all its folded words are in `COURTESY_WORDS`; a courtesy lead is such words before a
comma, colon or semicolon at the start of a sentence (« Merci, et pour l'enseigne ? », « Bonjour, petite question :
… »)."""

from __future__ import annotations

import re

from .fold import words
from .sentences import sentences

# Greetings, thanks and sign-offs, the praise and fillers said with them (« super clair », « petite question »,
# « dernière chose », « merci pour les infos »), the webinar's own courtesy (« merci aux intervenants ») and the
# short lines of a live chat (« je dois partir », « bien reçu », « pareil »). Folded words; a sentence of these
# words only asks nothing.
GREETINGS = frozenset(words("bonjour bonsoir salut hello hi coucou bjr bsr slt re rebonjour hey"))
COURTESY_WORDS = GREETINGS | frozenset(
    words(
        """
        merci mercii merciii thanks thank you thx mci mrc remerciements remercie remercions
        beaucoup bcp infiniment mille fois encore vraiment tres trop super top genial parfait excellent
        bravo clair claire clairs claires interessant interessante interessants instructif instructive utile utiles
        passionnant passionnante excellente excellents superbe riche enrichissant enrichissante
        pour le la les l ce cet cette ces ca c votre vos ton ta tes notre nos du de des d un une
        a tous toutes tout le monde vous toi nous je j me m moi on et aussi ici
        webinaire webinar webinaires seance session presentation presentations intervention interventions
        intervenant intervenants intervenante intervenantes organisateurs organisatrices equipe echange echanges
        bonne bon belle journee soiree fin apres midi week end semaine continuation
        davance avance d'avance cordialement bien a bientot au revoir aurevoir
        svp stp sil s il plait vous te question questions petite rapide juste une
        oui non ok okay daccord d'accord ah oh bien entendu parfaitement note
        present presente presents presentes connecte connectee la
        suis est sommes etes
        cest c'est etait
        dois doit partir file laisse quitte quitter y aller vais
        allo test tests essai entendu recu vu
        infos info informations explications reponses precisions conseils eclairages retours partage
        pareil idem meme chose moi aussi chez 1 2 3 plussoie
        dernier derniere dernieres autre
        """
    )
)
THANKS = frozenset(
    {"merci", "mercii", "merciii", "thanks", "thx", "mci", "mrc", "remerciements", "remercie", "remercions"}
)
# Words that close a conversation (thanks, sign-offs): « merci, au revoir » calls for a goodbye, not an invitation.
CLOSINGS = THANKS | frozenset(words("revoir aurevoir bientot journee soiree cordialement continuation week end"))
_LEAD = re.compile(r"\s*([^,:;?]{1,40}?)\s*[,:;]\s*")


def is_courtesy(sentence: str) -> bool:
    """True when every folded word of the sentence is a courtesy word (also for a sentence with no word)."""
    return all(t in COURTESY_WORDS for t in words(sentence))


def is_courtesy_only(message: str) -> bool:
    """A message of courtesy words only (« Bonjour », « merci beaucoup, au revoir »), with at least one word."""
    return bool(words(message)) and all(is_courtesy(s) for s in sentences(message) or [message])


def strip_lead(sentence: str) -> str:
    """« Bonjour, petite question : mon cabinet… » → « mon cabinet… » (courtesy before a comma, colon or
    semicolon; a sentence that is nothing else is kept)."""
    while True:
        m = _LEAD.match(sentence)
        if not m or not is_courtesy(m.group(1)) or len(sentence) == m.end():
            return sentence
        sentence = sentence[m.end() :]


def after_thanks(text: str, joiner: str = " ") -> str:
    """A message that opens with thanks, then asks something new (« Merci ! Dernière question : c'est quoi une
    ZAC ? »): what follows its opening courtesy, the sentences joined by `joiner`. Any other text is returned as it
    is, « Bonjour, je suis kiné… » included (the greeting is part of how people write, and ranking learned it)."""
    parts = sentences(text)
    opening = []
    while parts and is_courtesy(parts[0]):
        opening.append(parts.pop(0))
    if not parts:
        return text  # courtesy only (« Merci, au revoir »)
    first = strip_lead(parts[0])
    opening.append(parts[0][: len(parts[0]) - len(first)])
    if not THANKS & set(words(" ".join(opening))):
        return text
    return joiner.join([first, *parts[1:]])
