"""`tracelens eval ask`: the gold question set asked end to end, scored against the ground truth.

A generated corpus is parsed and stored in a scratch embedded PostgreSQL (the real parser and
store, called in-process in a fixed order rather than through the worker, so which report of a
duplicated section wins is the same as in rag.goldset), its comments are embedded, and every
gold question goes through `Asker.ask` with the extractive answerer (follow-ups in one
conversation). Exactness is judged on the answer's facts, not its prose.

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
  refusals        share of unanswerable questions answered on route "unanswerable".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.db import Conn, connect, scratch_database
from core.settings import Settings
from embeddings.active import load_embedder
from embeddings.base import QueryCache
from embeddings.indexing import embed_sections
from embeddings.spaces import ensure_space
from enrichment.tagging import tag_comments
from evaluation.labelled import CommentKey
from ingestion.parse import parse_path
from ingestion.queue import PostgresQueue
from ingestion.reports import create_report
from ingestion.store import store_report
from rag.answer.answers import Answer
from rag.answer.ask import Asker
from rag.goldset import GoldItem, build_gold_set, coverage, report_files
from rag.search.searcher import Searcher

if TYPE_CHECKING:
    from rag.eval_independent import IndependentResult

NUMERIC_KINDS = frozenset(
    {"ranking", "average", "comparison", "trend", "count", "distribution", "hours", "followup"}
)
TARGETS = {"numeric_exact": 0.98, "citation_precision": 0.9, "refusals": 0.95}
QUOTES_K = 5
"""Quotes the qualitative route returns (rag.ask passes k=5): recall is capped by it."""
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


def load_corpus(conn: Conn, corpus: Path, *, settings: Settings) -> tuple[Searcher, int]:
    """Parse and store every report in load order, then embed and tag all comments in bulk.

    In-process parse + store_report is what the worker does per job without the queue and the
    sandboxed parser process; it keeps the order fixed and is several times faster.
    """
    files = report_files(corpus)
    for path in files:
        parsed = parse_path(path)
        created = create_report(
            conn,
            queue=PostgresQueue(),
            sha256=parsed.sha256,
            filename=path.name,
            media_type="application/octet-stream",
            size_bytes=path.stat().st_size,
        )
        with conn.transaction():
            store_report(conn, report_id=created.report["id"], parsed=parsed)
    conn.commit()
    return index_corpus(conn, settings=settings), len(files)


def index_corpus(conn: Conn, *, settings: Settings) -> Searcher:
    """Embed and tag every stored comment in bulk (the worker's embed and themes steps)."""
    embedder = load_embedder(settings)
    space = ensure_space(conn, embedder=embedder, text_mode=settings.embedding_text)
    embed_sections(conn, space=space, embedder=embedder, batch_size=settings.embedding_batch_size)
    tag_comments(conn, embedder=embedder)  # the worker's themes step, in bulk
    conn.commit()
    return Searcher(space=space, queries=QueryCache(embedder))


def comment_keys(conn: Conn) -> dict[int, CommentKey]:
    """Stored comment id -> (report file, prompt, number), the key the labels use."""
    rows = conn.execute(
        "SELECT r.filename, m.prompt, m.number, m.id FROM comments m"
        " JOIN sections s ON s.id = m.section_id JOIN reports r ON r.id = s.report_id"
    ).fetchall()
    return {int(r["id"]): (r["filename"], r["prompt"], int(r["number"])) for r in rows}


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


def _short(answer: Answer) -> str:
    facts = "; ".join(f"{f.label}={f.value}" for f in answer.facts[:4])
    return f"route={answer.route} facts=[{facts}] answer={answer.answer[:120]!r}"


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
            failures.append(f"[{item.kind}] {item.question!r} {want} got {_short(answer)}")
    per_kind: dict[str, float] = {}
    for kind in sorted({i.kind for i, _ in numeric}):
        got = [exact[i.id] for i, _ in numeric if i.kind == kind]
        per_kind[kind] = sum(got) / len(got)

    precisions, recalls, errors = [], [], []
    qualitative = [(i, a) for i, a in results if i.kind == "qualitative"]
    for item, answer in qualitative:
        if answer.route != "qualitative":
            failures.append(f"[qualitative] {item.question!r} got {_short(answer)}")
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
            failures.append(f"[unanswerable] {item.question!r} got {_short(answer)}")

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


def ask_all(conn: Conn, asker: Asker, items: list[GoldItem]) -> list[tuple[GoldItem, Answer]]:
    """Each gold question through Asker.ask; a follow-up's openers share its conversation."""
    out = []
    for item in items:
        conversation: str | None = None
        for opener in item.previous:
            conversation = asker.ask(
                conn, question=opener, principal=PRINCIPAL, conversation_id=conversation
            ).conversation_id
        answer = asker.ask(
            conn, question=item.question, principal=PRINCIPAL, conversation_id=conversation
        )
        conn.commit()
        out.append((item, answer))
    return out


def run_ask_eval(
    settings: Settings, *, corpus: Path | None, reports: int = 120, seed: int = 0
) -> AskEvalResult:
    """Generate (or take) a corpus, load it into a scratch database and score every gold question.

    The extractive answerer is used whatever `settings.llm_provider` says: the figures measure
    routing, plans, SQL and retrieval, which an LLM only words.
    """
    from ingestion.corpus.writer import write_corpus

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with scratch_database("tl-eval-ask-") as (root, db):
        if corpus is None:
            corpus = root / "corpus"
            write_corpus(corpus, reports=reports, seed=seed)
        seconds["corpus"] = time.perf_counter() - started
        settings = settings.model_copy(
            update={"database_url": db.url, "state_dir": root / "state", "embedding_space": None}
        )
        with connect(db.url) as conn:
            t = time.perf_counter()
            searcher, loaded = load_corpus(conn, corpus, settings=settings)
            seconds["load"] = time.perf_counter() - t
            items = build_gold_set(corpus, seed=seed)
            asker = Asker(settings=settings, searcher=searcher, chat_model=None)
            t = time.perf_counter()
            results = ask_all(conn, asker, items)
            seconds["ask"] = time.perf_counter() - t
            keys = comment_keys(conn)
        metrics, per_kind, failures = score(results, keys)
        return AskEvalResult(
            reports=loaded,
            questions=len(items),
            coverage=coverage(items),
            metrics=metrics,
            per_kind=per_kind,
            failures=failures[:MAX_FAILURES],
            failure_count=len(failures),
            seconds=seconds,
        )


def _mark(value: float, target: float) -> str:
    return "ok" if value >= target else "BELOW TARGET"


def format_ask_eval(result: AskEvalResult) -> str:
    m = result.metrics
    kinds = ", ".join(f"{k} {v}" for k, v in result.coverage.items())
    lines = [
        f"ask evaluation: {result.questions} gold questions over {result.reports} reports",
        f"  coverage: {kinds}",
        f"  numeric exact      {m['numeric_exact']:.3f}  of {m['numeric_questions']:.0f}"
        f"  (target >= {TARGETS['numeric_exact']:.2f}: "
        f"{_mark(m['numeric_exact'], TARGETS['numeric_exact'])})",
        "    by kind: " + ", ".join(f"{k} {v:.2f}" for k, v in result.per_kind.items()),
        f"  route accuracy     {m['route_accuracy']:.3f}",
        f"  citation precision {m['citation_precision']:.3f}  of {m['qualitative_questions']:.0f}"
        f"  (target >= {TARGETS['citation_precision']:.2f}: "
        f"{_mark(m['citation_precision'], TARGETS['citation_precision'])})",
        f"  citation recall    {m['citation_recall']:.3f}  (recall capped at k={QUOTES_K})",
        f"  theme count        mean relative error {m['theme_count_mre']:.3f},"
        f" within 20% {m['theme_count_within_20pct']:.3f}",
        f"  refusals           {m['refusals']:.3f}  of {m['unanswerable_questions']:.0f}"
        f"  (target >= {TARGETS['refusals']:.2f}: {_mark(m['refusals'], TARGETS['refusals'])})",
        "  seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items()),
        f"  failures: {result.failure_count}"
        + (f" (first {len(result.failures)})" if result.failures else ""),
    ]
    lines += [f"    - {f}" for f in result.failures]
    return "\n".join(lines)


def result_dict(result: AskEvalResult) -> dict[str, Any]:
    """The result as plain JSON-able data (for --json output)."""
    from dataclasses import asdict

    return asdict(result)


def independent_as_result(result: IndependentResult) -> AskEvalResult:
    """The independent set's figures in the shape MLflow logging takes (metrics by split)."""
    metrics = {
        f"{split}.{key}": value
        for split, row in result.by_split.items()
        for key, value in row.items()
    }
    per_kind = {
        intent: cells["all"][0] / cells["all"][1] if cells["all"][1] else float("nan")
        for intent, cells in result.by_intent.items()
    }
    return AskEvalResult(
        reports=result.reports,
        questions=result.questions,
        coverage={intent: cells["all"][1] for intent, cells in result.by_intent.items()},
        metrics=metrics,
        per_kind=per_kind,
        failures=result.dev_failures[:MAX_FAILURES],
        failure_count=len(result.dev_failures) + result.test_failures,
        seconds=result.seconds,
    )


def format_side_by_side(
    generated: AskEvalResult | None, independent: IndependentResult | None
) -> str:
    """The figures both sets report, in one table: the generated gold set next to the
    independent set (DEV, TEST, all); a set that was not run shows "-"."""

    def cell(value: float | None) -> str:
        return f"{value:.3f}" if value is not None and value == value else "-"

    g = generated.metrics if generated else {}
    i = independent.by_split if independent else {}
    rows = [
        ("numeric exact", g.get("numeric_exact"), "numeric_exact"),
        ("refusals / declines", g.get("refusals"), "declines"),
        ("citation precision", g.get("citation_precision"), "citation_precision"),
        ("open answered", None, "open_answered"),
    ]
    lines = [
        "ask evaluation, both sets side by side",
        f"  {'':24}{'generated':>12}{'indep. DEV':>12}{'indep. TEST':>12}{'indep. all':>12}",
    ]
    for name, old, key in rows:
        new = [i[split][key] if i else None for split in ("dev", "test", "all")]
        lines.append(f"  {name:24}{cell(old):>12}" + "".join(f"{cell(v):>12}" for v in new))
    return "\n".join(lines)
