"""`tracelens eval retrieval`: recall@k, MRR and nDCG@10 of vector, text and hybrid search.

It loads a generated corpus into a scratch embedded PostgreSQL through the real pipeline (parse,
store, embed), asks the labelled queries with their filters, and scores the ranked comments
against the relevance known by construction. Each embedded-text mode gets its own space.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.blobs import make_blob_store
from core.db import Conn, connect, scratch_database
from core.settings import Settings
from embeddings.active import load_embedder
from embeddings.base import QueryCache
from embeddings.indexing import embed_sections
from embeddings.spaces import ensure_space
from ingestion.intake import accept_file
from ingestion.loader import find_reports
from ingestion.queue import make_queue
from ingestion.worker import Worker
from rag.evalset import CommentKey, EvalQuery, EvalSet, build_eval_set, summarize
from rag.filters import SearchFilters
from rag.search import Mode, search
from rag.searcher import Searcher

MODES: tuple[Mode, ...] = ("vector", "text", "hybrid")
TEXT_MODES = ("comment", "prompt", "context")


@dataclass
class EvalRun:
    corpus: Path
    queries: int
    comments: int
    backend: str
    rows: list[dict[str, Any]]
    per_query: list[dict[str, Any]] = field(default_factory=list)
    """One row per (query, mode, embedded text): the ranked keys' hits, for tracking runs."""


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
    """Metrics of one search mode over the eval set (keys mapped to stored comment ids)."""
    ids = _comment_ids(conn)
    keys = {v: key for key, v in ids.items()}
    results = []
    for query in eval_set.queries:
        vector = searcher.queries.embed_query(query.query) if mode != "text" else None
        hits = search(
            conn,
            space=searcher.space,
            query=query.query,
            query_vector=vector,
            k=max(k, 10),
            filters=_filters(query),
            mode=mode,
        )
        results.append((query, [keys[h.citation.comment_id] for h in hits]))
        if record is not None:
            record.append(query_result(query, results[-1][1], mode=mode, k=k))
    return summarize(results, k=k)


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
        return EvalRun(
            corpus=corpus,
            queries=len(eval_set.queries),
            comments=len(eval_set.comments),
            backend=embedder.backend,
            rows=rows,
            per_query=per_query,
        )


def format_retrieval_eval(run: EvalRun, *, k: int = 10) -> str:
    lines = [
        f"retrieval evaluation: {run.queries} queries over {run.comments} comments "
        f"(embedder backend {run.backend})",
        f"  {'mode':7} {'embedded text':14} {f'recall@{k}':>10} {'MRR':>8} {'nDCG@10':>8}",
    ]
    for row in run.rows:
        lines.append(
            f"  {row['mode']:7} {row['embedded_text']:14} {row[f'recall@{k}']:10.4f}"
            f" {row['mrr']:8.4f} {row['ndcg@10']:8.4f}"
        )
    best = max(run.rows, key=lambda r: r["ndcg@10"])
    lines.append(f"  best by nDCG@10: {best['mode']} / {best['embedded_text']}")
    return "\n".join(lines)
