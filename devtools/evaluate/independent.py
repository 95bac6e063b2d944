"""The independent evaluation set (tests/data/independent), asked end to end and scored.

The set was written by someone who never read this code: 57 parsed reports, 426 questions with
an intent and an expected answer (`expect`). Reports are stored as parsed (ingestion.store), so
the parser is not what is measured. Every question goes through `Asker.ask` with the extractive
answerer, a follow-up's turns in one conversation; only the last turn is scored.

How an answer is judged: devtools.evaluate.judge.

Instructors: the store keeps one person per name and subject until an admin merges them; the set
states that each name is one person, so the loader merges same-name instructors as an admin would.

Overfitting guard: questions with an odd numeric id are DEV, even ids are TEST. Only DEV failures
are listed; TEST failures are counted."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from cli.wiring import model_in_service
from core.db import Conn, connect, scratch_database
from core.report import ParsedReport
from core.settings import Settings
from devtools.evaluate.judge import NUMERIC_TYPES, Outcome, Question, load_questions, outcomes, q2
from devtools.independent import INDEPENDENT_DIR
from evaluation.ask import ask_turns, describe_answer
from evaluation.labelled import stored_keys
from evaluation.loading import index_stored, store_parsed
from evaluation.metrics import mark
from ingestion.identity import merge_instructors
from rag.answer.answers import Answer
from rag.answer.ask import Asker

DEFAULT_DIR = INDEPENDENT_DIR


PRINCIPAL = "eval-independent"


SPLITS = ("dev", "test", "all")


TARGETS = {"numeric_exact": 0.98, "open_answered": 0.95, "declines": 0.95}


MAX_FAILURES = 40


def store_corpus(conn: Conn, directory: Path) -> int:
    """Store every parsed report of corpus/ as the worker would after parsing; returns how many."""
    files = sorted((directory / "corpus").glob("*.json"))
    for path in files:
        parsed = ParsedReport.model_validate_json(path.read_text(encoding="utf-8"))
        store_parsed(
            conn,
            parsed,
            filename=path.name,
            sha256=parsed.sha256,
            media_type="application/json",
            size_bytes=path.stat().st_size,
            processed=True,
        )
    conn.commit()
    merge_same_names(conn)
    return len(files)


def merge_same_names(conn: Conn) -> int:
    """Merge instructors of the same name, as an admin would for this set.

    The store keeps one person per name and subject until an admin merges them
    (ingestion.identity); the set's README states that each name is one person, several of
    whom teach in two subjects. Returns how many merges were made.
    """
    rows = conn.execute(
        "SELECT array_agg(id ORDER BY id) AS ids FROM instructors"
        " GROUP BY last_name, first_name HAVING count(*) > 1"
    ).fetchall()
    merged = 0
    for row in rows:
        keep, *drops = row["ids"]
        for drop in drops:
            merge_instructors(conn, keep=keep, drop=drop, principal=PRINCIPAL)
            merged += 1
    conn.commit()
    return merged


def ask_all(conn: Conn, asker: Asker, questions: list[Question]) -> list[tuple[Question, Answer]]:
    return [(q, ask_turns(conn, asker, q.turns, principal=PRINCIPAL)) for q in questions]


def _rate(items: list[Outcome]) -> tuple[int, int]:
    return sum(o.passed for o in items), len(items)


def split_metrics(items: list[Outcome]) -> dict[str, float]:
    """The headline figures of one split (DEV, TEST or all)."""

    def share(selected: list[Outcome]) -> float:
        done, total = _rate(selected)
        return done / total if total else float("nan")

    numeric = [o for o in items if o.question.expect["type"] in NUMERIC_TYPES]
    singles = [o for o in items if o.question.expect["type"] == "number"]
    leading = [
        o.answer.route != "unanswerable"
        and bool(o.answer.facts)
        and q2(o.answer.facts[0].value) == q2(o.question.expect["value"])
        for o in singles
    ]
    answerable = [o for o in items if o.question.expect["type"] != "decline"]
    declined = [o for o in answerable if o.answer.route == "unanswerable"]
    precisions = [o.precision for o in items if o.precision is not None]
    qualitative = [o for o in items if o.question.expect["type"] == "qualitative"]
    return {
        "numeric_exact": share(numeric),
        "numeric_questions": float(len(numeric)),
        "number_lead_exact": sum(leading) / len(leading) if leading else float("nan"),
        "open_answered": share([o for o in items if o.question.expect["type"] == "open"]),
        "declines": share([o for o in items if o.question.expect["type"] == "decline"]),
        "answerable_declined": float(len(declined)),
        "answerable_questions": float(len(answerable)),
        "qualitative_answered": share(qualitative),
        "citation_precision": (sum(precisions) / len(qualitative) if qualitative else float("nan")),
        "overall": share(items),
    }


def in_split(items: list[Outcome], split: str) -> list[Outcome]:
    return [o for o in items if split == "all" or o.question.split == split]


def describe_failure(outcome: Outcome) -> str:
    q = outcome.question
    expect = {k: v for k, v in q.expect.items() if k not in ("relevant", "what", "scope")}
    turns = " / ".join(q.turns)
    got = describe_answer(outcome.answer, facts=5, chars=160)
    return f"{q.id} [{q.intent}] {turns!r} want {json.dumps(expect)} got {got}"


@dataclass
class IndependentResult:
    reports: int
    questions: int
    by_split: dict[str, dict[str, float]]
    by_intent: dict[str, dict[str, tuple[int, int]]]
    by_type: dict[str, dict[str, tuple[int, int]]]
    dev_failures: list[str]
    test_failures: int
    seconds: dict[str, float]


def summarise(
    items: list[Outcome], *, reports: int, seconds: dict[str, float]
) -> IndependentResult:
    intents = list(dict.fromkeys(o.question.intent for o in items))
    types = list(dict.fromkeys(o.question.expect["type"] for o in items))
    by_intent = {
        intent: {
            split: _rate([o for o in in_split(items, split) if o.question.intent == intent])
            for split in SPLITS
        }
        for intent in intents
    }
    by_type = {
        kind: {
            split: _rate([o for o in in_split(items, split) if o.question.expect["type"] == kind])
            for split in SPLITS
        }
        for kind in types
    }
    dev_failed = [o for o in in_split(items, "dev") if not o.passed]
    return IndependentResult(
        reports=reports,
        questions=len(items),
        by_split={split: split_metrics(in_split(items, split)) for split in SPLITS},
        by_intent=by_intent,
        by_type=by_type,
        dev_failures=[describe_failure(o) for o in dev_failed],
        test_failures=sum(1 for o in in_split(items, "test") if not o.passed),
        seconds=seconds,
    )


def run_independent_eval(
    settings: Settings, *, directory: Path = DEFAULT_DIR, split: str = "all"
) -> IndependentResult:
    """Store the set's reports in a scratch database, embed and tag them, ask every question of
    the split ("dev", "test" or "all": tuning looks at DEV only, so DEV asks no TEST question)."""
    if not (directory / "questions.jsonl").exists():
        raise FileNotFoundError(f"no independent evaluation set at {directory}")
    seconds: dict[str, float] = {}
    with scratch_database("tl-eval-indep-") as (root, db):
        settings = settings.with_database(db.url, state_dir=root / "state", embedding_space=None)
        with connect(db.url) as conn:
            t = time.perf_counter()
            reports = store_corpus(conn, directory)
            searcher = index_stored(
                conn,
                embedder=model_in_service(settings).embedder,
                text_mode=settings.embedding_text,
                batch_size=settings.embedding_batch_size,
            )
            seconds["load"] = time.perf_counter() - t
            asker = Asker(settings=settings, searcher=searcher, chat_model=None)
            questions = [q for q in load_questions(directory) if split in ("all", q.split)]
            t = time.perf_counter()
            results = ask_all(conn, asker, questions)
            seconds["ask"] = time.perf_counter() - t
            keys = stored_keys(conn)
    return summarise(outcomes(results, keys), reports=reports, seconds=seconds)


def _pct(done_total: tuple[int, int]) -> str:
    done, total = done_total
    return f"{done:>3}/{total:<3} {done / total:6.1%}" if total else "      -       "


def format_independent(
    result: IndependentResult, *, max_failures: int = MAX_FAILURES, split: str = "all"
) -> str:
    """The figures of the split asked ("all": DEV, TEST and all side by side)."""
    s = result.by_split
    shown = SPLITS if split == "all" else (split,)
    lines = [
        f"independent set: {result.questions} questions over {result.reports} reports"
        " (DEV = odd ids, TEST = even ids)",
        f"  {'':28}" + "".join(f"{x.upper() if x != 'all' else x:>16}" for x in shown),
    ]

    def row(name: str, key: str, fmt: str = "{:.3f}") -> str:
        cells = "".join(f"{fmt.format(s[x][key]):>16}" for x in shown)
        return f"  {name:28}{cells}"

    lines += [
        row("numeric exact", "numeric_exact"),
        row("  numeric questions", "numeric_questions", "{:.0f}"),
        row("  single numbers: lead fact", "number_lead_exact"),
        row("open answered", "open_answered"),
        row("declines (unanswerable)", "declines"),
        row("answerable declined", "answerable_declined", "{:.0f}"),
        row("qualitative answered", "qualitative_answered"),
        row("citation precision", "citation_precision"),
        row("all questions passed", "overall"),
    ]
    if "test" in shown:
        lines.append(
            f"  targets on TEST: numeric exact >= {TARGETS['numeric_exact']:.2f}"
            f" ({mark(s['test']['numeric_exact'], TARGETS['numeric_exact'])}),"
            f" open answered >= {TARGETS['open_answered']:.2f}"
            f" ({mark(s['test']['open_answered'], TARGETS['open_answered'])}),"
            f" declines >= {TARGETS['declines']:.2f}"
            f" ({mark(s['test']['declines'], TARGETS['declines'])}) with"
            f" {s['test']['answerable_declined']:.0f} answerable declined"
        )
    lines.append("  by intent (passed/total):")
    for intent, cells in result.by_intent.items():
        lines.append(f"    {intent:26}" + "".join(f"{_pct(cells[x]):>16}" for x in shown))
    lines.append("  by expected answer type:")
    for kind, cells in result.by_type.items():
        lines.append(f"    {kind:26}" + "".join(f"{_pct(cells[x]):>16}" for x in shown))
    lines.append("  seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items()))
    listed = result.dev_failures[:max_failures]
    lines.append(
        f"  DEV failures: {len(result.dev_failures)}"
        + (f" (first {len(listed)})" if len(listed) < len(result.dev_failures) else "")
        + (
            f"; TEST failures: {result.test_failures} (counted, not listed)"
            if "test" in shown
            else ""
        )
    )
    lines += [f"    - {f}" for f in listed]
    return "\n".join(lines)


def intent_counts(result: IndependentResult) -> dict[str, int]:
    return {intent: cells["all"][1] for intent, cells in result.by_intent.items()}


def type_counts(items: list[Question]) -> dict[str, int]:
    return dict(Counter(q.expect["type"] for q in items))
