"""The independent evaluation set (tests/data/independent), asked end to end and scored.

The set was written by someone who never read this code: 57 parsed reports, 426 questions with
an intent and an expected answer (`expect`). Reports are stored as parsed (ingestion.store), so
the parser is not what is measured. Every question goes through `Asker.ask` with the extractive
answerer, a follow-up's turns in one conversation; only the last turn is scored.

How an answer is judged, by the type of its `expect`:
  number    some fact's value, rounded half-up to 2 decimals, equals the expected value (the set
            rounds its reference numbers the same way); a fact's N does not count. Stricter, and
            printed too: the answer's first (lead) fact is that value.
  numbers   every expected value is some fact's value (compared as for `number`).
  ranking   the fact labelled #1 names the expected instructor (first and last name) or course
            code, and its value equals the expected value.
  open      not declined, and every number under `must_mention` is some fact's value or N, and
            every name under it (a ranking's `top`) appears in some fact's label.
  decline   the route is "unanswerable".
  qualitative  answered with quoted comments (route "qualitative", or "mixed": ratings and
            comments); citation precision = cited comments the set lists as relevant / cited.
A question of any other type that is answered "unanswerable" is a false decline.

Instructors: the store keeps one person per name and subject until an admin merges them; the set
states that each name is one person, so the loader merges same-name instructors as an admin would.

Overfitting guard: questions with an odd numeric id are DEV, even ids are TEST. Only DEV failures
are listed; TEST failures are counted.
"""

from __future__ import annotations

import json
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from core.db import Conn, connect, scratch_database
from core.report import ParsedReport
from core.settings import Settings
from evaluation.labelled import CommentKey
from ingestion.queue import PostgresQueue
from ingestion.reports import create_report
from ingestion.store import store_report
from rag.answer.answers import Answer
from rag.answer.ask import Asker
from rag.eval_ask import comment_keys, index_corpus

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "tests" / "data" / "independent"
PRINCIPAL = "eval-independent"
NUMERIC_TYPES = frozenset({"number", "numbers", "ranking"})
SPLITS = ("dev", "test", "all")
TARGETS = {"numeric_exact": 0.98, "open_answered": 0.95, "declines": 0.95}
MAX_FAILURES = 40


@dataclass(frozen=True)
class Question:
    id: str
    intent: str
    turns: tuple[str, ...]
    expect: dict[str, Any]

    @property
    def split(self) -> str:
        return "dev" if int("".join(c for c in self.id if c.isdigit())) % 2 else "test"


@dataclass(frozen=True)
class Outcome:
    question: Question
    answer: Answer
    passed: bool
    precision: float | None = None


def load_questions(directory: Path) -> list[Question]:
    rows = (json.loads(line) for line in (directory / "questions.jsonl").open(encoding="utf-8"))
    return [Question(r["id"], r["intent"], tuple(r["turns"]), r["expect"]) for r in rows]


