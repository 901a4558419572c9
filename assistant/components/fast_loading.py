"""A DIET classifier that loads in seconds instead of about a minute.

When Rasa 3.6 loads a trained DIET (or TED) model it first runs one training step to create the weights, and
it runs that step as a traced TensorFlow graph with gradients: on this 2-core machine that trace took ~60 s
for our DIET, before the weights are overwritten from disk. This subclass creates the weights with one eager
prediction instead, restores them from the same checkpoint (checking that every variable used for
prediction was restored), then traces only the prediction graph, as Rasa does. Weights and predictions are
identical to Rasa's own loading (tests/rasa/test_components.py compares both).

Training is unchanged: same network, same hyper-parameters, same checkpoint."""

from __future__ import annotations

import warnings
from typing import Any, Optional, Type

import tensorflow as tf
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIET, DIETClassifier
from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel

# Rasa's configuration check recognises DIET by exact class, not by subclass, and would warn at every
# training that the pipeline has no entity extractor (or no component using lookup tables): false here.
warnings.filterwarnings("ignore", message=r".*your NLU configuration does not include", category=UserWarning)


class FastLoadingDIET(DIET):
    """Rasa's DIET network; `load` keeps its contract, weights are created by one eager prediction."""

    @classmethod
    def load(
        cls,
        model_file_name: str,
        model_data_example: RasaModelData,
        predict_data_example: Optional[RasaModelData] = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> RasaModel:
        if finetune_mode or predict_data_example is None:  # fine-tuning trains again: keep Rasa's own path
            return super().load(
                model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
            )
        config = kwargs.get("config", {})
        model = cls(*args, **kwargs)
        model.compile(optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)), run_eagerly=True)
        # An eager prediction creates exactly the variables prediction uses (a graph trace of it could not
        # create them later); the checkpoint also holds training-only layers and optimizer state, not needed.
        model.run_inference(predict_data_example)
        status = model.load_weights(model_file_name)
        status.assert_existing_objects_matched()  # every variable prediction uses comes from the checkpoint
        status.expect_partial()
        model.run_eagerly = bool(config.get(RUN_EAGERLY, False))
        model.prepared_for_prediction = False  # label embeddings were computed from the initial weights
        model.run_inference(predict_data_example)  # recomputes them and traces the prediction graph once
        return model


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class FastLoadingDIETClassifier(DIETClassifier):
    """`DIETClassifier` whose trained model loads without tracing a training graph."""

    @staticmethod
    def model_class() -> Type[RasaModel]:
        return FastLoadingDIET
