"""The fitted answer/decline decision: loadable without scikit-learn, monotone, refitted identically."""

import numpy as np
import pytest

from knowledge_base.decision import FEATURES, Decision, fit_decision, reliability


def test_the_shipped_decision_is_fitted_on_the_dev_split_and_names_its_features():
    decision = Decision.load()
    assert decision is not None, "knowledge_base/decision.json manquant : lancez python -m knowledge_base.calibrate"
    assert decision.features == list(FEATURES) and "dev" in decision.fitted_on
    assert 0.0 < decision.threshold < 1.0


def test_a_decision_fitted_on_other_features_is_refused_at_load(tmp_path):
    shipped = Decision.load()
    assert shipped is not None
    older = shipped.model_copy(
        update={f: getattr(shipped, f)[:-1] for f in ("features", "mean", "scale", "coef")}
    )  # as written before `section_out`
    path = tmp_path / "decision.json"
    older.save(path)
    with pytest.raises(ValueError, match="calibrate"):
        Decision.load(path)
    shipped.save(path)
    assert Decision.load(path) == shipped


def test_fit_separates_two_clouds_and_reliability_sums_up():
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(1.0, 0.3, (60, len(FEATURES))), rng.normal(-1.0, 0.3, (60, len(FEATURES)))])
    y = np.array([1] * 60 + [0] * 60)
    decision, info = fit_decision(x, y, fitted_on="essai")
    assert decision.probability(list(x[0])) > 0.9 > 0.1 > decision.probability(list(x[-1]))
    assert (info["oof"][y == 0] < decision.threshold).mean() >= 0.9
    table = reliability(info["oof"], y)
    assert sum(row["n"] for row in table) == len(y)


def test_the_threshold_declines_the_chosen_negatives_and_groups_are_held_out_whole():
    """The negatives of the threshold may be a subset (the out-of-scope questions, not the in-scope ones no section
    answers); a group (one writer) is predicted by a model fitted without any of its rows."""
    rng = np.random.default_rng(1)
    pos = rng.normal(1.0, 0.8, (120, len(FEATURES)))
    out_of_scope = rng.normal(-1.0, 0.8, (60, len(FEATURES)))
    uncovered = rng.normal(0.6, 0.8, (60, len(FEATURES)))  # close to the answered ones
    x = np.vstack([pos, out_of_scope, uncovered])
    y = np.array([1] * 120 + [0] * 120)
    chosen = np.array([False] * 120 + [True] * 60 + [False] * 60)
    groups = np.array([f"auteur{i % 6}" for i in range(len(y))])
    weight = np.where(np.arange(len(y)) % 2 == 0, 1.0, 0.1)
    decision, info = fit_decision(
        x, y, fitted_on="essai", min_declined=0.95, sample_weight=weight, groups=groups, threshold_negatives=chosen
    )
    assert (info["oof"][chosen] < decision.threshold).mean() >= 0.95
    everything, _ = fit_decision(x, y, fitted_on="essai", min_declined=0.95, groups=groups)
    assert decision.threshold < everything.threshold  # the uncovered questions would have raised it
    # held out whole: a group's out-of-fold probabilities come from a model fitted on the other groups only
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    xs = StandardScaler().fit(x).transform(x)
    mine = groups == "auteur0"
    alone = LogisticRegression(C=info["c"], max_iter=2000).fit(xs[~mine], y[~mine], sample_weight=weight[~mine])
    assert np.allclose(info["oof"][mine], alone.predict_proba(xs[mine])[:, 1])


def test_answers_carry_the_decision_probability(kb):
    yes, no = kb.answer("registre public d'accessibilité"), kb.answer("recette de la blanquette de veau")
    assert yes.answered and not no.answered
    assert 0.0 <= no.score < kb.threshold <= yes.score <= 1.0
