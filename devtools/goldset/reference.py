"""The ground truth of a generated corpus as the store keeps it, and the reference computations
the gold set's expected values come from.

Every expected number is computed here in plain Python from the ground-truth JSON the corpus
generator writes next to each report, never from the database, so the evaluation checks the
whole path (parse, store, resolve, plan, SQL) against an independent reference. The rules are
the ones the reports and rag.answer.analytics state: means across sections are weighted by
responses and rounded half-up to two decimals; rankings leave out sections with fewer than 5
responses; a later report of the same section replaces an earlier one (load order: PDFs, then
XLSX files, each sorted by name)."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

OVERALL = "What is your overall rating of this instructor's teaching effectiveness?"


HOURS = "What is the average number of hours per week you devoted to this course outside of class?"


MIN_RESPONSES = 5


@dataclass
class Truth:
    """The reports the store keeps (last loaded per section wins) and their labels."""

    reports: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def q2(value: Decimal) -> float:
    """Half-up to the two decimals the reports print (Python's round() is half-even)."""
    return float(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def report_files(corpus: Path) -> list[Path]:
    """The load order the evaluation uses: a later report of the same section replaces one."""
    return sorted(corpus.glob("*.pdf")) + sorted(corpus.glob("*.xlsx"))


def load_truth(corpus: Path) -> Truth:
    sections: dict[tuple[str, str, str], dict[str, Any]] = {}
    for path in report_files(corpus):
        report = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        key = (report["course"]["code"], report["term"]["label"], report["course"]["section"])
        sections[key] = merge_truths(sections[key], report) if key in sections else report
    truth = Truth(reports=list(sections.values()))
    for report in truth.reports:
        labels_path = corpus / (Path(report["file"]).stem + ".labels.json")
        if labels_path.exists():
            data = json.loads(labels_path.read_text(encoding="utf-8"))
            truth.labels[report["file"]] = data["comments"]
    return truth


def _newer(old: Any, new: Any) -> Any:
    """The newer file's value where it prints one; a missing value never erases the other's."""
    return old if new is None else new


def merge_truths(older: dict[str, Any], newer: dict[str, Any]) -> dict[str, Any]:
    """What a reader of both files of one section knows: the PDF and its Excel export are two
    views of one truth, so questions, hours bins and comments are the union of the two, and each
    value comes from the later file where it prints one (the order `report_files` loads them)."""
    merged = dict(newer)
    course = {k: _newer(older["course"].get(k), v) for k, v in newer["course"].items()}
    merged["course"] = course
    for key in ("enrollment", "responses_incl_declines", "declines"):
        merged[key] = _newer(older.get(key), newer.get(key))
    questions = {q["text"]: dict(q) for q in older["questions"]}
    for q in newer["questions"]:
        base = questions.get(q["text"], {})
        questions[q["text"]] = {k: _newer(base.get(k), v) for k, v in q.items()}
    order = [q["text"] for q in newer["questions"]]
    order += [t for t in questions if t not in order]
    merged["questions"] = [questions[t] for t in order]
    bins: dict[str, dict[str, int]] = {}
    for f in older["frequencies"] + newer["frequencies"]:
        bins.setdefault(f["text"], {}).update(f["bins"])
    merged["frequencies"] = [{"text": t, "bins": b} for t, b in bins.items()]
    comments = {(c["prompt"], c["number"]): c for c in older["comments"]}
    comments.update({(c["prompt"], c["number"]): c for c in newer["comments"]})
    merged["comments"] = list(comments.values())
    return merged


def report_people(report: dict[str, Any]) -> list[str]:
    return [f"{p['first']} {p['last']}" for p in report["instructors"]]


def scored(reports: Iterable[dict[str, Any]], text: str) -> list[tuple[dict[str, Any], Any]]:
    """(report, question) pairs for one question with responses and a mean (as the SQL keeps)."""
    return [
        (r, q)
        for r in reports
        for q in r["questions"]
        if q["text"] == text and q["responses"] and q["course_mean"] is not None
    ]


def weighted(pairs: Sequence[tuple[dict[str, Any], Any]], column: str = "course_mean") -> float:
    total = sum(q["responses"] for _, q in pairs)
    s = sum(Decimal(str(q[column])) * q["responses"] for _, q in pairs)
    return q2(s / total)


def ranking_top(
    reports: Iterable[dict[str, Any]], text: str, entity: str, *, ascending: bool
) -> float | None:
    """The #1 value of a ranking: groups of sections with ≥ 5 responses, weighted means."""
    groups: dict[str, list[tuple[dict[str, Any], Any]]] = defaultdict(list)
    for r, q in scored(reports, text):
        if q["responses"] < MIN_RESPONSES:
            continue
        keys = report_people(r) if entity == "instructor" else [r["course"]["code"]]
        for key in keys:
            groups[key].append((r, q))
    values = [weighted(g) for g in groups.values()]
    if not values:
        return None
    return min(values) if ascending else max(values)


def hours_mean(reports: Iterable[dict[str, Any]]) -> float | None:
    s, total = Decimal(0), 0
    for r in reports:
        for f in r["frequencies"]:
            if f["text"] != HOURS:
                continue
            for b, count in f["bins"].items():
                parts = b.split("-")
                if len(parts) != 2 or not all(p.isdigit() for p in parts):
                    continue
                s += (Decimal(parts[0]) + Decimal(parts[1])) / 2 * count
                total += count
    return q2(s / total) if total else None


def distribution(reports: Iterable[dict[str, Any]], text: str) -> list[int] | None:
    """Counts per option 5..1 summed over sections that print them (XLSX/Blue)."""
    sums = [0, 0, 0, 0, 0]
    found = False
    for r in reports:
        for q in r["questions"]:
            if q["text"] == text and q["distribution"]:
                found = True
                for i, k in enumerate("54321"):
                    sums[i] += int(q["distribution"][k])
    return sums if found else None


def comparison(reports: Iterable[dict[str, Any]], text: str) -> tuple[float, ...]:
    """Course mean, and the dept and univ means over the sections that print them."""
    pairs = scored(reports, text)
    out = [weighted(pairs)]
    for column in ("dept_mean", "univ_mean"):
        with_col = [(r, q) for r, q in pairs if q[column] is not None]
        if with_col:
            out.append(weighted(with_col, column))
    return tuple(out)


def code_words(code: str, rng: random.Random) -> str:
    """Course codes as people write them: "CS5800" or "CS 5800"."""
    letters = code.rstrip("0123456789")
    return code if rng.random() < 0.5 else f"{letters} {code[len(letters) :]}"
