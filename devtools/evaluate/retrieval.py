"""`tracelens eval retrieval`: the generated set (a corpus generated, loaded through the real
pipeline into a scratch PostgreSQL, each embedded-text mode in its own space) and the
independent set (tests/data/independent, its 100 paraphrased queries, 50 DEV and 50 TEST, over
its own corpus), each scored by evaluation.retrieval. Where DEV's relevant comments rank in each
leg of hybrid search: devtools.evaluate.search_legs."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cli.wiring import model_in_service
from core.blobs import make_blob_store
from core.db import Conn, connect, scratch_database
from core.settings import Settings
from devtools.corpus.writer import write_corpus
from devtools.independent import (
    INDEPENDENT_DIR,
    load_search_cases,
    report_paths,
    store_corpus,
)
from embeddings.active import ModelInService
from embeddings.base import QueryCache
from embeddings.indexing import embed_sections
from embeddings.spaces import ensure_space
from evaluation.loading import index_stored
from evaluation.queries import build_eval_set
from evaluation.retrieval import (
    MODES,
    TEXT_MODES,
    Case,
    EvalRun,
    SetName,
    evaluate,
    generated_cases,
    paraphrase_eval,
)
from ingestion.intake import accept_file
from ingestion.loader import find_reports
from ingestion.queue import PostgresQueue
from ingestion.workers.table import Worker
from rag.search.filters import SearchFilters
from rag.search.searcher import Searcher


def load_through_worker(settings: Settings, url: str, corpus: Path, model: ModelInService) -> None:
    """Every report file of the corpus accepted as an upload, then worked by a table worker."""
    blobs, queue = make_blob_store(settings), PostgresQueue()
    with connect(url, autocommit=True) as conn:
        for path in find_reports([corpus]):
            accept_file(conn, blobs=blobs, queue=queue, data=path.read_bytes(), filename=path.name)
    worker = Worker(settings=settings, url=url, blobs=blobs, queue=queue, model=model)
    try:
        worker.run(until_idle=True)
    finally:
        worker.close()


def independent_cases(directory: Path = INDEPENDENT_DIR, *, split: str = "all") -> list[Case]:
    """The set's queries of one split ("dev", "test") or all of them."""
    return [
        Case(c.id, c.query, SearchFilters(course=c.course), c.relevant, c.split)
        for c in load_search_cases(directory)
        if split in ("all", c.split)
    ]


@contextmanager
def independent_searcher(
    settings: Settings, directory: Path = INDEPENDENT_DIR
) -> Iterator[tuple[Conn, Searcher, str]]:
    """The independent set's corpus stored and embedded in a scratch database: a connection,
    the searcher over it and the embedder's backend."""
    with scratch_database("tl-eval-ind-") as (root, db):
        settings = settings.with_database(db.url, state_dir=root / "state", embedding_space=None)
        embedder = model_in_service(settings).embedder
        with connect(db.url) as conn:
            store_corpus(conn, report_paths(directory))
            searcher = index_stored(
                conn,
                embedder=embedder,
                text_mode=settings.embedding_text,
                batch_size=settings.embedding_batch_size,
            )
            yield conn, searcher, embedder.backend


def run_independent_search(
    settings: Settings, *, directory: Path = INDEPENDENT_DIR, k: int = 10, split: str = "all"
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    """The independent set's paraphrase queries (of one split, or all) over its own corpus, in
    a scratch database: (summary rows, per-query rows, the embedder's backend)."""
    with independent_searcher(settings, directory) as (conn, searcher, backend):
        rows, per_query = paraphrase_eval(
            conn,
            searcher,
            independent_cases(directory, split=split),
            set_name="independent",
            k=k,
        )
    return rows, per_query, backend


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
    split: str = "all",
) -> EvalRun:
    """The generated set's modes and signals, and/or the independent set's signals (of one
    split, or all)."""
    run = EvalRun(corpus=corpus or Path("-"), queries=0, comments=0, backend="-", rows=[])
    if "generated" in sets:
        run = _run_generated(
            settings, corpus=corpus, reports=reports, seed=seed, k=k, text_modes=text_modes
        )
    if "independent" in sets:
        rows, per_query, backend = run_independent_search(
            settings, directory=independent, k=k, split=split
        )
        run.paraphrase += rows
        run.paraphrase_queries += per_query
        if run.backend == "-":
            run.backend = backend
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
    with scratch_database("tl-eval-") as (root, db):
        if corpus is None:
            corpus = root / "corpus"
            write_corpus(corpus, reports=reports, seed=seed)
        settings = settings.with_database(db.url, state_dir=root / "state", embedding_space=None)
        model = model_in_service(settings)
        load_through_worker(settings, db.url, corpus, model)
        eval_set = build_eval_set(corpus, seed=seed)
        embedder = model.embedder
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
