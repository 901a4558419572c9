"""NLU pipelines compared on cost and understanding (issue 18): `python -m benchmarks.nlu_compare [--latence] [NOM …]`.

For each pipeline of benchmarks/nlu_pipelines/ (NOM.yml, the same data and policies, only the NLU differs):
  1. trains a whole model (cached in var/nlu-compare/NOM/ until the config or the data change);
  2. measures it in the Rasa environment (benchmarks/nlu_measure.py): intent macro-F1 and entity F1 on the held-out
     examples (tests/rasa/nlu_test.yml) and on the independent user-side set (tests/rasa/nlu_independant.yml,
     measurement only, never trained on), CPU per parse, model load time, RSS, whether TensorFlow is imported;
  3. with --latence: serves every model at once beside the bare Rasa bot and the application (actions), and
     measures greeting and guide-question turns at 1/8/32 users, interleaved, three runs (medians and ranges).
Writes reports/nlu_compare.json and prints a table. A benchmark: nothing fails on a figure."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.table import Table

from benchmarks.bench import (
    BARE,
    RASA_ENV,
    REPORTS,
    _wait,
    console,
    interleaved_turns,
    rss_mb,
    start_bare_bot,
    stop_process_group,
)
from parismed.config import PROJECT_ROOT
from parismed.launcher import RASA_BIN, Stack
from parismed.ports import free_port

PIPELINES = PROJECT_ROOT / "benchmarks" / "nlu_pipelines"
OUT = PROJECT_ROOT / "var" / "nlu-compare"
RASA_PYTHON = RASA_BIN.parent / "python"
TEST_SETS = [PROJECT_ROOT / "tests" / "rasa" / "nlu_test.yml", PROJECT_ROOT / "tests" / "rasa" / "nlu_independant.yml"]
TRAINING_INPUTS = [PROJECT_ROOT / "domain.yml", *sorted((PROJECT_ROOT / "assistant" / "data").rglob("*.yml"))]


def _fingerprint(config: Path) -> str:
    digest = hashlib.sha256()
    for path in [config, *TRAINING_INPUTS]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


SERVED = "modele_servi"  # the model in models/ (trained by `make train` from config.yml), measured as it is


def train(name: str, reuse: bool = False) -> tuple[Path, float | None]:
    """The model of pipeline `name`, trained unless the config and the data are unchanged since last time."""
    if name == SERVED:
        return max((PROJECT_ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime), None
    config = PIPELINES / f"{name}.yml"
    folder = OUT / name
    stamp = folder / "fingerprint"
    model = folder / f"{name}.tar.gz"
    fingerprint = _fingerprint(config)
    if model.exists() and (reuse or (stamp.exists() and stamp.read_text() == fingerprint)):
        return model, None
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    done = subprocess.run(
        [str(RASA_BIN), "train", "--config", str(config), "--data", "assistant/data", "--domain", "domain.yml"]
        + ["--out", str(folder), "--fixed-model-name", name, "--force", "--quiet"],
        cwd=PROJECT_ROOT,
        env={**RASA_ENV, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        console.print((done.stdout + done.stderr)[-3000:])
        raise SystemExit(f"Échec de l'entraînement du pipeline {name}.")
    stamp.write_text(fingerprint)
    return model, round(time.perf_counter() - started, 1)


def measure(model: Path) -> dict:
    tests = [str(path) for path in TEST_SETS if path.exists()]
    done = subprocess.run(
        [
            str(RASA_PYTHON),
            str(PROJECT_ROOT / "benchmarks" / "nlu_measure.py"),
            str(model),
            "assistant/data/nlu",
            *tests,
        ],
        cwd=PROJECT_ROOT,
        env={**RASA_ENV, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        console.print(done.stderr[-3000:])
        raise SystemExit(f"Échec de la mesure de {model.name}.")
    return json.loads(done.stdout.strip().splitlines()[-1])


def macro_f1_at(ranked: list[list], threshold: float) -> float:
    """Intent macro-F1 if the fallback threshold were `threshold` (below it the intent becomes nlu_fallback)."""
    gold = [g for g, _, _ in ranked]
    predicted = [p if c >= threshold else "nlu_fallback" for _, p, c in ranked]
    f1s = []
    for label in sorted(set(gold)):
        tp = sum(1 for g, p in zip(gold, predicted) if g == p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if p == label and g != label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return round(sum(f1s) / len(f1s), 3) if f1s else 0.0


def latency(models: dict[str, Path], runs: int, requests: dict[int, int] | None = None) -> dict:
    """Every candidate served at once (one Rasa each, actions by one application), interleaved with the bare bot."""
    with tempfile.TemporaryDirectory() as tmp:
        var_dir = Path(tmp)
        stack = Stack(app_port=free_port(), rasa_port=free_port(), var_dir=var_dir)
        bare, bare_port = start_bare_bot(var_dir)
        servers: dict[str, tuple[subprocess.Popen, int]] = {}
        try:
            stack.start(timeout=300, with_rasa=False)
            env = {**RASA_ENV, "PYTHONPATH": str(PROJECT_ROOT), "ACTION_ENDPOINT_URL": f"{stack.app_url}/webhook"}
            for name, model in models.items():
                port = free_port()
                log = open(var_dir / f"rasa-{name}.log", "wb")
                proc = subprocess.Popen(
                    [str(RASA_BIN), "run", "-i", "127.0.0.1", "-p", str(port), "--model", str(model)]
                    + ["--credentials", "credentials.yml", "--endpoints", "endpoints.yml"],
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                servers[name] = (proc, port)
            _wait(f"http://127.0.0.1:{bare_port}/", 600)
            for _proc, port in servers.values():
                _wait(f"http://127.0.0.1:{port}/", 600)
            pids = {name: proc.pid for name, (proc, _) in servers.items()}
            rest = {name: rss_mb(pid) for name, pid in pids.items()}
            rest["rasa_nu"] = rss_mb(bare.pid)
            targets = {BARE: f"http://127.0.0.1:{bare_port}/webhooks/rest/webhook"}
            for name, (_, port) in servers.items():
                for kind in ("salutation", "question_reglementaire"):
                    targets[f"{name}:{kind}"] = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
            measured = interleaved_turns(targets, pids, runs, requests)
            measured["rss_repos_mo"] = rest
            return measured
        finally:
            for proc, _ in servers.values():
                stop_process_group(proc)
            stack.stop()
            stop_process_group(bare)


def main(argv: list[str]) -> None:
    with_latency = "--latence" in argv or "--latence-seule" in argv
    quick = {1: 30, 8: 120, 32: 160} if "--rapide" in argv else None  # half the samples: a shorter run
    names = [a for a in argv if not a.startswith("--")] or sorted(p.stem for p in PIPELINES.glob("*.yml"))
    skip_quality = "--latence-seule" in argv
    REPORTS.mkdir(exist_ok=True)
    path = REPORTS / "nlu_compare.json"
    report: dict = json.loads(path.read_text()) if path.exists() else {}
    report.setdefault("pipelines", {})
    models: dict[str, Path] = {}
    for name in names:
        console.print(f"[bold]{name}[/bold] : entraînement…")
        model, seconds = train(name, reuse="--latence-seule" in argv)  # latency does not depend on the data
        models[name] = model
        entry = report["pipelines"].setdefault(name, {})
        if seconds is not None:
            entry["entrainement_s"] = seconds
        if skip_quality:
            continue
        console.print(f"[bold]{name}[/bold] : mesure…")
        entry["mesure"] = measure(model)
        for figures in entry["mesure"]["jeux"].values():
            figures["macro_f1_selon_seuil"] = {
                str(t): macro_f1_at(figures["meilleures_intentions"], t) for t in (0.0, 0.2, 0.3, 0.35, 0.4, 0.5, 0.6)
            }
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    if with_latency:
        report["latence"] = latency(models, runs=3, requests=quick)
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    summary(report)


def summary(report: dict) -> None:
    table = Table(title="Pipelines NLU comparés (reports/nlu_compare.json)")
    for column in (
        "pipeline",
        "jeu",
        "intent macro-F1",
        "entités F1",
        "CPU/analyse p50·p95",
        "chargement",
        "RSS",
        "TF",
    ):
        table.add_column(column)
    for name, entry in report["pipelines"].items():
        m = entry["mesure"]
        for test, figures in m["jeux"].items():
            table.add_row(
                name,
                test,
                str(figures["intention_macro_f1"]),
                str(figures["entites_f1"]),
                f"{m['cpu_par_analyse_ms']['p50']}·{m['cpu_par_analyse_ms']['p95']} ms",
                f"{m['import_rasa_s']}+{m['chargement_modele_s']} s",
                f"{m['rss_apres_chargement_mo']} Mo",
                "oui" if m["tensorflow_importe"] else "non",
            )
    console.print(table)
    if lat := report.get("latence"):
        for label, levels in lat["ratios_p95_vs_rasa_nu"].items():
            console.print(f"  {label:<40} ratio p95 / Rasa nu : " + " · ".join(f"{u}: {r}" for u, r in levels.items()))


if __name__ == "__main__":
    main(sys.argv[1:])
