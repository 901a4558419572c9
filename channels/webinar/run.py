"""One webinar run: process the file (`batch`), send the groups to the staff queue (`push`, optional), write
the outputs (`output`). The only module that composes the three."""

from __future__ import annotations

import time
from pathlib import Path

from request_store import Store, get_store

from .batch import Progress, WebinarError, no_progress, process
from .grouping import GroupingParams
from .models import BatchReport
from .output import write_all
from .push import file_digest, push_groups


def run_batch(
    path: Path,
    out_dir: Path,
    *,
    push_to_queue: bool = False,
    store: Store | None = None,
    params: GroupingParams | None = None,
    title: str | None = None,
    progress: Progress = no_progress,
) -> BatchReport:
    """Answers the questions of ``path`` and writes faq.html, faq.md, faq.csv, non_couvertes.csv,
    questions.csv, logistique.csv and rapport.json in ``out_dir``. With ``push_to_queue``, one staff request per
    group in ``store`` (default: the store configured by the composition root); a second run creates nothing."""
    path, out_dir = Path(path), Path(out_dir)
    report = process(path, params=params, progress=progress)
    if push_to_queue:
        t = time.perf_counter()
        push_groups(
            report,
            file_digest(path.read_bytes()),
            store or get_store(),
            progress("Envoi dans la console", len(report.groups)),
        )
        report.timings["console"] = time.perf_counter() - t
        report.seconds += report.timings["console"]
    t = time.perf_counter()
    report.files = write_all(report, out_dir, title=title)
    report.timings["ecriture"] = time.perf_counter() - t
    return report


__all__ = ["WebinarError", "run_batch"]
