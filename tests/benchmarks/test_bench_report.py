"""The benchmark's own arithmetic and report handling (no timing is asserted anywhere)."""

import pytest

from benchmarks import bench


def test_percentiles_pick_the_nearest_rank():
    stats = bench.percentiles([float(v) for v in range(1, 101)])
    assert stats["n"] == 100
    assert stats["p50_ms"] == 51.0 and stats["p95_ms"] == 95.0 and stats["p99_ms"] == 99.0
    assert stats["moyenne_ms"] == 50.5
    assert bench.percentiles([]) == {}


def test_unknown_part_is_refused_in_french():
    with pytest.raises(SystemExit, match="Partie inconnue : vitesse"):
        bench.main(["vitesse"])


def test_summary_prints_only_the_parts_measured(capsys):
    bench._summary(
        {
            "recherche": {
                "ask_chaud": {"p50_ms": 12.0, "p95_ms": 20.0, "p99_ms": 30.0},
                "chargement_a_froid_s": 16.0,
                "construction_index_s": 19.0,
                "sections": 155,
                "taille_index_ko": 900.0,
            }
        }
    )
    out = capsys.readouterr().out
    assert "12.0 / 20.0 / 30.0 ms" in out and "p95 ≤ 50 ms" in out
    assert "Rasa nu" not in out and "make run" not in out


def test_summary_shows_users_messages_when_measured(capsys):
    part = {
        "ask_chaud": {"p50_ms": 4.0, "p95_ms": 5.0, "p99_ms": 7.0},
        "ask_chaud_messages": {"p50_ms": 5.0, "p95_ms": 13.0, "p99_ms": 18.0},
        "chargement_a_froid_s": 9.0,
        "construction_index_s": 20.0,
        "sections": 196,
        "taille_index_ko": 2341.0,
    }
    bench._summary({"recherche": part})
    out = capsys.readouterr().out
    assert "messages d'utilisateurs" in out and "5.0 / 13.0 / 18.0 ms" in out
