"""The default grid against the published 2023–2024 results (seed-001)."""

from __future__ import annotations

from rules_bridge import load_grid
from rules_bridge.calibration import calibrate, load_published


def test_published_figures_are_the_seed_ones():
    pub = load_published()
    assert pub.source == "seed-001"
    assert (pub.structures, pub.professionnels, pub.total_annonce_eur) == (29, 225, 1_203_816)
    assert len(pub.subventions) == 29
    assert sum(g.montant_eur for g in pub.subventions) == 1_203_813  # table total, 3 € rounding gap (facts A.5)
    assert min(g.montant_eur for g in pub.subventions) == 2_190
    assert max(pub.grants("centre_sante")) == 180_000 and 150_000 in pub.grants("centre_sante")
    for cid, category in pub.categories.items():
        assert sum(pub.grants(cid)) == category.total_eur
    assert round(pub.mean_per_professional) == 5_350


def test_the_default_grid_holds_against_the_published_results():
    report = calibrate()
    assert report.version_grille == load_grid().version
    assert report.ok, report.problemes
    assert (report.structures, report.professionnels) == (29, 225)
    assert report.moyenne_grille_par_professionnel_eur <= report.moyenne_publiee_par_professionnel_eur
    for profile in report.profils:
        assert profile.aide_plancher_eur <= profile.mediane_categorie_eur
    for category in report.categories:
        assert category.total_grille_eur <= category.total_publie_eur
        assert category.max_balayage_eur <= category.max_publie_eur


def test_the_previous_grid_fails_the_calibration():
    # paris-med-2023 promised more than comparable structures received: the check must be able to fail.
    report = calibrate("paris-med-2023")
    assert not report.ok
    assert report.moyenne_grille_par_professionnel_eur > report.moyenne_publiee_par_professionnel_eur
    assert any("MSP" in p for p in report.problemes)
