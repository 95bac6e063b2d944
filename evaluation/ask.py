"""Answer evaluation: gold questions asked end to end and scored against what a correct answer
must contain. Exactness is judged on the answer's facts, not its prose.

Metric definitions (printed with the figures):
  numeric exact   share of numeric questions (ranking, average, comparison, trend, count,
                  distribution, hours, follow-ups) answered on the quantitative route where every
                  expected value equals some fact's value (to 1e-9; expected values are half-up
                  two-decimal reference numbers), and, for rankings, the fact labelled #1 holds
                  the expected top value.
  route accuracy  share of all questions whose route is the expected one.
  citation P/R    per qualitative question answered qualitatively: precision = cited comments
                  labelled with the asked theme (within the scope) / cited; recall = those / min(
                  relevant, k); macro-averaged over questions.
  theme count     the asked theme's count (scaled by total/of when the scope was sampled)
                  against the labelled count in scope: mean relative error and share within 20%.
  refusals        share of unanswerable questions answered on route "unanswerable"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

from core.db import Conn
from evaluation.labelled import CommentKey
from evaluation.metrics import mark
from rag.answer.answers import Answer
from rag.answer.ask import Asker

Kind = Literal[
    "ranking",
    "average",
    "comparison",
    "trend",
    "count",
    "distribution",
    "hours",
    "qualitative",
    "followup",
    "unanswerable",
]


KINDS: tuple[Kind, ...] = get_args(Kind)


@dataclass(frozen=True)
class GoldItem:
    """One question with what a correct answer must contain.

    `expected` values must each appear as a fact value; `top` (rankings) must be the value of
    the fact ranked #1. Qualitative items carry the relevant comment keys and the labelled count
    of the asked theme within the scope. `previous` questions are asked first in the same
    conversation (follow-ups); only the last question is scored.
    """

    id: str
    kind: Kind
    question: str
    route: Literal["quantitative", "qualitative", "unanswerable"]
    expected: tuple[float, ...] = ()
    top: float | None = None
    previous: tuple[str, ...] = ()
    theme: str | None = None
    relevant: frozenset[CommentKey] = frozenset()
    theme_count: int | None = None
    scope_comments: int | None = None
    scope: tuple[tuple[str, str], ...] = ()
    """What the question covers (course, term, year, instructor), for debugging and re-checks."""
    metric: str | None = None
    """The report question text the expected values were computed from."""


def coverage(items: Sequence[GoldItem]) -> dict[str, int]:
    """Questions per kind, in the order of KINDS."""
    return {k: sum(1 for i in items if i.kind == k) for k in KINDS}


NUMERIC_KINDS = frozenset(
    {"ranking", "average", "comparison", "trend", "count", "distribution", "hours", "followup"}
)


TARGETS = {"numeric_exact": 0.98, "citation_precision": 0.9, "refusals": 0.95}


QUOTES_K = 5
"""Quotes the qualitative route returns (rag.answer.ask passes k=5): recall is capped by it."""


PRINCIPAL = "eval-ask"


MAX_FAILURES = 10


@dataclass
class AskEvalResult:
    reports: int
    questions: int
    coverage: dict[str, int]
    metrics: dict[str, float]
    per_kind: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    failure_count: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _values(answer: Answer) -> list[float]:
    out = []
    for fact in answer.facts:
        if isinstance(fact.value, (int, float)) and not isinstance(fact.value, bool):
            out.append(float(fact.value))
    return out


def numeric_exact(item: GoldItem, answer: Answer) -> bool:
    """Every expected value is some fact's value; a ranking's #1 fact holds the top value."""
    if answer.route != "quantitative":
        return False
    values = _values(answer)
    if not all(any(abs(v - e) < 1e-9 for v in values) for e in item.expected):
        return False
    if item.top is not None:
        first = [f for f in answer.facts if f.label.startswith("#1 ")]
        return bool(first) and any(abs(float(f.value) - item.top) < 1e-9 for f in first)
    return True


def _theme_estimate(item: GoldItem, answer: Answer) -> float:
    scope = answer.plan.get("scope", {}) if isinstance(answer.plan, dict) else {}
    for theme in answer.themes:
        if theme.name == item.theme:
            total = int(scope.get("comments") or theme.of)
            return theme.count * total / theme.of if theme.of else 0.0
    return 0.0


def describe_answer(answer: Answer, *, facts: int = 4, chars: int = 120) -> str:
    """An answer in one line for a failure list: its route, first facts and first words."""
    shown = "; ".join(f"{f.label}={f.value}" for f in answer.facts[:facts])
    return f"route={answer.route} facts=[{shown}] answer={answer.answer[:chars]!r}"


