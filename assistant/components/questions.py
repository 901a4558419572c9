"""A message asking several questions is also parsed question by question.

« Je suis kiné dans le 19e, je peux avoir l'aide ? Et faut-il une autorisation pour mettre une plaque ? » gets one
intent as a whole (question_reglementaire), so the dialogue would answer one question and drop the other. The
pipeline's tokenizer, `QuestionSplittingTokenizer`, adds each asking sentence of such a message
(`frenchtext.asking_sentences`, the one way user text is cut) as an extra message, which the rest of the pipeline
parses like any other (features, intent, entities, fallback threshold). `QuestionGatherer`, the pipeline's last
component, puts their intents in the parse of the message under ``questions`` and removes the extra messages
(Rasa's processor reads the first message only). A message asking one question is parsed as before, at the same
cost. The actions read ``questions`` (assistant/actions/knowledge.py: a regulatory question asked with a question
about the aid gets the guide's answer, then the estimate).

A sentence asking a second question after a comma or « et » (« Paris Méd' peut-il financer mes travaux, et est-ce
que mon cabinet est un ERP ? », one question mark) is cut there too (`frenchtext.asked_questions`, which the
knowledge base reads too): each part is a question.

An opening greeting does not decide the intent of a message that says something after it (« Bonjour, nous sommes
deux généralistes… »: the greeting pulled the whole message towards ``saluer``, and the NLU fell back). The
tokenizer also adds the message without its greeting (`after_greeting`) as an extra message; when the NLU
understands it (no fallback), its intent is the message's. A greeting alone, or with only courtesy after it
(« Bonjour, merci »), is parsed as before."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from frenchtext import asked_questions, words
from frenchtext.courtesy import COURTESY_WORDS, GREETINGS

QUESTIONS = "questions"  # in the parse: [{"text", "intent", "confidence"}], one per asking sentence, in order
_PARTS = "parismed_questions"  # on a message asking several questions: the extra messages of its questions
_IS_PART = "parismed_question_part"
_WITHOUT_GREETING = "parismed_without_greeting"  # on a message opening with a greeting: the extra message without it
FALLBACK_INTENT = "nlu_fallback"

# The words said with a greeting (frenchtext's GREETINGS) besides frenchtext's courtesy words (« à vous », « à
# tous »): forms of address (« Bonsoir madame, », « Bonjour à toute l'équipe Paris Méd' ») and how-are-you's
# (« j'espère que vous allez bien », « comment allez-vous ? »).
_SAID_WITH_A_GREETING = frozenset(
    words(
        "madame monsieur mesdames messieurs mme mr docteur toute assistant assistante paris med "
        "espere que allez va comment"
    )
)
_PUNCTUATED_LEAD = re.compile(r"\s*([^,:;.!?\n]{1,40}?)\s*[,:;.!?\n]+\s*")
_FIRST_WORD = re.compile(r"\s*\S+\s+")


def after_greeting(text: str) -> Optional[str]:
    """What a message says after its opening greeting (« Bonjour, », « Bonsoir madame ! », « Hello à tous : »,
    « Bonjour nous sommes… »), None when it does not open with one or says nothing more than courtesy."""
    opening = words(text)[:1]
    if not opening or opening[0] not in GREETINGS:
        return None
    match = _PUNCTUATED_LEAD.match(text)
    if not match or not polite(match.group(1)):
        match = _FIRST_WORD.match(text)  # « Bonjour nous sommes… »: the greeting word alone
    rest = text[match.end() :] if match else ""
    return None if polite(rest) else rest


def polite(text: str) -> bool:
    """Whether a text says nothing but courtesy, forms of address and how-are-you's (also when it has no word)."""
    return all(word in COURTESY_WORDS or word in _SAID_WITH_A_GREETING for word in words(text))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class QuestionSplittingTokenizer(WhitespaceTokenizer):
    """Rasa's WhitespaceTokenizer (training unchanged) that also tokenizes, as extra messages, each question of a
    message asking several, and a message opening with a greeting without it."""

    def process(self, messages: List[Message]) -> List[Message]:
        parts: List[Message] = []
        for message in messages:
            text = message.get(TEXT) or ""
            asks = asked_questions(text)
            if len(asks) > 1:
                questions = [Message(data={TEXT: ask, _IS_PART: True}) for ask in asks]
                message.set(_PARTS, questions)
                parts.extend(questions)
            rest = after_greeting(text)
            if rest:
                bare = Message(data={TEXT: rest, _IS_PART: True})
                message.set(_WITHOUT_GREETING, bare)
                parts.append(bare)
        return super().process([*messages, *parts])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class QuestionGatherer(GraphComponent):
    """Last in the pipeline: the intent of each question (after the fallback threshold) into its message's parse;
    the intent of a message without its greeting, when understood, as the message's."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> QuestionGatherer:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            bare = message.data.pop(_WITHOUT_GREETING, None)
            if bare is not None and (bare.get(INTENT) or {}).get(INTENT_NAME_KEY) not in {None, FALLBACK_INTENT}:
                message.set(INTENT, bare.get(INTENT), add_to_output=True)
                message.set(INTENT_RANKING_KEY, bare.get(INTENT_RANKING_KEY), add_to_output=True)
            questions = message.data.pop(_PARTS, None)
            if questions:
                message.set(QUESTIONS, [question_parse(question) for question in questions], add_to_output=True)
        return [message for message in messages if not message.get(_IS_PART)]


def question_parse(question: Message) -> Dict[Text, Any]:
    intent = question.get(INTENT) or {}
    return {
        "text": question.get(TEXT),
        "intent": intent.get(INTENT_NAME_KEY),
        "confidence": intent.get(PREDICTED_CONFIDENCE_KEY),
    }
