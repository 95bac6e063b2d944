"""`tracelens eval retrieval`: recall@k, MRR and nDCG@10 of vector, text and hybrid search.

The generated set: a generated corpus is loaded into a scratch embedded PostgreSQL through the
real pipeline (parse, store, embed, tag), its labelled queries are asked with their filters,
and the ranked comments are scored against the relevance known by construction. Each
embedded-text mode gets its own space.

The independent set (tests/data/independent, rag.independent): its 76 paraphrased queries are
asked over its own corpus (stored as parsed, then embedded and tagged), with the course filter
where a query has one. Both sets are then scored side by side for each combination of search
signals (plain hybrid, + theme tags, + expansion, both), DEV and TEST apart:

  P@10     relevant comments in the top 10 / min(10, relevant): 1.0 is reachable whatever the
           size of the relevant set (the evalset's "recall@10");
  R@10     relevant comments in the top 10 / relevant;
  nDCG@10  binary relevance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from core.blobs import make_blob_store
from core.db import Conn, connect, scratch_database
from core.settings import Settings
from embeddings.active import load_embedder
from embeddings.base import QueryCache
from embeddings.indexing import embed_sections
from embeddings.spaces import ensure_space
from enrichment.tagging import tag_comments
from evaluation.labelled import CommentKey
from evaluation.metrics import ndcg_at_k, recall_at_k, summarize
from evaluation.queries import EvalQuery, EvalSet, build_eval_set
from ingestion.intake import accept_file
from ingestion.loader import find_reports
from ingestion.queue import make_queue
from ingestion.worker import Worker
from rag.independent import (
    INDEPENDENT_DIR,
    SPLITS,
    comment_keys,
    load_search_cases,
    report_paths,
    store_corpus,
)
from rag.search.filters import SearchFilters
from rag.search.hybrid import Mode
from rag.search.searcher import PLAIN, Searcher, Signals

SetName = Literal["generated", "independent"]
SETS: tuple[SetName, ...] = ("generated", "independent")

MODES: tuple[Mode, ...] = ("vector", "text", "hybrid")
TEXT_MODES = ("comment", "prompt", "context")

CONFIGS: dict[str, Signals] = {
    "plain": PLAIN,
    "+theme tags": Signals(theme_tags=True, expansion=False),
    "+expansion": Signals(theme_tags=False, expansion=True),
    "+theme tags +expansion": Signals(),
}
"""The search signals measured side by side; the last is what the product serves."""
TARGET_P10 = 0.8


@dataclass(frozen=True)
class Case:
    """A query of either set: its text, filters, relevant comments and DEV/TEST split."""

    id: str
    query: str
    filters: SearchFilters
    relevant: frozenset[CommentKey]
    split: str


@dataclass
class EvalRun:
    corpus: Path
    queries: int
    comments: int
    backend: str
    rows: list[dict[str, Any]]
    per_query: list[dict[str, Any]] = field(default_factory=list)
    """One row per (query, mode, embedded text): the ranked keys' hits, for tracking runs."""
    paraphrase: list[dict[str, Any]] = field(default_factory=list)
    """One row per (signals, set, split): P@10, R@10 and nDCG@10 of hybrid search."""
    paraphrase_queries: list[dict[str, Any]] = field(default_factory=list)
    """One row per (signals, set, query): its figures and which of the top 10 were relevant."""


def _load(settings: Settings, url: str, corpus: Path) -> None:
    blobs, queue = make_blob_store(settings), make_queue(settings)
    with connect(url, autocommit=True) as conn:
        for path in find_reports([corpus]):
            accept_file(conn, blobs=blobs, queue=queue, data=path.read_bytes(), filename=path.name)
    worker = Worker(settings=settings, url=url, blobs=blobs, queue=queue)
    try:
        worker.run(until_idle=True)
    finally:
        worker.close()


def _comment_ids(conn: Conn) -> dict[CommentKey, int]:
    rows = conn.execute(
        "SELECT r.filename, m.prompt, m.number, m.id FROM comments m"
        " JOIN sections s ON s.id = m.section_id JOIN reports r ON r.id = s.report_id"
    ).fetchall()
    return {(r["filename"], r["prompt"], r["number"]): r["id"] for r in rows}


def _filters(query: EvalQuery) -> SearchFilters:
    return SearchFilters(
        course=query.filters.get("course"), instructor=query.filters.get("instructor")
    )


def evaluate(
    conn: Conn,
    searcher: Searcher,
    eval_set: EvalSet,
    *,
    mode: Mode,
    k: int = 10,
    record: list[dict[str, Any]] | None = None,
) -> dict[str, float]:
    """Metrics of one search mode over the eval set (keys mapped to stored comment ids).

    Hybrid search goes through the searcher with its signals, as the product serves it.
    """
    ids = _comment_ids(conn)
    keys = {v: key for key, v in ids.items()}
    results = []
    for query in eval_set.queries:
        hits = searcher.search(
            conn, query=query.query, k=max(k, 10), filters=_filters(query), mode=mode
        )
        results.append((query, [keys[h.citation.comment_id] for h in hits]))
        if record is not None:
            record.append(query_result(query, results[-1][1], mode=mode, k=k))
    return summarize(results, k=k)


