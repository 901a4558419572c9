"""The users' training files (questions written from the users' side, labelled by someone else) are learned by the
shipped section model; the first writer's file is kept unseen, as the measure of a writer the model never read."""

from knowledge_base.calibrate import (
    SOURCE_WEIGHTS,
    TRAINING_FILES,
    TRAINING_WEIGHT,
    analysed,
    dev_questions,
    guide_rows,
    training_questions,
)
from knowledge_base.evaluation import EVAL_DIR


def test_training_files_are_read_with_their_labels_and_weight():
    questions = training_questions()
    assert {q.source for q in questions} == {p.stem for p in TRAINING_FILES}
    assert len(questions) >= 400 and all(q.sections for q in questions)
    assert all(SOURCE_WEIGHTS[q.source] == TRAINING_WEIGHT for q in questions)
    assert EVAL_DIR / "independant" / "entrainement.yaml" not in TRAINING_FILES  # the unseen writer stays unseen


def test_the_shipped_model_learned_the_training_files(kb):
    """Lemmas that only the training questions use are in the shipped model's vocabulary (min_df 1): it fails when
    the model is fitted without them."""
    model = kb.section_model
    assert model is not None
    seen = {t for row in guide_rows(kb) for t in row.terms}
    dev = [q.labelled_text for q in dev_questions("dev") if q.sections]
    seen |= {t for terms in analysed(kb, dev, emphasise=True)[1] for t in terms}
    training = {t for terms in analysed(kb, [q.labelled_text for q in training_questions()], True)[1] for t in terms}
    only_training = training - seen
    assert len(only_training) >= 20
    assert only_training <= set(model.vocabulary)
