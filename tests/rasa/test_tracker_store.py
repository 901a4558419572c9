"""The tracker store named in endpoints.yml (assistant/tracker_store.py), checked in the Rasa environment: it
writes the same rows as Rasa's SQLTrackerStore, each store reads the other's file alike, it runs fewer queries,
and a conversation saved just before Rasa is killed is read back by a new process."""

import json
import os
import subprocess

from parismed.config import PROJECT_ROOT
from parismed.launcher import QUIET_ENV, RASA_BIN

CHECK = PROJECT_ROOT / "tests" / "rasa" / "tracker_store_check.py"


def run_check(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **QUIET_ENV, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run(
        [str(RASA_BIN.parent / "python"), str(CHECK), *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def report(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_same_rows_and_same_trackers_as_rasas_store_with_fewer_queries(tmp_path):
    r = report(run_check("check", str(tmp_path)))
    # Rasa falls back to an in-memory store, with a mere warning, when the class named in endpoints.yml
    # cannot be imported: the conversations would no longer survive a restart.
    assert r["class"] == "ParisMedSQLTrackerStore"
    assert r["pool"] == "QueuePool"
    assert r["pragmas"] == ["wal", 1]  # synchronous=NORMAL
    assert len(r["rows_ours"]) == 48
    assert r["rows_ours"] == r["rows_rasa"]
    assert r["cross"]["ours_reads_rasa"] == r["cross"]["rasa_reads_ours"]
    for latest, full in r["cross"]["ours_reads_rasa"].values():
        assert latest["slots"]["arrondissement"] == "75019"  # carried over to the new session
        assert len(latest["events"]) == 11 and len(full["events"]) == 24  # latest session, all sessions
    assert r["queries"]["ours"] * 3 < r["queries"]["rasa"]


def test_a_turn_saved_just_before_rasa_is_killed_is_read_back(tmp_path):
    killed = run_check("write", str(tmp_path))
    assert killed.returncode == -9, killed.stderr[-4000:]
    events = report(run_check("read", str(tmp_path)))["events"]
    assert events is not None
    assert [e["text"] for e in events if e["event"] == "user"] == ["merci", "au revoir"]
