"""Throughput of the webinar batch on a synthetic file of a few thousand questions.

    python -m channels.webinar.benchmark --n 2000

The questions are the sample questions rewritten with greetings, typos and word swaps, so that the file
contains both near-duplicates and distinct questions, like the chat export of a large webinar.
Models are loaded before timing (the batch normally pays ~10–30 s of start-up once). The run shows the batch's
progress bar (on stderr); the summary adds the process CPU time and the machine's load average, since wall times
are inflated when other jobs share the cores.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import tempfile
import time
from pathlib import Path

from .cli import progress_bar
from .reader import read_questions
from .run import run_batch

SAMPLE = Path(__file__).resolve().parent / "exemples" / "questions_webinaire.csv"
PREFIXES = ["", "", "Bonjour, ", "Question : ", "Petite question : ", "Merci pour le webinaire ! ", "Re: "]
SUFFIXES = ["", "", " Merci.", " Merci d'avance.", " (cabinet dans le 19e)", " Nous sommes 3 kinés.", " svp"]


def _typo(text: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(text[:-1]) if c.isalpha() and text[i + 1].isalpha()]
    if not letters:
        return text
    i = rng.choice(letters)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def synthetic_questions(n: int, seed: int = 7) -> list[str]:
    base = [q.texte for q in read_questions(SAMPLE).questions]
    rng = random.Random(seed)
    out = []
    for k in range(n):
        q = base[k % len(base)]
        q = rng.choice(PREFIXES) + q[0].lower() + q[1:] if rng.random() < 0.5 else q
        for _ in range(rng.choice([0, 0, 1, 2])):
            q = _typo(q, rng)
        out.append(q + rng.choice(SUFFIXES))
    return out


def bench_webinar(n: int = 2000) -> dict:
    """Throughput of the batch on ``n`` synthetic questions (models loaded before timing); the caller has
    configured the knowledge base."""
    from knowledge_base import answer, embed, search

    t = time.perf_counter()
    embed(["échauffement"])
    search("échauffement", k=1)
    answer("Mon cabinet est-il un ERP ?")
    warm_up = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "questions.csv"
        with src.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["question", "auteur", "email"])
            for i, q in enumerate(synthetic_questions(n)):
                w.writerow([q, f"Participant {i}", f"participant{i}@exemple.fr"])
        cpu = time.process_time()
        with progress_bar() as step:
            report = run_batch(src, Path(tmp) / "out", progress=step)
        cpu = time.process_time() - cpu
    s = report.summary()
    s.pop("rejets")
    s["chargement_modeles_s"] = round(warm_up, 1)
    s["temps_cpu_s"] = round(cpu, 1)
    s["charge_machine"] = [round(x, 2) for x in os.getloadavg()]
    return s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    print(json.dumps(bench_webinar(args.n), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
