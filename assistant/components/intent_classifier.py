"""The intent classifier named in config.yml: Rasa's logistic regression over the sparse features, unchanged.

It is ours by name only, so that the Rasa server imports `assistant.components` (the package installs the faster
validation of action replies, see action_replies): Rasa imports custom components named in config.yml, and
without DIET no other component of ours is named there."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SparseLogisticRegressionClassifier(LogisticRegressionClassifier):
    """Rasa's LogisticRegressionClassifier (class-balanced, lbfgs), same training, storage and predictions."""
