"""`tracelens eval ask`: the gold question set of a generated corpus asked end to end, next to
the independent set (devtools.evaluate.independent).

The generated corpus is parsed and stored in a scratch embedded PostgreSQL (the real parser and
store, called in-process in a fixed order rather than through the worker, so which report of a
duplicated section wins is the same as in devtools.goldset), its comments are embedded, and
every gold question goes through `Asker.ask` with the extractive answerer (follow-ups in one
conversation); evaluation.ask scores the answers."""

from __future__ import annotations

import time
from pathlib import Path

from cli.wiring import model_in_service
from core.db import Conn, connect, scratch_database
from core.settings import Settings
from devtools.corpus.writer import write_corpus
from devtools.evaluate.independent import IndependentResult
from devtools.goldset.builder import build_gold_set
from devtools.goldset.reference import report_files
from evaluation.ask import MAX_FAILURES, AskEvalResult, ask_all, coverage, score
from evaluation.labelled import stored_keys
from evaluation.loading import index_stored, parse_and_store
from rag.answer.ask import Asker
from rag.search.searcher import Searcher


def load_corpus(conn: Conn, corpus: Path, *, settings: Settings) -> tuple[Searcher, int]:
    """Parse and store every report in load order, then embed and tag all comments in bulk.

    In-process parse + store_report is what the worker does per job without the queue and the
    sandboxed parser process; it keeps the order fixed and is several times faster.
    """
    files = report_files(corpus)
    parse_and_store(conn, files)
    conn.commit()
    searcher = index_stored(
        conn,
        embedder=model_in_service(settings).embedder,
        text_mode=settings.embedding_text,
        batch_size=settings.embedding_batch_size,
    )
    return searcher, len(files)


def run_ask_eval(
    settings: Settings, *, corpus: Path | None, reports: int = 120, seed: int = 0
) -> AskEvalResult:
    """Generate (or take) a corpus, load it into a scratch database and score every gold question.

    The extractive answerer is used whatever `settings.llm_provider` says: the figures measure
    routing, plans, SQL and retrieval, which an LLM only words.
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with scratch_database("tl-eval-ask-") as (root, db):
        if corpus is None:
            corpus = root / "corpus"
            write_corpus(corpus, reports=reports, seed=seed)
        seconds["corpus"] = time.perf_counter() - started
        settings = settings.with_database(db.url, state_dir=root / "state", embedding_space=None)
        with connect(db.url) as conn:
            t = time.perf_counter()
            searcher, loaded = load_corpus(conn, corpus, settings=settings)
            seconds["load"] = time.perf_counter() - t
            items = build_gold_set(corpus, seed=seed)
            asker = Asker(settings=settings, searcher=searcher, chat_model=None)
            t = time.perf_counter()
            results = ask_all(conn, asker, items)
            seconds["ask"] = time.perf_counter() - t
            keys = stored_keys(conn)
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
    generated: AskEvalResult | None, independent: IndependentResult | None, *, split: str = "all"
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
    shown = ("dev", "test", "all") if split == "all" else (split,)
    lines = [
        "ask evaluation, both sets side by side",
        f"  {'':24}{'generated':>12}"
        + "".join(f"{'indep. ' + (x.upper() if x != 'all' else x):>12}" for x in shown),
    ]
    for name, old, key in rows:
        new = [i[x][key] if i else None for x in shown]
        lines.append(f"  {name:24}{cell(old):>12}" + "".join(f"{cell(v):>12}" for v in new))
    return "\n".join(lines)
