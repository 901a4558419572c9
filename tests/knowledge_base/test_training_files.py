"""The users' training files (questions written from the users' side, labelled by someone else) are learned by the
shipped section model — their sections, and their questions no section answers as its out-of-scope class — each file
held out as one fold of the cross-fitting; the answer/decline decision learns them too, at a small weight, each
file held out whole when its probabilities are cross-validated."""

import numpy as np

from knowledge_base.calibrate import (
    DEV_SOURCES,
    FOLDS,
    SOURCE_WEIGHTS,
    TRAINING_DECISION_WEIGHT,
    TRAINING_FILES,
    TRAINING_WEIGHT,
    analysed,
    decision_folds,
    dev_questions,
    folds_of,
    guide_rows,
    training_questions,
)
from knowledge_base.decision import Decision
from knowledge_base.section_model import OUT_OF_SCOPE


def test_training_files_are_read_with_their_labels_negatives_and_weight():
    questions = training_questions()
    assert {q.source for q in questions} == {p.stem for p in TRAINING_FILES}
    assert len(TRAINING_FILES) == 19 and all(p.exists() for p in TRAINING_FILES)
    for path in TRAINING_FILES:  # every file labelled: a file without sections would teach the model nothing
        assert sum(1 for q in training_questions((path,)) if q.sections) >= 150, path.name
    assert sum(1 for q in questions if q.sections) >= 3800
    outside = [q for q in questions if not q.in_scope]
    assert len(outside) >= 750 and not any(q.sections for q in outside)
    assert all(SOURCE_WEIGHTS[q.source] == TRAINING_WEIGHT for q in questions)


def test_each_training_file_is_one_fold_of_its_own():
    questions = dev_questions("dev") + training_questions()
    fold = folds_of(questions)
    dev_folds = folds_of(dev_questions("dev"))
    assert (fold[: len(dev_folds)] == dev_folds).all()  # the development folds are not changed by the files
    by_file = {p.stem: set(fold[[q.source == p.stem for q in questions]].tolist()) for p in TRAINING_FILES}
    assert all(len(f) == 1 for f in by_file.values())
    assert len({next(iter(f)) for f in by_file.values()}) == min(len(TRAINING_FILES), FOLDS)
    assert set(np.unique(fold).tolist()) == set(range(FOLDS))


def test_the_shipped_decision_learned_the_development_and_training_questions():
    """The decision's rows are the development questions and the training files' (their counts and the files'
    weight in `fitted_on`)."""
    decision = Decision.load()
    assert decision is not None
    questions = dev_questions("dev") + training_questions()
    inside, outside = sum(1 for q in questions if q.sections), sum(1 for q in questions if not q.sections)
    assert decision.fitted_on.startswith(
        f"dev et fichiers d'entraînement ({inside} dans le champ, {outside} hors champ ou non couvertes,"
        f" poids {TRAINING_DECISION_WEIGHT} pour l'entraînement)"
    )


def test_the_decision_holds_out_each_training_file_whole_and_splits_dev_in_folds():
    questions = dev_questions("dev") + training_questions()
    source = np.asarray([q.source for q in questions])
    groups = decision_folds(source)
    assert (groups == decision_folds(source)).all()  # seeded
    dev = np.isin(source, DEV_SOURCES)
    assert len(set(groups[dev].tolist())) == FOLDS
    for path in TRAINING_FILES:
        assert set(groups[source == path.stem].tolist()) == {path.stem}
    assert not set(groups[dev].tolist()) & {p.stem for p in TRAINING_FILES}


def test_the_shipped_model_learned_the_training_files(kb):
    """Lemmas that only the training questions use are in the shipped model's vocabulary (min_df 1): it fails when
    the model is fitted without them."""
    model = kb.section_model
    assert model is not None
    seen = {t for row in guide_rows(kb) for t in row.terms}
    dev = [q.labelled_text for q in dev_questions("dev") if q.sections]
    seen |= {t for terms in analysed(kb, dev, emphasise=True)[1] for t in terms}
    for path in TRAINING_FILES:  # every file, the first writer's included
        mine = [q.labelled_text for q in training_questions((path,)) if q.sections]
        training = {t for terms in analysed(kb, mine, True)[1] for t in terms}
        only_training = training - seen
        assert len(only_training) >= 5, path.name
        assert only_training <= set(model.vocabulary), path.name


def test_the_shipped_model_learned_the_questions_no_section_answers(kb):
    """The out-of-scope class is learned from every training file's questions that no section answers: they score
    far higher on it than the same files' questions a section answers (it fails without the class, whose
    probability is then 0 for every question)."""
    outside, inside = [], []
    for path in TRAINING_FILES:  # up to five of each kind from every file
        questions = training_questions((path,))
        outside += [q.text for q in questions if not q.in_scope][:5]
        inside += [q.text for q in questions if q.sections][:5]
    out = np.asarray([r.section_out for r in kb.rank_many(outside + inside)])
    assert OUT_OF_SCOPE in kb.section_model.sections
    assert out[: len(outside)].mean() > 0.6 and out[len(outside) :].mean() < 0.2


def test_the_question_memory_holds_the_labelled_dev_and_training_questions_never_the_test_split(kb):
    """The memory (`SectionModel.neighbours`) keeps one row per (question, section) of the labelled in-scope dev and
    training questions; no test question is in it (a remembered question has similarity 1 with itself)."""
    model = kb.section_model
    assert model is not None
    learned = dev_questions("dev") + training_questions()
    assert len(model.memory_sections) == len(model.memory_texts) == sum(len(q.sections) for q in learned)
    test = [q.labelled_text for q in dev_questions("test") if q.sections]
    assert len(test) > 200
    vectors = analysed(kb, test, emphasise=True)[2]
    assert float(model.neighbours(vectors).max()) < 0.999
    dev = [q.labelled_text for q in learned if q.sections][:50]
    assert (model.neighbours(analysed(kb, dev, emphasise=True)[2]).max(axis=1) > 0.999).all()