def store_corpus(conn: Conn, directory: Path) -> int:
    """Store every parsed report of corpus/ as the worker would after parsing; returns how many."""
    files = sorted((directory / "corpus").glob("*.json"))
    for path in files:
        parsed = ParsedReport.model_validate_json(path.read_text(encoding="utf-8"))
        created = create_report(
            conn,
            queue=PostgresQueue(),
            sha256=parsed.sha256,
            filename=path.name,
            media_type="application/json",
            size_bytes=path.stat().st_size,
        )
        with conn.transaction():
            store_report(conn, report_id=created.report["id"], parsed=parsed)
            conn.execute(  # what the worker records once a report is stored
                "UPDATE reports SET status = 'processed', layout = %s WHERE id = %s",
                (parsed.layout, created.report["id"]),
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
    from ingestion.identity import merge_instructors

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


def q2(value: Any) -> Decimal | None:
    """Half-up to 2 decimals, as the set rounds; None for what is not a number."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return number.quantize(Decimal("0.01"), ROUND_HALF_UP)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fact_values(answer: Answer, *, with_n: bool = False) -> set[Decimal]:
    out = {v for f in answer.facts if (v := q2(f.value)) is not None}
    if with_n:
        out |= {v for f in answer.facts if (v := q2(f.n)) is not None}
    return out


def _numbers(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "top":
                yield from _numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers(item)
    elif not isinstance(value, str):
        yield value


def _names(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "top" and isinstance(item, str):
                yield item
            else:
                yield from _names(item)


def names_entity(label: str, entity: str) -> bool:
    """ "Last, First" (an instructor) or a course code, written in the label."""
    label = _fold(label)
    if "," in entity:
        last, first = (_fold(p.strip()) for p in entity.split(",", 1))
        return last in label and first in label
    return _fold(entity) in label.replace(" ", "")


def judge(question: Question, answer: Answer) -> bool:
    expect = question.expect
    kind = expect["type"]
    if kind == "decline":
        return answer.route == "unanswerable"
    if answer.route == "unanswerable":
        return False
    if kind == "number":
        return q2(expect["value"]) in fact_values(answer)
    if kind == "numbers":
        have = fact_values(answer)
        return all(q2(v) in have for v in _numbers(expect["values"]))
    if kind == "ranking":
        first = [f for f in answer.facts if f.label.startswith("#1 ")]
        return any(
            names_entity(f.label, expect["top"]) and q2(f.value) == q2(expect["value"])
            for f in first
        )
    if kind == "open":
        have = fact_values(answer, with_n=True)
        labels = " ".join(f.label for f in answer.facts)
        return all(q2(v) in have for v in _numbers(expect["must_mention"])) and all(
            names_entity(labels, name) for name in _names(expect["must_mention"])
        )
    if kind == "qualitative":
        return answer.route in ("qualitative", "mixed") and bool(answer.citations)
    raise ValueError(f"unknown expect type {kind!r} in {question.id}")


def _precision(answer: Answer, relevant: set[CommentKey], keys: dict[int, CommentKey]) -> float:
    cited = [keys.get(q.citation.comment_id) for q in answer.citations]
    return sum(1 for k in cited if k in relevant) / len(cited) if cited else 0.0


def _relevant(question: Question) -> set[CommentKey]:
    return {(r["file"], r["prompt"], int(r["number"])) for r in question.expect.get("relevant", [])}


def ask_all(conn: Conn, asker: Asker, questions: list[Question]) -> list[tuple[Question, Answer]]:
    out = []
    for question in questions:
        conversation: str | None = None
        answer: Answer | None = None
        for turn in question.turns:
            answer = asker.ask(
                conn, question=turn, principal=PRINCIPAL, conversation_id=conversation
            )
            conversation = answer.conversation_id
        conn.commit()
        assert answer is not None
        out.append((question, answer))
    return out


def outcomes(results: list[tuple[Question, Answer]], keys: dict[int, CommentKey]) -> list[Outcome]:
    out = []
    for question, answer in results:
        passed = judge(question, answer)
        precision = None
        if question.expect["type"] == "qualitative" and answer.route in ("qualitative", "mixed"):
            precision = _precision(answer, _relevant(question), keys)
        out.append(Outcome(question, answer, passed, precision))
    return out


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


def _short(answer: Answer) -> str:
    facts = "; ".join(f"{f.label}={f.value}" for f in answer.facts[:5])
    return f"route={answer.route} facts=[{facts}] answer={answer.answer[:160]!r}"


def describe_failure(outcome: Outcome) -> str:
    q = outcome.question
    expect = {k: v for k, v in q.expect.items() if k not in ("relevant", "what", "scope")}
    turns = " / ".join(q.turns)
    return f"{q.id} [{q.intent}] {turns!r} want {json.dumps(expect)} got {_short(outcome.answer)}"


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


def run_independent_eval(settings: Settings, *, directory: Path = DEFAULT_DIR) -> IndependentResult:
    """Store the set's reports in a scratch database, embed and tag them, ask every question."""
    if not (directory / "questions.jsonl").exists():
        raise FileNotFoundError(f"no independent evaluation set at {directory}")
    seconds: dict[str, float] = {}
    with scratch_database("tl-eval-indep-") as (root, db):
        settings = settings.model_copy(
            update={"database_url": db.url, "state_dir": root / "state", "embedding_space": None}
        )
        with connect(db.url) as conn:
            t = time.perf_counter()
            reports = store_corpus(conn, directory)
            searcher = index_corpus(conn, settings=settings)
            seconds["load"] = time.perf_counter() - t
            asker = Asker(settings=settings, searcher=searcher, chat_model=None)
            questions = load_questions(directory)
            t = time.perf_counter()
            results = ask_all(conn, asker, questions)
            seconds["ask"] = time.perf_counter() - t
            keys = comment_keys(conn)
    return summarise(outcomes(results, keys), reports=reports, seconds=seconds)


def _pct(done_total: tuple[int, int]) -> str:
    done, total = done_total
    return f"{done:>3}/{total:<3} {done / total:6.1%}" if total else "      -       "


def _mark(value: float, target: float) -> str:
    return "ok" if value >= target else "BELOW TARGET"


def format_independent(result: IndependentResult, *, max_failures: int = MAX_FAILURES) -> str:
    s = result.by_split
    lines = [
        f"independent set: {result.questions} questions over {result.reports} reports"
        " (DEV = odd ids, TEST = even ids)",
        f"  {'':28}{'DEV':>16}{'TEST':>16}{'all':>16}",
    ]

    def row(name: str, key: str, fmt: str = "{:.3f}") -> str:
        cells = "".join(f"{fmt.format(s[split][key]):>16}" for split in SPLITS)
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
        f"  targets on TEST: numeric exact >= {TARGETS['numeric_exact']:.2f}"
        f" ({_mark(s['test']['numeric_exact'], TARGETS['numeric_exact'])}),"
        f" open answered >= {TARGETS['open_answered']:.2f}"
        f" ({_mark(s['test']['open_answered'], TARGETS['open_answered'])}),"
        f" declines >= {TARGETS['declines']:.2f}"
        f" ({_mark(s['test']['declines'], TARGETS['declines'])}) with"
        f" {s['test']['answerable_declined']:.0f} answerable declined",
        "  by intent (passed/total):",
    ]
    for intent, cells in result.by_intent.items():
        lines.append(f"    {intent:26}" + "".join(f"{_pct(cells[x]):>16}" for x in SPLITS))
    lines.append("  by expected answer type:")
    for kind, cells in result.by_type.items():
        lines.append(f"    {kind:26}" + "".join(f"{_pct(cells[x]):>16}" for x in SPLITS))
    lines.append("  seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items()))
    shown = result.dev_failures[:max_failures]
    lines.append(
        f"  DEV failures: {len(result.dev_failures)}"
        + (f" (first {len(shown)})" if len(shown) < len(result.dev_failures) else "")
        + f"; TEST failures: {result.test_failures} (counted, not listed)"
    )
    lines += [f"    - {f}" for f in shown]
    return "\n".join(lines)


def intent_counts(result: IndependentResult) -> dict[str, int]:
    return {intent: cells["all"][1] for intent, cells in result.by_intent.items()}


def type_counts(items: list[Question]) -> dict[str, int]:
    return dict(Counter(q.expect["type"] for q in items))