def generated_cases(eval_set: EvalSet) -> list[Case]:
    return [
        Case(f"g{i:03d}", q.query, _filters(q), q.relevant, "all")
        for i, q in enumerate(eval_set.queries, start=1)
    ]


def independent_cases(directory: Path = INDEPENDENT_DIR) -> list[Case]:
    return [
        Case(c.id, c.query, SearchFilters(course=c.course), c.relevant, c.split)
        for c in load_search_cases(directory)
    ]


def score_ranked(
    ranked: Sequence[CommentKey], relevant: frozenset[CommentKey], k: int = 10
) -> dict[str, float]:
    """P@k (capped by the relevant count, so 1.0 is reachable), R@k and nDCG@k of one query."""
    found = sum(1 for key in ranked[:k] if key in relevant)
    return {
        "p@10": recall_at_k(ranked, relevant, k),
        "r@10": found / len(relevant) if relevant else 0.0,
        "ndcg@10": ndcg_at_k(ranked, relevant, k),
    }


def paraphrase_eval(
    conn: Conn,
    searcher: Searcher,
    cases: Sequence[Case],
    *,
    set_name: str,
    configs: dict[str, Signals] | None = None,
    k: int = 10,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(summary rows per signals and split, per-query rows) of hybrid search over the cases."""
    keys = comment_keys(conn)
    rows: list[dict[str, Any]] = []
    per_query: list[dict[str, Any]] = []
    for name, signals in (configs or CONFIGS).items():
        scored = []
        for case in cases:
            hits = searcher.search(
                conn, query=case.query, k=k, filters=case.filters, mode="hybrid", signals=signals
            )
            ranked = [keys[h.citation.comment_id] for h in hits]
            figures = score_ranked(ranked, case.relevant, k)
            scored.append((case, figures))
            per_query.append(
                {
                    "set": set_name,
                    "signals": name,
                    "id": case.id,
                    "split": case.split,
                    "query": case.query,
                    "relevant": len(case.relevant),
                    **figures,
                    "top_relevant": [key in case.relevant for key in ranked[:k]],
                }
            )
        conn.commit()
        splits = [s for s in SPLITS if any(c.split == s for c, _ in scored)]
        for split in [*splits, "all"]:
            chosen = [f for c, f in scored if split == "all" or c.split == split]
            if not chosen or (split == "all" and splits == ["all"]):
                continue
            rows.append(
                {
                    "signals": name,
                    "set": set_name,
                    "split": split,
                    "queries": len(chosen),
                    **{
                        m: sum(f[m] for f in chosen) / len(chosen)
                        for m in ("p@10", "r@10", "ndcg@10")
                    },
                }
            )
    return rows, per_query


def index_comments(conn: Conn, settings: Settings, *, text_mode: str | None = None) -> Searcher:
    """Embed and tag every stored comment (the worker's steps, in bulk); the searcher over them."""
    embedder = load_embedder(settings)
    space = ensure_space(conn, embedder=embedder, text_mode=text_mode or settings.embedding_text)
    embed_sections(conn, space=space, embedder=embedder, batch_size=settings.embedding_batch_size)
    tag_comments(conn, embedder=embedder)
    conn.commit()
    return Searcher(space=space, queries=QueryCache(embedder))


def run_independent_search(
    settings: Settings, *, directory: Path = INDEPENDENT_DIR, k: int = 10
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The independent set's paraphrase queries over its own corpus, in a scratch database."""
    with scratch_database("tl-eval-ind-") as (root, db):
        settings = settings.model_copy(
            update={"database_url": db.url, "state_dir": root / "state", "embedding_space": None}
        )
        with connect(db.url) as conn:
            store_corpus(conn, report_paths(directory))
            searcher = index_comments(conn, settings)
            return paraphrase_eval(
                conn, searcher, independent_cases(directory), set_name="independent", k=k
            )


def query_result(
    query: EvalQuery, ranked: list[CommentKey], *, mode: str, k: int
) -> dict[str, Any]:
    """One query's outcome: its metrics and which of the top k were relevant."""
    one = summarize([(query, ranked)], k=k)
    return {
        "query": query.query,
        "theme": query.theme,
        "filters": query.filters,
        "mode": mode,
        "relevant": len(query.relevant),
        **{name: value for name, value in one.items() if name != "queries"},
        "top_relevant": [key in query.relevant for key in ranked[:k]],
    }


def run_retrieval_eval(
    settings: Settings,
    *,
    corpus: Path | None,
    reports: int,
    seed: int,
    k: int = 10,
    text_modes: tuple[str, ...] = TEXT_MODES,
    sets: Sequence[SetName] = ("generated",),
    independent: Path = INDEPENDENT_DIR,
) -> EvalRun:
    """The generated set's modes and signals, and/or the independent set's signals."""
    run = EvalRun(corpus=corpus or Path("-"), queries=0, comments=0, backend="-", rows=[])
    if "generated" in sets:
        run = _run_generated(
            settings, corpus=corpus, reports=reports, seed=seed, k=k, text_modes=text_modes
        )
    if "independent" in sets:
        rows, per_query = run_independent_search(settings, directory=independent, k=k)
        run.paraphrase += rows
        run.paraphrase_queries += per_query
        if run.backend == "-":
            run.backend = load_embedder(settings).backend
    return run


def _run_generated(
    settings: Settings,
    *,
    corpus: Path | None,
    reports: int,
    seed: int,
    k: int,
    text_modes: tuple[str, ...],
) -> EvalRun:
    from ingestion.corpus.writer import write_corpus

    with scratch_database("tl-eval-") as (root, db):
        if corpus is None:
            corpus = root / "corpus"
            write_corpus(corpus, reports=reports, seed=seed)
        settings = settings.model_copy(
            update={"database_url": db.url, "state_dir": root / "state", "embedding_space": None}
        )
        _load(settings, db.url, corpus)
        eval_set = build_eval_set(corpus, seed=seed)
        embedder = load_embedder(settings)
        queries = QueryCache(embedder)
        rows = []
        per_query: list[dict[str, Any]] = []
        paraphrase: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], [])
        with connect(db.url) as conn:
            for text_mode in text_modes:
                space = ensure_space(conn, embedder=embedder, text_mode=text_mode)
                embed_sections(
                    conn, space=space, embedder=embedder, batch_size=settings.embedding_batch_size
                )
                conn.commit()
                searcher = Searcher(space=space, queries=queries)
                for mode in MODES:
                    if mode == "text" and text_mode != text_modes[0]:
                        continue  # full text does not depend on the embedded text
                    label = "-" if mode == "text" else text_mode
                    record: list[dict[str, Any]] = []
                    metrics = evaluate(conn, searcher, eval_set, mode=mode, k=k, record=record)
                    per_query += [{**r, "embedded_text": label} for r in record]
                    conn.commit()
                    rows.append({"mode": mode, "embedded_text": label, **metrics})
                if text_mode == settings.embedding_text or (
                    settings.embedding_text not in text_modes and text_mode == text_modes[0]
                ):
                    paraphrase = paraphrase_eval(
                        conn, searcher, generated_cases(eval_set), set_name="generated", k=k
                    )
        return EvalRun(
            corpus=corpus,
            queries=len(eval_set.queries),
            comments=len(eval_set.comments),
            backend=embedder.backend,
            rows=rows,
            per_query=per_query,
            paraphrase=paraphrase[0],
            paraphrase_queries=paraphrase[1],
        )


def format_retrieval_eval(run: EvalRun, *, k: int = 10) -> str:
    lines = []
    if run.rows:
        lines += [
            f"retrieval evaluation (generated set): {run.queries} queries over {run.comments}"
            f" comments (embedder backend {run.backend})",
            f"  {'mode':7} {'embedded text':14} {f'recall@{k}':>10} {'MRR':>8} {'nDCG@10':>8}",
        ]
        for row in run.rows:
            lines.append(
                f"  {row['mode']:7} {row['embedded_text']:14} {row[f'recall@{k}']:10.4f}"
                f" {row['mrr']:8.4f} {row['ndcg@10']:8.4f}"
            )
        best = max(run.rows, key=lambda r: r["ndcg@10"])
        lines.append(f"  best by nDCG@10: {best['mode']} / {best['embedded_text']}")
    if run.paraphrase:
        lines += [
            "",
            "hybrid search by signals, generated and independent sets side by side"
            f" (target P@10 >= {TARGET_P10} on the independent set)",
            "  P@10 = relevant in top 10 / min(10, relevant); R@10 = relevant in top 10 / relevant",
            f"  {'signals':24} {'set':12} {'split':5} {'queries':>7} {'P@10':>7} {'R@10':>7}"
            f" {'nDCG@10':>8}",
        ]
        for name in dict.fromkeys(r["signals"] for r in run.paraphrase):
            for row in (r for r in run.paraphrase if r["signals"] == name):
                lines.append(
                    f"  {name:24} {row['set']:12} {row['split'].upper():5} {row['queries']:7d}"
                    f" {row['p@10']:7.3f} {row['r@10']:7.3f} {row['ndcg@10']:8.3f}"
                )
    return "\n".join(lines)
