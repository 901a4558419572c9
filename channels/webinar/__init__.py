"""Webinar follow-up: sets chatter aside, groups the attendees' questions, answers each group once from the
guide, writes the FAQ and the organisers' report.

Public API:
    run_batch(path, out_dir, push_to_queue=False, params=None, title=None) -> BatchReport
    webinar_app                         typer app: `parismed webinar answer questions.csv --out rapport/`
    WebinarError                        expected failures, with a French message
    evaluate_grouping(split) -> dict    pairwise precision/recall/F1 on the labelled set (`make eval`)
"""

from __future__ import annotations

from .batch import WebinarError
from .cli import webinar_app
from .evaluation import evaluate_grouping
from .models import BatchReport
from .run import run_batch

__all__ = ["BatchReport", "WebinarError", "evaluate_grouping", "run_batch", "webinar_app"]
