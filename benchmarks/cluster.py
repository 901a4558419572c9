"""`python -m benchmarks.bench cluster`: chat turns through the scaled stack (nginx → 2 applications → 1 or 2
Rasa, PostgreSQL tracker store, Redis lock store) beside the embedded stack (one application, one Rasa),
measured in the same run; memory of every process. Benchmarks, not tests: nothing here fails on a timing."""

from __future__ import annotations

import asyncio
import shutil
import time
import uuid
from pathlib import Path

import httpx

from benchmarks.bench import CONCURRENCY, console, percentiles, rss_mb
from parismed.cli_cluster import Cluster, install
from parismed.config import get_settings
from parismed.launcher import Stack
from parismed.ports import free_port

# Fewer turns than the chat part: three set-ups are measured, on a machine other work shares.
TURNS_PER_LEVEL = {1: 20, 8: 80, 32: 128}
KINDS = ("question_reglementaire", "etape_formulaire")


async def _load(url: str, kind: str, users: int, total: int) -> dict:
    """`users` simulated users send `total` timed turns through /api/v1/chat; each user session has its own
    client address (the per-address rate limits must not throttle the benchmark)."""
    per_user = max(1, total // users)
    latencies: list[float] = []
    errors = 0

    async def post(client: httpx.AsyncClient, sender: str, address: str, text: str) -> float | None:
        nonlocal errors
        t = time.perf_counter()
        r = await client.post(url, json={"sender": sender, "message": text}, headers={"X-Forwarded-For": address})
        if r.status_code != 200 or r.json().get("degraded"):
            errors += 1
            return None
        return (time.perf_counter() - t) * 1000

    async def user(client: httpx.AsyncClient, number: int) -> None:
        for turn in range(per_user):
            sender = f"bench-{uuid.uuid4().hex[:10]}"
            address = f"10.{number}.{turn // 250}.{turn % 250 + 1}"
            if kind == "question_reglementaire":
                ms = await post(client, sender, address, "Mon cabinet est-il un ERP ?")
            else:  # one step of the eligibility form (opening the form is not timed)
                await post(client, sender, address, "Je voudrais savoir si je suis éligible à Paris Méd'")
                ms = await post(client, sender, address, "infirmier")
            if ms is not None:
                latencies.append(ms)

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=64)) as client:
        await asyncio.gather(*(user(client, n) for n in range(users)))
    wall = time.perf_counter() - started
    turns = len(latencies) * (2 if kind == "etape_formulaire" else 1)
    return {**percentiles(latencies), "tours_par_s": round(turns / wall, 2), "erreurs": errors}


def _measure(label: str, url: str, pids: dict[str, int], results: dict) -> None:
    peaks = {name: 0.0 for name in pids}

    async def sampler(done: asyncio.Event) -> None:
        while not done.is_set():
            for name, pid in pids.items():
                try:
                    peaks[name] = max(peaks[name], rss_mb(pid))
                except ProcessLookupError:
                    pass
            await asyncio.sleep(0.5)

    async def run() -> None:
        for kind in KINDS:
            await _load(url, kind, 1, 3)  # warm-up
        for users in CONCURRENCY:
            for kind in KINDS:
                done = asyncio.Event()
                task = asyncio.create_task(sampler(done))
                figures = await _load(url, kind, users, TURNS_PER_LEVEL[users])
                done.set()
                await task
                results.setdefault(label, {}).setdefault(kind, {})[str(users)] = figures
                console.print(f"  {label:<22} {kind:<24} {users:>2} utilisateurs : {figures}")

    asyncio.run(run())
    results.setdefault("rss_pic_mo", {})[label] = peaks


def _copy_models(var_dir: Path) -> None:
    settings = get_settings()
    for name in ("index", "models"):
        if (settings.var_dir / name).exists():
            shutil.copytree(settings.var_dir / name, var_dir / name, dirs_exist_ok=True)


def bench_cluster(var_dir: Path) -> dict:
    """Embedded stack first, then the cluster with 2 Rasa instances, then with rasa-2 stopped (1 Rasa)."""
    install()
    var_dir.chmod(0o711)  # PostgreSQL runs as its own user and must reach its data folder
    results: dict = {"tours": {}}
    embedded_dir, cluster_dir = var_dir / "embarque", var_dir / "reparti"
    for folder in (embedded_dir, cluster_dir):
        folder.mkdir()
        folder.chmod(0o711)
        _copy_models(folder)

    stack = Stack(app_port=free_port(), rasa_port=free_port(), var_dir=embedded_dir)
    try:
        stack.start(timeout=300)
        pids = {"application": stack.processes["app"].pid, "rasa": stack.processes["rasa"].pid}
        results["rss_repos_mo"] = {"embarque": {name: rss_mb(pid) for name, pid in pids.items()}}
        _measure("embarque", f"{stack.app_url}/api/v1/chat", pids, results["tours"])
    finally:
        stack.stop()

    cluster = Cluster(
        app_port=0, rasa_port=0, var_dir=cluster_dir
    )  # ports chosen at start, outside the ephemeral range
    try:
        started = time.perf_counter()
        cluster.start(timeout=420)
        results["pile_repartie_prete_s"] = round(time.perf_counter() - started, 1)
        pids = {name: proc.pid for name, proc in cluster.processes.items()}
        results["rss_repos_mo"]["reparti"] = {name: rss_mb(pid) for name, pid in pids.items()}
        url = f"{cluster.public_url}/api/v1/chat"
        _measure("nginx_2_apps_2_rasa", url, pids, results["tours"])
        cluster.stop_service("rasa-2")
        del pids["rasa-2"]
        _measure("nginx_2_apps_1_rasa", url, pids, results["tours"])
    finally:
        cluster.stop()
    return results


def summary_rows(report: dict) -> list[tuple[str, str, str]]:
    rows = []
    for label, kinds in report.get("tours", {}).items():
        if label == "rss_pic_mo":
            continue
        for kind, levels in kinds.items():
            rows.append(
                (
                    f"{label} {kind} p50/p95 (tours/s) à 1 · 8 · 32",
                    " · ".join(
                        f"{levels[str(u)]['p50_ms']}/{levels[str(u)]['p95_ms']} ({levels[str(u)]['tours_par_s']})"
                        for u in CONCURRENCY
                        if str(u) in levels and "p50_ms" in levels[str(u)]
                    ),
                    "",
                )
            )
    return rows
