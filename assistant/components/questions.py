"""A message asking several questions is also parsed question by question.

« Je suis kiné dans le 19e, je peux avoir l'aide ? Et faut-il une autorisation pour mettre une plaque ? » gets one
intent as a whole (question_reglementaire), so the dialogue would answer one question and drop the other. The
pipeline's tokenizer, `QuestionSplittingTokenizer`, adds each asking sentence of such a message
(`frenchtext.asking_sentences`, the one way user text is cut) as an extra message, which the rest of the pipeline
parses like any other (features, intent, entities, fallback threshold). `QuestionGatherer`, the pipeline's last
component, puts their intents in the parse of the message under ``questions`` and removes the extra messages
(Rasa's processor reads the first message only). A message asking one question is parsed as before, at the same
cost. The actions read ``questions`` (assistant/actions/knowledge.py: a regulatory question asked with a question
about the aid gets the guide's answer, then the estimate)."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from frenchtext import asking_sentences

QUESTIONS = "questions"  # in the parse: [{"text", "intent", "confidence"}], one per asking sentence, in order
_PARTS = "parismed_questions"  # on a message asking several questions: the extra messages of its questions
_IS_PART = "parismed_question_part"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class QuestionSplittingTokenizer(WhitespaceTokenizer):
    """Rasa's WhitespaceTokenizer (training unchanged) that also tokenizes, as extra messages, each asking sentence
    of a message asking several questions."""

    def process(self, messages: List[Message]) -> List[Message]:
        parts: List[Message] = []
        for message in messages:
            asks = asking_sentences(message.get(TEXT) or "")
            if len(asks) > 1:
                questions = [Message(data={TEXT: ask, _IS_PART: True}) for ask in asks]
                message.set(_PARTS, questions)
                parts.extend(questions)
        return super().process([*messages, *parts])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class QuestionGatherer(GraphComponent):
    """Last in the pipeline: the intent of each question (after the fallback threshold) into its message's parse."""

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
