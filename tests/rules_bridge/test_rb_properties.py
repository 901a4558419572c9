"""Property tests of the estimate (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules_bridge import estimate, load_grid

G = load_grid()
DOCTORS = [p for p, r in G.professions.items() if r.famille == "medecin"]
OTHERS = [p for p, r in G.professions.items() if r.famille != "medecin"]
PROJECTS = list(G.projets)
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def professional(draw):
    if draw(st.booleans()):
        return {
            "profession": draw(st.sampled_from(DOCTORS)),
            "nombre": draw(st.integers(1, 6)),
            "secteur": draw(st.sampled_from([None, "1", "2", "optam", "non_conventionne"])),
        }
    return {
        "profession": draw(st.sampled_from(OTHERS)),
        "nombre": draw(st.integers(1, 6)),
        "secteur": draw(st.sampled_from([None, "conventionne", "non_conventionne"])),
    }


def _clean(d):
    return {k: v for k, v in d.items() if v is not None}


@st.composite
def profiles(draw):
    place = draw(
        st.one_of(
            st.builds(lambda n: {"arrondissement": n}, st.integers(1, 20)),
            st.builds(
                lambda cp: {"code_postal": cp}, st.sampled_from([f"750{n:02d}" for n in range(1, 21)] + ["75116"])
            ),
        )
    )
    return _clean(
        {
            "professionnels": [_clean(p) for p in draw(st.lists(professional(), min_size=1, max_size=4))],
            **place,
            "structure": draw(st.sampled_from([None, *G.structures])),
            "projet": draw(
                st.one_of(
                    st.sampled_from([None, *G.projets]),
                    st.lists(st.sampled_from(list(G.projets)), min_size=1, max_size=4),
                )
            ),
            "zone_ars": draw(st.sampled_from([None, "zip", "zac", "hors_zone"])),
            "qpv": draw(st.sampled_from([None, True, False])),
            "projet_sante": draw(st.sampled_from([None, True, False])),
            "primo_installation": draw(st.sampled_from([None, True, False])),
            "depenses_investissement_eur": draw(st.sampled_from([None, 0, 3000, 20000, 10**7])),
        }
    )


@FAST
@given(profiles(), professional(), st.integers(0, 3), st.integers(1, 5))
def test_more_professionals_never_lowers_the_aid(p, extra, index, more):
    before = estimate(p).aide_plancher_eur
    grown = {**p, "professionnels": [dict(x) for x in p["professionnels"]]}
    grown["professionnels"][index % len(grown["professionnels"])]["nombre"] += more
    assert estimate(grown).aide_plancher_eur >= before
    added = {**p, "professionnels": [*p["professionnels"], _clean(extra)]}
    assert estimate(added).aide_plancher_eur >= before


@FAST
@given(profiles())
def test_priority_zone_never_lowers_the_aid(p):
    aids = [estimate({**p, "zone_ars": z}).aide_plancher_eur for z in ("hors_zone", "zac", "zip")]
    assert aids == sorted(aids)
    assert estimate({**p, "qpv": True}).aide_plancher_eur >= estimate({**p, "qpv": False}).aide_plancher_eur


@FAST
@given(profiles())
def test_ineligible_means_zero_and_a_reason(p):
    e = estimate(p)
    if not e.eligible:
        assert e.aide_plancher_eur == 0
        assert [m for m in e.motifs if "territoire parisien" not in m and "primo-installation" not in m]
    if not e.aide_investissement:
        assert e.aide_plancher_eur == 0


@FAST
@given(profiles())
def test_detail_lines_sum_to_the_total(p):
    e = estimate(p)
    assert sum(line.montant_eur for line in e.detail) == e.aide_plancher_eur
    assert e.aide_plancher_eur >= 0
    assert e.detail and e.motifs and e.version_grille == G.version
    if "depenses_investissement_eur" in p:
        assert e.aide_plancher_eur <= p["depenses_investissement_eur"]


@FAST
@given(profiles())
def test_estimate_is_deterministic(p):
    first = estimate(p)
    second = estimate(dict(p))
    assert first.to_contract() == second.to_contract()
    assert first.a_preciser == second.a_preciser


@FAST
@given(profiles(), st.lists(st.sampled_from(PROJECTS), min_size=1, max_size=3))
def test_adding_a_project_component_never_lowers_the_aid(p, extra):
    current = p.get("projet") or [G.defauts.projet]
    current = [current] if isinstance(current, str) else current
    before = estimate({**p, "projet": current})
    after = estimate({**p, "projet": [*current, *extra]})
    assert after.aide_plancher_eur >= before.aide_plancher_eur
    assert set(before.composantes) <= set(after.composantes)
    assert all(line.composantes for line in after.detail if line.montant_eur)


@FAST
@given(profiles())
def test_left_out_professionals_are_listed_with_a_reason(p):
    e = estimate(p)
    counted = {line.regle.split(".")[1] for line in e.detail if line.regle.endswith(".base_eur")}
    for left in e.non_retenus:
        assert left.raison and left.nombre >= 1
    assert sum(x.nombre for x in e.non_retenus) <= e.profil.nombre_total
    assert not counted & {x.profession for x in e.non_retenus if x.profession not in DOCTORS}
