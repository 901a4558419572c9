"""`make bench`: speed and memory on this machine (2 cores). Prints a table, writes reports/bench.json and a
PNG of latency vs concurrency. Benchmarks, not tests: nothing here fails on a timing.

All traffic goes to servers started here on 127.0.0.1, with bounded request counts."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import psutil
from rich.console import Console
from rich.table import Table

from parismed.config import PROJECT_ROOT, get_settings
from parismed.launcher import QUIET_ENV, RASA_BIN, SERVER_NUMERICS_ENV, Stack
from parismed.ports import free_port

if TYPE_CHECKING:
    from knowledge_base.service import KnowledgeBase

REPORTS = PROJECT_ROOT / "reports"
CONCURRENCY = (1, 8, 32)
REQUESTS_PER_LEVEL = {1: 50, 8: 240, 32: 320}  # enough samples for a stable p95 (80 gave ±15 % run to run)
console = Console(width=None if sys.stdout.isatty() else 120)  # logs keep whole rows
RASA_ENV = {**os.environ, **QUIET_ENV}


def percentiles(samples: list[float]) -> dict:
    if not samples:
        return {}
    s = sorted(samples)
    pick = lambda q: s[min(len(s) - 1, int(round(q * (len(s) - 1))))]  # noqa: E731
    return {
        "n": len(s),
        "p50_ms": round(pick(0.5), 1),
        "p95_ms": round(pick(0.95), 1),
        "p99_ms": round(pick(0.99), 1),
        "moyenne_ms": round(statistics.fmean(s), 1),
    }


def rss_mb(pid: int) -> float:
    proc = psutil.Process(pid)
    total = proc.memory_info().rss
    for child in proc.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return round(total / 2**20, 1)


# --- retrieval alone -------------------------------------------------------------------------------------------
def bench_retrieval() -> dict:
    from knowledge_base import index as index_mod
    from knowledge_base.evaluation import load_independent, load_questions
    from knowledge_base.service import KnowledgeBase

    settings = get_settings()
    cold = subprocess.run(
        [
            str(PROJECT_ROOT / ".venv-app/bin/python"),
            "-c",
            "import time; t=time.perf_counter(); from knowledge_base import get_service; "
            "get_service().answer('ERP ?'); print(time.perf_counter()-t)",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    )
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        index_mod.build(settings.guide_dir, Path(tmp) / "index", settings.var_dir / "models", settings.embedding_model)
        build_s = time.perf_counter() - start
    size = sum(f.stat().st_size for f in settings.index_dir.rglob("*") if f.is_file())
    kb = KnowledgeBase()
    inside, outside = load_questions("dev")
    questions = [q["question"] for q in inside + outside]
    for q in questions[:5]:
        kb.answer(q)
    samples = timed_answers(kb, questions)
    # Users' messages (the independent set's dev split): longer, often several questions in one, each of which is
    # ranked again on its own (`knowledge_base.answering.asks_in_context`).
    sets = load_independent("dev")
    messages = [q["question"] for part in ("covered", "uncovered", "outside") for q in sets[part]]
    return {
        "chargement_a_froid_s": round(float(cold.stdout.strip().splitlines()[-1]), 2),
        "construction_index_s": round(build_s, 2),
        "taille_index_ko": round(size / 1024, 1),
        "sections": len(kb.index.sections),
        "questions_dev": len(questions),
        "ask_chaud": percentiles(samples),
        "messages_utilisateurs": len(messages),
        "ask_chaud_messages": percentiles(timed_answers(kb, messages)),
    }


def timed_answers(kb: KnowledgeBase, questions: list[str], rounds: int = 3) -> list[float]:
    """Latencies (ms) of `rounds` passes of warm `answer` calls over the questions."""
    samples = []
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            kb.answer(q)
            samples.append((time.perf_counter() - t) * 1000)
    return samples


# --- chat turns through the real servers -----------------------------------------------------------------------
async def _turns(url: str, kind: str, users: int, total: int) -> list[float]:
    """`users` simulated users send `total` turns of one kind in all; returns latencies (ms)."""
    per_user = max(1, total // users)
    latencies: list[float] = []

    async def post(client, sender, text):
        t = time.perf_counter()
        r = await client.post(url, json={"sender": sender, "message": text})
        r.raise_for_status()
        return (time.perf_counter() - t) * 1000

    async def user(client):
        for _ in range(per_user):
            sender = f"bench-{uuid.uuid4().hex[:10]}"
            if kind == "salutation":
                latencies.append(await post(client, sender, "bonjour"))
            elif kind == "question_reglementaire":
                latencies.append(await post(client, sender, "Mon cabinet est-il un ERP ?"))
            else:  # one step of the eligibility form (the form is opened first, not timed)
                await post(client, sender, "Je voudrais savoir si je suis éligible à Paris Méd'")
                latencies.append(await post(client, sender, "infirmier"))

    async with httpx.AsyncClient(timeout=120) as client:
        await asyncio.gather(*(user(client) for _ in range(users)))
    return latencies


def _sample_rss_during(stack_pids: dict[str, int], coro) -> tuple[list[float], dict]:
    peaks = {name: 0.0 for name in stack_pids}

    async def sampler(done: asyncio.Event):
        while not done.is_set():
            for name, pid in stack_pids.items():
                peaks[name] = max(peaks[name], rss_mb(pid))
            await asyncio.sleep(0.5)

    async def main():
        done = asyncio.Event()
        task = asyncio.create_task(sampler(done))
        result = await coro
        done.set()
        await task
        return result

    return asyncio.run(main()), peaks


RUNS = 3  # interleaved repetitions: a shared 2-core VM drifts, one run must not decide (issue 18)
BARE = "rasa_nu:salutation"


def _median_range(values: list[float]) -> dict:
    return {"mediane": round(statistics.median(values), 2), "min": round(min(values), 2), "max": round(max(values), 2)}


def cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def interleaved_turns(
    targets: dict[str, str],
    pids: dict[str, int],
    runs: int = RUNS,
    requests: dict[int, int] | None = None,
    cpu_pids: dict[str, dict[str, int]] | None = None,
) -> dict:
    """Measures every target ("label" -> REST webhook URL; the kind of turn is the part after the last ":")
    level by level, all targets in turn, `runs` times over. The bare bot and ours are measured seconds apart, so
    a change of the machine's speed weighs on both alike; each figure is the median over runs, with its range.

    `cpu_pids` ("label" -> {process name: pid}): the CPU time those processes spend per timed turn at 1 user
    (user + system, all threads; the form step's count includes its untimed opening message). Far less
    sensitive than latency to what else runs on the machine."""
    per_run: dict[str, dict[str, list[dict]]] = {label: {str(u): [] for u in CONCURRENCY} for label in targets}
    cpu_runs: dict[str, list[dict[str, float]]] = {label: [] for label in cpu_pids or {}}
    peaks_all = {name: 0.0 for name in pids}
    for label, url in targets.items():
        asyncio.run(_turns(url, label.split(":")[-1], 1, 3))  # warm-up
    for run in range(runs):
        for users in CONCURRENCY:
            for label, url in targets.items():
                watched = (cpu_pids or {}).get(label, {}) if users == 1 else {}
                before = {name: cpu_seconds(pid) for name, pid in watched.items()}
                lat, peaks = _sample_rss_during(
                    pids, _turns(url, label.split(":")[-1], users, (requests or REQUESTS_PER_LEVEL)[users])
                )
                if watched:
                    cpu_runs[label].append(
                        {name: (cpu_seconds(pid) - before[name]) * 1000 / len(lat) for name, pid in watched.items()}
                    )
                per_run[label][str(users)].append(percentiles(lat))
                for k, v in peaks.items():
                    peaks_all[k] = max(peaks_all[k], v)
                console.print(f"  passe {run + 1}/{runs} {label:<32} {users:>2} utilisateurs : {percentiles(lat)}")
    tours: dict = {}
    for label, levels in per_run.items():
        tours[label] = {}
        for users, samples in levels.items():
            p95 = [s["p95_ms"] for s in samples]
            tours[label][users] = {
                "p50_ms": round(statistics.median(s["p50_ms"] for s in samples), 1),
                "p95_ms": round(statistics.median(p95), 1),
                "p95_min_ms": min(p95),
                "p95_max_ms": max(p95),
                "passes": samples,
            }
    ratios: dict = {}
    if BARE in per_run:
        for label in targets:
            if label == BARE:
                continue
            ratios[label] = {}
            for users in CONCURRENCY:
                runs_ratio = [
                    ours["p95_ms"] / bare["p95_ms"]
                    for ours, bare in zip(per_run[label][str(users)], per_run[BARE][str(users)])
                    if bare["p95_ms"]
                ]
                if runs_ratio:
                    ratios[label][str(users)] = _median_range(runs_ratio)
    cpu = {
        label: {name: round(statistics.median(r[name] for r in samples), 2) for name in samples[0]}
        for label, samples in cpu_runs.items()
        if samples
    }
    return {
        "tours": tours,
        "ratios_p95_vs_rasa_nu": ratios,
        "passes": runs,
        "pic_rss_mo": peaks_all,
        "cpu_ms_par_tour": cpu,
    }


def start_bare_bot(var_dir: Path) -> tuple[subprocess.Popen, int]:
    bare_models = _train_bare_bot(var_dir)
    bare_port = free_port()
    bare_log = open(var_dir / "rasa-nu.log", "wb")
    bare = subprocess.Popen(
        [str(RASA_BIN), "run", "--enable-api", "-i", "127.0.0.1", "-p", str(bare_port), "--model", str(bare_models)],
        cwd=PROJECT_ROOT / "benchmarks" / "bare_bot",
        # served as the stack's Rasa is (one thread per numeric library): the ratios compare the assistant's work,
        # not a runtime setting
        env={**RASA_ENV, **SERVER_NUMERICS_ENV},
        stdout=bare_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return bare, bare_port


def stop_process_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def bench_chat(var_dir: Path, runs: int = RUNS) -> dict:
    settings = get_settings()
    for name in ("index", "models"):
        if (settings.var_dir / name).exists():
            shutil.copytree(settings.var_dir / name, var_dir / name, dirs_exist_ok=True)
    stack = Stack(app_port=free_port(), rasa_port=free_port(), var_dir=var_dir)
    bare, bare_port = start_bare_bot(var_dir)
    result: dict = {"rss_mo": {}}
    try:
        started = time.perf_counter()
        stack.start(timeout=300)  # the bare bot loads meanwhile, on the same 2 cores
        result["pile_prete_s"] = round(time.perf_counter() - started, 1)
        _wait(f"http://127.0.0.1:{bare_port}/status", 300)
        result["rasa_nu_pret_s"] = round(time.perf_counter() - started, 1)
        pids = {"rasa": stack.processes["rasa"].pid, "application": stack.processes["app"].pid}
        result["rss_mo"]["repos"] = {name: rss_mb(pid) for name, pid in pids.items()}
        result["rss_mo"]["repos"]["rasa_nu"] = rss_mb(bare.pid)
        targets = {BARE: f"http://127.0.0.1:{bare_port}/webhooks/rest/webhook"}
        ours = f"{stack.rasa_url}/webhooks/rest/webhook"
        for kind in ("salutation", "question_reglementaire", "etape_formulaire"):
            targets[kind] = ours
        ours_pids = {"rasa": pids["rasa"], "application": pids["application"]}
        cpu_pids = {BARE: {"rasa": bare.pid}, **{kind: ours_pids for kind in targets if kind != BARE}}
        measured = interleaved_turns(targets, pids, runs, cpu_pids=cpu_pids)
        result["tours"] = measured["tours"]
        result["cpu_ms_par_tour_1_utilisateur"] = measured["cpu_ms_par_tour"]
        result["ratios_p95_vs_rasa_nu"] = measured["ratios_p95_vs_rasa_nu"]
        result["passes"] = runs
        result["rss_mo"]["pic_en_charge"] = measured["pic_rss_mo"]
        ratio = measured["ratios_p95_vs_rasa_nu"].get("question_reglementaire", {}).get("8")
        result["ratio_question_vs_rasa_nu_p95_8"] = ratio["mediane"] if ratio else None
    finally:
        stack.stop()
        stop_process_group(bare)
    return result


def _wait(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} ne répond pas")


def _train_bare_bot(var_dir: Path) -> Path:
    out = var_dir / "bare-models"
    subprocess.run(
        [str(RASA_BIN), "train", "--out", str(out), "--quiet"],
        cwd=PROJECT_ROOT / "benchmarks" / "bare_bot",
        env=RASA_ENV,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return out


def bench_training() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        subprocess.run(
            [str(RASA_BIN), "train", "--data", "assistant/data", "--out", tmp, "--force", "--quiet"],
            cwd=PROJECT_ROOT,
            env=RASA_ENV,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return {"entrainement_rasa_s": round(time.perf_counter() - t, 1)}


def bench_make_run() -> dict:
    """Second `make run` (nothing to install or train) until the first chat answer."""
    app_port, rasa_port = free_port(), free_port()
    env = {**os.environ, "PARISMED_APP_PORT": str(app_port), "PARISMED_RASA_URL": f"http://127.0.0.1:{rasa_port}"}
    t = time.perf_counter()
    proc = subprocess.Popen(
        ["make", "run"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    first = None
    try:
        while time.perf_counter() - t < 300 and proc.poll() is None:
            try:
                r = httpx.post(
                    f"http://127.0.0.1:{app_port}/api/v1/chat",
                    json={"sender": "bench-start", "message": "bonjour"},
                    timeout=5,
                )
                if r.status_code == 200 and not r.json().get("degraded") and r.json()["messages"]:
                    first = time.perf_counter() - t
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    return {"make_run_jusqu_a_la_premiere_reponse_s": round(first, 1) if first else None}


def plot(chat: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for label, levels in chat["tours"].items():
        xs = [int(u) for u in levels]
        ax.plot(xs, [levels[str(u)]["p95_ms"] for u in xs], marker="o", label=f"{label} (p95)")
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(CONCURRENCY), [str(c) for c in CONCURRENCY])
    ax.set_xlabel("utilisateurs simultanés")
    ax.set_ylabel("latence p95 (ms)")
    ax.set_title("Tours de chat : latence selon la concurrence (2 cœurs)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


PARTS = ("recherche", "entrainement", "chat", "demarrage", "cluster", "webinaire")


def main(argv: list[str] | None = None) -> None:
    """`python -m benchmarks.bench [partie …]`: all parts by default; a partial run updates only its parts of
    reports/bench.json, so one measurement can be redone after a change."""
    parts = list(argv if argv is not None else sys.argv[1:]) or list(PARTS)
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise SystemExit(f"Partie inconnue : {', '.join(unknown)} (parties : {', '.join(PARTS)}).")
    REPORTS.mkdir(exist_ok=True)
    path = REPORTS / "bench.json"
    report: dict = json.loads(path.read_text()) if path.exists() and len(parts) < len(PARTS) else {}
    report["machine"] = {
        "coeurs": os.cpu_count(),
        "memoire_go": round(psutil.virtual_memory().total / 2**30),
        "charge_moyenne_1_min_au_debut": round(os.getloadavg()[0], 2),
    }
    if "recherche" in parts:
        console.print("[bold]Recherche seule[/bold]")
        report["recherche"] = bench_retrieval()
        console.print(report["recherche"])
    if "entrainement" in parts:
        console.print("[bold]Entraînement Rasa[/bold]")
        report["entrainement"] = bench_training()
    if "chat" in parts:
        console.print("[bold]Tours de chat (vrais serveurs)[/bold]")
        with tempfile.TemporaryDirectory() as tmp:
            report["chat"] = bench_chat(Path(tmp))
    if "demarrage" in parts:
        console.print("[bold]Second « make run »[/bold]")
        report["demarrage"] = bench_make_run()
    if "cluster" in parts:
        from benchmarks.cluster import bench_cluster

        console.print("[bold]Pile répartie (nginx, 2 applications, 1 ou 2 Rasa) et pile embarquée[/bold]")
        with tempfile.TemporaryDirectory() as tmp:
            report["cluster"] = bench_cluster(Path(tmp))
    if "webinaire" in parts:
        from channels.webinar.benchmark import bench_webinar
        from parismed.composition import configure_knowledge_base

        console.print("[bold]Suivi de webinaire : 2 000 questions[/bold]")
        configure_knowledge_base()
        report["webinaire"] = bench_webinar(2000)
        console.print(report["webinaire"])
    duration = REPORTS / "make-test-duration.json"
    if duration.exists():
        report["make_test"] = json.loads(duration.read_text())
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    if "chat" in report:
        plot(report["chat"], REPORTS / "latence-concurrence.png")
    _summary(report)


def _summary(report: dict) -> None:
    table = Table(title="Paris Méd' — mesures (make bench)")
    table.add_column("mesure")
    table.add_column("valeur", justify="right")
    table.add_column("cible", justify="right")
    rows = []
    if w := report.get("webinaire"):
        rows.append(
            (
                f"webinaire : {w['questions_lues']} questions",
                f"{w['duree_s']} s ({w['questions_par_s']} q/s, {w['groupes']} groupes)",
                "≤ 30 s",
            )
        )
    if r := report.get("recherche"):
        for label, key in (
            ("ask à chaud p50 / p95 / p99", "ask_chaud"),
            ("ask à chaud, messages d'utilisateurs", "ask_chaud_messages"),  # absent from older reports
        ):
            if ask := r.get(key):
                rows.append((label, f"{ask['p50_ms']} / {ask['p95_ms']} / {ask['p99_ms']} ms", "p95 ≤ 50 ms"))
        rows += [
            ("chargement à froid", f"{r['chargement_a_froid_s']} s", ""),
            (
                "construction de l'index",
                f"{r['construction_index_s']} s ({r['sections']} sections, {r['taille_index_ko']} Ko)",
                "",
            ),
        ]
    if t := report.get("entrainement"):
        rows.append(("entraînement Rasa", f"{t['entrainement_rasa_s']} s", ""))
    if chat := report.get("chat"):
        for label, levels in chat["tours"].items():
            rows.append(
                (
                    f"{label} p50/p95 à 1 · 8 · 32",
                    " · ".join(f"{levels[str(u)]['p50_ms']}/{levels[str(u)]['p95_ms']}" for u in CONCURRENCY) + " ms",
                    "",
                )
            )
        rows.append(
            ("question p95 (1 utilisateur)", f"{chat['tours']['question_reglementaire']['1']['p95_ms']} ms", "≤ 50 ms")
        )
        targets = {"salutation": "≤ 1,05", "question_reglementaire": "≤ 1,2", "etape_formulaire": ""}
        for label, target in targets.items():
            ratio = chat.get("ratios_p95_vs_rasa_nu", {}).get(label, {}).get("8")
            if ratio:
                rows.append(
                    (
                        f"ratio {label} / Rasa nu (p95, 8 utilisateurs, médiane de {chat.get('passes', 1)} passes)",
                        f"{ratio['mediane']} ({ratio['min']}–{ratio['max']})",
                        target,
                    )
                )
        for label, processes in chat.get("cpu_ms_par_tour_1_utilisateur", {}).items():
            rows.append(
                (
                    f"CPU par tour {label} (1 utilisateur, médiane des passes)",
                    " + ".join(f"{name} {ms}" for name, ms in processes.items()) + " ms",
                    "",
                )
            )
        rss = chat["rss_mo"]
        rows.append(
            (
                "RSS application repos / pic",
                f"{rss['repos']['application']} / {rss['pic_en_charge']['application']} Mo",
                "≤ 1024 Mo",
            )
        )
        rows.append(
            ("RSS Rasa repos / pic", f"{rss['repos']['rasa']} / {rss['pic_en_charge']['rasa']} Mo", "≤ 1536 Mo")
        )
        rows.append(("RSS Rasa nu (repos)", f"{rss['repos']['rasa_nu']} Mo", ""))
    if d := report.get("demarrage"):
        rows.append(("second make run → 1re réponse", f"{d['make_run_jusqu_a_la_premiere_reponse_s']} s", "≤ 60 s"))
    if "make_test" in report:
        rows.append(("durée de make test", f"{report['make_test'].get('secondes')} s", ""))
    if "cluster" in report:
        from benchmarks.cluster import summary_rows

        rows += summary_rows(report["cluster"])
    for row in rows:
        table.add_row(*row)
    console.print(table)


if __name__ == "__main__":
    main()
