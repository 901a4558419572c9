"""The intent classifier named in config.yml: Rasa's logistic regression over the sparse features.

Training, storage and predictions are Rasa's. Three reasons for a class of ours:
- naming it in config.yml makes the Rasa server import `assistant.components`, which installs the faster
  validation of action replies and joining of sparse features (without DIET no other component of ours is named);
- a message without any word (only spaces) gets no intent, with confidence 0, so that the FallbackClassifier answers
  ``nlu_fallback`` as for « ? » (Rasa's classifier fails on it: the RegexFeaturizer adds no feature without tokens,
  so its feature row is narrower than the model's, and the REST channel then replies with an empty list);
- `_create_X` skips joining a message's sparse features with an empty dense block (``scipy.sparse.hstack`` and
  ``vstack`` on one row, ~3 ms per message here) when the pipeline has no dense features: same matrix, as float64
  like Rasa's (tests/rasa/test_components.py)."""

from __future__ import annotations

from typing import List

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix, vstack


def has_words(message: Message) -> bool:
    """False for a message of spaces only (the tokenizer then gives one empty token)."""
    return any(token.text.strip() for token in message.get(TOKENS_NAMES[TEXT]) or [])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SparseLogisticRegressionClassifier(LogisticRegressionClassifier):
    """Rasa's LogisticRegressionClassifier (class-balanced, lbfgs) with a cheaper feature matrix per message."""

    def process(self, messages: List[Message]) -> List[Message]:
        worded = []
        for message in messages:
            if has_words(message):
                worded.append(message)
            else:
                message.set(INTENT, {"name": None, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        if worded:
            super().process(worded)
        return messages

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        if not messages:
            return super()._create_X(messages)
        rows = []
        for message in messages:
            sparse = message.get_sparse_features(attribute=TEXT)[1]
            dense = message.get_dense_features(attribute=TEXT)[1]
            if sparse is None or dense is not None:
                return super()._create_X(messages)
            rows.append(csr_matrix(sparse.features, dtype=np.float64))
        return rows[0] if len(rows) == 1 else vstack(rows, format="csr")