def score(
    results: list[tuple[GoldItem, Answer]], keys: dict[int, CommentKey]
) -> tuple[dict[str, float], dict[str, float], list[str]]:
    """(headline metrics, numeric exactness per kind, failure descriptions)."""
    failures: list[str] = []
    numeric = [(i, a) for i, a in results if i.kind in NUMERIC_KINDS]
    exact = {i.id: numeric_exact(i, a) for i, a in numeric}
    for item, answer in numeric:
        if not exact[item.id]:
            want = f"top={item.top}" if item.top is not None else f"expected={item.expected}"
            failures.append(f"[{item.kind}] {item.question!r} {want} got {describe_answer(answer)}")
    per_kind: dict[str, float] = {}
    for kind in sorted({i.kind for i, _ in numeric}):
        got = [exact[i.id] for i, _ in numeric if i.kind == kind]
        per_kind[kind] = sum(got) / len(got)

    precisions, recalls, errors = [], [], []
    qualitative = [(i, a) for i, a in results if i.kind == "qualitative"]
    for item, answer in qualitative:
        if answer.route != "qualitative":
            failures.append(f"[qualitative] {item.question!r} got {describe_answer(answer)}")
            precisions.append(0.0)
            recalls.append(0.0)
            errors.append(1.0)
            continue
        cited = [keys.get(q.citation.comment_id) for q in answer.citations]
        hits = sum(1 for k in cited if k in item.relevant)
        precision = hits / len(cited) if cited else 0.0
        precisions.append(precision)
        recalls.append(hits / min(len(item.relevant), QUOTES_K) if item.relevant else 0.0)
        estimate = _theme_estimate(item, answer)
        labelled = item.theme_count or 0
        errors.append(abs(estimate - labelled) / labelled if labelled else 0.0)
        asked = answer.plan.get("theme")
        if precision < 0.9 or asked != item.theme:
            failures.append(
                f"[qualitative] {item.question!r} theme={item.theme} asked_as={asked}"
                f" precision={precision:.2f} count={estimate:.0f} vs labelled {labelled}"
            )

    refusals = [(i, a) for i, a in results if i.kind == "unanswerable"]
    for item, answer in refusals:
        if answer.route != "unanswerable":
            failures.append(f"[unanswerable] {item.question!r} got {describe_answer(answer)}")

    def mean(xs: list[float]) -> float:
        return sum(xs) / len(xs) if xs else float("nan")

    metrics = {
        "numeric_exact": mean([float(v) for v in exact.values()]),
        "numeric_questions": float(len(numeric)),
        "route_accuracy": mean([float(a.route == i.route) for i, a in results]),
        "citation_precision": mean(precisions),
        "citation_recall": mean(recalls),
        "qualitative_questions": float(len(qualitative)),
        "theme_count_mre": mean(errors),
        "theme_count_within_20pct": mean([float(e <= 0.2) for e in errors]),
        "refusals": mean([float(a.route == "unanswerable") for _, a in refusals]),
        "unanswerable_questions": float(len(refusals)),
    }
    return metrics, per_kind, failures


def ask_turns(conn: Conn, asker: Asker, turns: Sequence[str], *, principal: str) -> Answer:
    """Ask the turns in one conversation (a follow-up after its openers); the last answer."""
    conversation: str | None = None
    answer: Answer | None = None
    for turn in turns:
        answer = asker.ask(conn, question=turn, principal=principal, conversation_id=conversation)
        conversation = answer.conversation_id
    conn.commit()
    if answer is None:
        raise ValueError("a question needs at least one turn")
    return answer


def ask_all(conn: Conn, asker: Asker, items: list[GoldItem]) -> list[tuple[GoldItem, Answer]]:
    """Each gold question through Asker.ask; a follow-up's openers share its conversation."""
    turns = ((*item.previous, item.question) for item in items)
    return [
        (item, ask_turns(conn, asker, t, principal=PRINCIPAL))
        for item, t in zip(items, turns, strict=True)
    ]


def format_ask_eval(result: AskEvalResult) -> str:
    m = result.metrics
    kinds = ", ".join(f"{k} {v}" for k, v in result.coverage.items())
    lines = [
        f"ask evaluation: {result.questions} gold questions over {result.reports} reports",
        f"  coverage: {kinds}",
        f"  numeric exact      {m['numeric_exact']:.3f}  of {m['numeric_questions']:.0f}"
        f"  (target >= {TARGETS['numeric_exact']:.2f}: "
        f"{mark(m['numeric_exact'], TARGETS['numeric_exact'])})",
        "    by kind: " + ", ".join(f"{k} {v:.2f}" for k, v in result.per_kind.items()),
        f"  route accuracy     {m['route_accuracy']:.3f}",
        f"  citation precision {m['citation_precision']:.3f}  of {m['qualitative_questions']:.0f}"
        f"  (target >= {TARGETS['citation_precision']:.2f}: "
        f"{mark(m['citation_precision'], TARGETS['citation_precision'])})",
        f"  citation recall    {m['citation_recall']:.3f}  (recall capped at k={QUOTES_K})",
        f"  theme count        mean relative error {m['theme_count_mre']:.3f},"
        f" within 20% {m['theme_count_within_20pct']:.3f}",
        f"  refusals           {m['refusals']:.3f}  of {m['unanswerable_questions']:.0f}"
        f"  (target >= {TARGETS['refusals']:.2f}: {mark(m['refusals'], TARGETS['refusals'])})",
        "  seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items()),
        f"  failures: {result.failure_count}"
        + (f" (first {len(result.failures)})" if result.failures else ""),
    ]
    lines += [f"    - {f}" for f in result.failures]
    return "\n".join(lines)


def result_dict(result: AskEvalResult) -> dict[str, Any]:
    """The result as plain JSON-able data (for --json output)."""
    return asdict(result)
