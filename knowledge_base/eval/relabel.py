"""Relabelling after new guide sections: list the candidates of each theme, then apply the labellers' decisions.

    python knowledge_base/eval/relabel.py candidates DIR   # DIR/mots_par_theme.yaml -> DIR/candidats_<theme>.jsonl
    python knowledge_base/eval/relabel.py apply DIR        # DIR/decisions_<theme>.jsonl -> the evaluation files

Only the `sections:` line of a question changes (and `in_scope: false` becomes `true` for an out-of-scope question a
new section answers), so comments and layout of the frozen files stay as they are. `key` is the question's `id`, or
`#n` / `hors#n` for the n-th in-scope / out-of-scope question of the guide authors' files.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

EVAL_DIR = Path(__file__).resolve().parent


def _entries(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "questions" in data:
        return [
            {
                "key": q["id"],
                "in_scope": bool(q.get("in_scope")),
                "question": q["question"],
                "previous": q.get("previous", ""),
                "sections": list(q.get("sections") or []),
            }
            for q in data["questions"]
            if "question" in q
        ]
    rows = [
        {
            "key": f"#{n}",
            "in_scope": True,
            "question": q["question"],
            "previous": q.get("previous", ""),
            "sections": list(q.get("sections") or []),
        }
        for n, q in enumerate(data.get("in_scope") or [])
    ]
    rows += [
        {
            "key": f"hors#{n}",
            "in_scope": False,
            "question": q["question"],
            "previous": q.get("previous", ""),
            "sections": [],
        }
        for n, q in enumerate(data.get("out_of_scope") or [])
    ]
    return rows


def candidates(folder: Path) -> None:
    spec = yaml.safe_load((folder / "mots_par_theme.yaml").read_text(encoding="utf-8"))
    patterns = {theme: re.compile(p, re.IGNORECASE) for theme, p in spec["mots_par_theme"].items()}
    for theme, pattern in patterns.items():
        rows = []
        for name in spec["fichiers"]:
            for e in _entries(EVAL_DIR / name):
                if pattern.search(f"{e['previous']} {e['question']}"):
                    rows.append({"file": name, **e})
        with (folder / f"candidats_{theme}.jsonl").open("w", encoding="utf-8") as out:
            for r in rows:
                out.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"{theme}: {len(rows)} candidats ({sum(not r['in_scope'] for r in rows)} hors champ)")


def _merged_decisions(folder: Path) -> dict[tuple[str, str], tuple[list[str], list[str]]]:
    """(file, key) -> (ids to put first, ids to put after); two themes adding to one question merge, first wins."""
    merged: dict[tuple[str, str], tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for path in sorted(folder.glob("decisions_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            d = json.loads(line)
            first, after = merged[(d["file"], d["key"])]
            target = first if d["position"] == "first" else after
            target.extend(s for s in d["add"] if s not in target)
    for first, after in merged.values():
        after[:] = [s for s in after if s not in first]
    return merged


def _new_labels(current: list[str], first: list[str], after: list[str]) -> list[str]:
    added_first = [s for s in first if s not in current]
    if not current:
        return added_first + [s for s in after if s not in added_first]
    moved = [s for s in first if s in current]
    rest = [s for s in current if s not in moved]
    return added_first + moved + rest + [s for s in after if s not in current and s not in added_first]


def apply(folder: Path) -> None:
    by_file: dict[str, dict[str, tuple[list[str], list[str]]]] = defaultdict(dict)
    for (name, key), value in _merged_decisions(folder).items():
        by_file[name][key] = value
    changed = became_in_scope = 0
    for name, decisions in sorted(by_file.items()):
        path = EVAL_DIR / name
        text = path.read_text(encoding="utf-8")
        lines, data = text.split("\n"), yaml.safe_load(text)
        if "questions" in data:
            lines, n, m = _apply_independent(lines, decisions)
        else:
            lines, n, m = _apply_authors(lines, data, decisions)
        changed, became_in_scope = changed + n, became_in_scope + m
        path.write_text("\n".join(lines), encoding="utf-8")
    print(f"{changed} questions changées, dont {became_in_scope} passées du hors champ au champ")


def _flow(ids: list[str]) -> str:
    return "[" + ", ".join(ids) + "]"


Decisions = dict[str, tuple[list[str], list[str]]]


def _apply_independent(lines: list[str], decisions: Decisions) -> tuple[list[str], int, int]:
    starts = [i for i, line in enumerate(lines) if line.startswith("- id: ")]
    changed = moved = 0
    # Last question first: a line inserted into a block leaves the blocks still to edit where they were.
    for start, end in reversed(list(zip(starts, [*starts[1:], len(lines)], strict=True))):
        key = lines[start][len("- id: ") :].strip()
        if key not in decisions:
            continue
        block = lines[start:end]
        sections_at = next((i for i, line in enumerate(block) if line.startswith("  sections:")), None)
        current = [] if sections_at is None else yaml.safe_load(block[sections_at].strip())["sections"] or []
        labels = _new_labels(current, *decisions[key])
        if labels == current:
            continue
        scope_at = next(i for i, line in enumerate(block) if line.startswith("  in_scope:"))
        if block[scope_at].strip() == "in_scope: false":
            block[scope_at] = "  in_scope: true"
            moved += 1
        if sections_at is None:
            block.insert(scope_at + 1, f"  sections: {_flow(labels)}")
        else:
            block[sections_at] = f"  sections: {_flow(labels)}"
        lines[start:end] = block
        changed += 1
    return lines, changed, moved


def _apply_authors(lines: list[str], data: dict[str, Any], decisions: Decisions) -> tuple[list[str], int, int]:
    """Authors' files: `- question:` items under `in_scope:` then `out_of_scope:`; an out-of-scope question a new
    section answers moves to the end of `in_scope:` with its sections."""
    top = {line.rstrip(":"): i for i, line in enumerate(lines) if line in ("in_scope:", "out_of_scope:")}
    items = [i for i, line in enumerate(lines) if line.startswith("  - question:")]
    inside = [i for i in items if i < top["out_of_scope"]]
    outside = [i for i in items if i > top["out_of_scope"]]
    changed = 0
    for n, start in enumerate(inside):
        key = f"#{n}"
        if key not in decisions:
            continue
        current = data["in_scope"][n].get("sections") or []
        labels = _new_labels(current, *decisions[key])
        if labels != current:
            at = next(i for i in range(start, len(lines)) if lines[i].startswith("    sections:"))
            lines[at] = f"    sections: {_flow(labels)}"
            changed += 1
    moving = []
    for n, start in enumerate(outside):
        key = f"hors#{n}"
        if key in decisions and (labels := _new_labels([], *decisions[key])):
            end = next(
                (
                    i
                    for i in range(start + 1, len(lines))
                    if lines[i].startswith("  - ") or not lines[i].startswith("    ")
                ),
                len(lines),
            )
            block = lines[start:end]
            block.insert(1, f"    sections: {_flow(labels)}")
            moving.append((start, end, block))
    for start, end, _ in sorted(moving, reverse=True):
        del lines[start:end]
    insert_at = top["out_of_scope"]
    while insert_at > 0 and not lines[insert_at - 1].strip():
        insert_at -= 1
    for _, _, block in moving:
        lines[insert_at:insert_at] = block
        insert_at += len(block)
    return lines, changed + len(moving), len(moving)


if __name__ == "__main__":
    command, folder = sys.argv[1], Path(sys.argv[2])
    {"candidates": candidates, "apply": apply}[command](folder)
