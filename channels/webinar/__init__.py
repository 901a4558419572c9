"""Webinar follow-up: groups the attendees' questions, answers each group once from the guide, writes the FAQ.

Public API:
    run_batch(path, out_dir, push_to_queue=False, threshold=0.75, title=None) -> BatchReport
    webinar_app                         typer app: `parismed webinar answer questions.csv --out rapport/`
    WebinarError                        expected failures, with a French message
"""

from __future__ import annotations

from .batch import BatchReport, WebinarError, run_batch
from .cli import webinar_app

__all__ = ["BatchReport", "WebinarError", "run_batch", "webinar_app"]
