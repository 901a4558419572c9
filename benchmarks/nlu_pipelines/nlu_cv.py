"""Cross-validated choice of the fallback threshold for a logistic-regression NLU (issue 18), Rasa environment:

    .venv-rasa/bin/python benchmarks/nlu_pipelines/nlu_cv.py [base|ngrams]

Trains Rasa's own featurizers (regex, word and char_wb count vectors, as in logreg_crf*.yml) on the training data
(assistant/data/nlu), then 5-fold stratified cross-validation (two shuffles, probabilities averaged) of Rasa's
LogisticRegressionClassifier settings (C=1, class-balanced, lbfgs, 200 iterations). Prints intent macro-F1 per
fallback threshold, a fallback (top confidence below the threshold, or top two closer than 0.08) counted as an
error. Training data only: neither the held-out nor the independent set is read."""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.loading import load_data
from scipy.sparse import csr_matrix, vstack
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

WORDS = {"base": {}, "ngrams": {"max_ngram": 2}}
CHARS = {"base": 4, "ngrams": 5}
THRESHOLDS = (0.0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)


def features(variant: str) -> tuple[csr_matrix, np.ndarray]:
    storage = LocalModelStorage(Path(tempfile.mkdtemp()))
    context = ExecutionContext(GraphSchema({}), "cv")
    data = load_data("assistant/data/nlu")
    steps = [
        (WhitespaceTokenizer, {}),
        (RegexFeaturizer, {"case_sensitive": False, "use_word_boundaries": True}),
        (CountVectorsFeaturizer, WORDS[variant]),
        (CountVectorsFeaturizer, {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": CHARS[variant]}),
    ]
    for i, (cls, config) in enumerate(steps):
        component = cls.create({**cls.get_default_config(), **config}, storage, Resource(f"c{i}"), context)
        if hasattr(component, "train"):
            component.train(data)
        component.process_training_data(data)
    examples = [e for e in data.intent_examples if e.get("intent") and e.get("text")]
    rows = [csr_matrix(e.get_sparse_features("text")[1].features) for e in examples]
    return vstack(rows).tocsr(), np.array([e.get("intent") for e in examples])


def main(variant: str) -> None:
    warnings.filterwarnings("ignore")
    x, y = features(variant)
    labels = np.array(sorted(set(y)))
    proba = np.zeros((len(y), len(labels)))
    for seed in (0, 1):
        model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=200)
        folds = StratifiedKFold(5, shuffle=True, random_state=seed)
        proba += cross_val_predict(model, x, y, cv=folds, method="predict_proba") / 2
    ranked = np.sort(proba, axis=1)
    for threshold in THRESHOLDS:
        kept = (ranked[:, -1] >= threshold) & (ranked[:, -1] - ranked[:, -2] >= 0.08)
        predicted = np.where(kept, labels[proba.argmax(axis=1)], "nlu_fallback")
        print(f"{variant} seuil {threshold}: macro-F1 {f1_score(y, predicted, labels=labels, average='macro'):.3f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "base")
