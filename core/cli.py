"""The `tracelens` command line: parse, demo-corpus, migrate, serve, worker, ingest, run, bench."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mlops.commands import register_commands

if TYPE_CHECKING:
    from core.settings import Settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
bench = typer.Typer(no_args_is_help=True, help="Benchmarks: each prints its figure and baseline.")
app.add_typer(bench, name="bench")
evaluate = typer.Typer(no_args_is_help=True, help="Quality evaluations on generated data.")
app.add_typer(evaluate, name="eval")
backup = typer.Typer(
    no_args_is_help=True, help="Database backups in gs://bucket/prefix or file:///path."
)
app.add_typer(backup, name="backup")


def _settings() -> Settings:
    from core.observability import configure_logging
    from core.settings import Settings

    settings = Settings()
    configure_logging(settings)
    return settings


@app.command()
def parse(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON contract")] = False,
    course: Annotated[str | None, typer.Option(help="A survey export's course")] = None,
    term: Annotated[str | None, typer.Option(help="A survey export's term")] = None,
    title: Annotated[str | None, typer.Option(help="A survey export's title")] = None,
) -> None:
    """Parse report files and survey exports; JSON Lines with --json; exit 1 if any fails."""
    from core.errors import TraceLensError
    from ingestion.parse import parse_path
    from ingestion.parsers.survey import clean_fields

    fields = clean_fields(course=course, term=term, title=title)
    failed = False
    for path in files:
        try:
            parsed = parse_path(path, fields=fields)
        except TraceLensError as exc:
            failed = True
            reason = getattr(exc, "reason", exc.code)
            error = {"file": path.name, "error": str(exc), "reason": reason}
            print(json.dumps(error, ensure_ascii=False))
            continue
        if as_json:
            print(parsed.model_dump_json())
        else:
            print(
                f"{path.name}: {parsed.layout} {parsed.course.code}-{parsed.course.section} "
                f"{parsed.term.label}, {len(parsed.questions)} questions, "
                f"{len(parsed.comments)} comments, {len(parsed.warnings)} warnings"
            )
    raise typer.Exit(1 if failed else 0)


@app.command("demo-corpus")
def demo_corpus(
    out: Annotated[Path, typer.Option(help="Folder to write reports and ground truth into")],
    reports: Annotated[int, typer.Option(min=1)] = 60,
    seed: Annotated[int, typer.Option()] = 7,
    html_share: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share of Blue reports saved as web pages")
    ] = 0.3,
    survey_exports: Annotated[
        int, typer.Option(min=0, help="Instructors' survey exports written beside the reports")
    ] = 2,
) -> None:
    """Write a realistic generated corpus in every layout (PDF, xlsx, saved Blue pages) and
    survey exports, with ground-truth JSON."""
    from devtools.corpus.writer import write_corpus

    written = write_corpus(
        out, reports=reports, seed=seed, html_share=html_share, survey_exports=survey_exports
    )
    print(f"wrote {len(written)} reports to {out}")


@app.command()
def migrate() -> None:
    """Apply pending schema migrations to the configured database."""
    from core.db import connect, database
    from core.db.migrate import migrate as apply

    settings = _settings()
    with database(settings) as db, connect(db.url) as conn:
        applied = apply(conn)
    print("applied: " + ", ".join(applied) if applied else "schema is up to date")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Serve the REST API (docs at /docs)."""
    import uvicorn

    from core.observability import configure_tracing
    from serving.app import create_app

    settings = _settings()
    configure_tracing(settings, service="tracelens-api")
    uvicorn.run(
        create_app(settings),
        host=host or settings.api_host,
        port=port or settings.api_port,
        log_level="info",
        log_config=None,  # uvicorn's records go through the root handler (text or JSON)
        access_log=False,  # serving.middleware writes the access log, with route and request id
    )


@app.command()
def worker() -> None:
    """Process queued reports until stopped (SIGTERM finishes the job in hand)."""
    from core.blobs import make_blob_store
    from core.db import database
    from core.observability import configure_tracing, start_metrics_server
    from ingestion.queue import PostgresQueue
    from ingestion.workers.table import run_worker

    settings = _settings()
    start_metrics_server(settings)
    configure_tracing(settings, service="tracelens-worker")
    with database(settings, migrate=True) as db:
        if settings.queue_backend == "kafka":
            from ingestion.workers.kafka import run_kafka_worker

            run_kafka_worker(settings, db.url, make_blob_store(settings))
            return
        run_worker(settings, db.url, make_blob_store(settings), PostgresQueue())


@app.command()
def relay() -> None:
    """Publish the outbox to Kafka (queue_backend kafka) until stopped."""
    from core.db import database
    from core.observability import configure_tracing, start_metrics_server
    from ingestion.workers.relay import run_relay

    settings = _settings()
    start_metrics_server(settings)
    configure_tracing(settings, service="tracelens-relay")
    with database(settings, migrate=True) as db:
        run_relay(settings, db.url)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(exists=True)],
    run_worker: Annotated[
        bool, typer.Option("--worker/--no-worker", help="Also work the queue in this process")
    ] = True,
) -> None:
    """Load report files or folders through validation, the queue and the worker."""
    from core.blobs import make_blob_store
    from core.db import database
    from ingestion.loader import ingest as load
    from ingestion.queue import make_queue

    settings = _settings()
    with database(settings, migrate=True) as db:
        summary = load(
            settings,
            db.url,
            blobs=make_blob_store(settings),
            queue=make_queue(settings),
            paths=paths,
            run_worker=run_worker,
        )
    print("\n".join(summary.lines()))
    raise typer.Exit(1 if summary.failed or summary.rejected else 0)


instructors = typer.Typer(
    no_args_is_help=True, help="Who is who: merge two instructors, split one."
)
app.add_typer(instructors, name="instructors")


@instructors.command("merge")
def instructors_merge(
    keep: Annotated[int, typer.Argument(help="The instructor id that stays")],
    drop: Annotated[int, typer.Argument(help="The instructor id merged into it")],
) -> None:
    """Make two instructors one person (the same name spelled two ways, or across subjects)."""
    from core.db import connect, database
    from ingestion.identity import merge_instructors

    settings = _settings()
    with database(settings, migrate=True) as db, connect(db.url) as conn:
        merge_instructors(conn, keep=keep, drop=drop, principal="cli")
    print(f"instructor {drop} merged into {keep}")


@instructors.command("split")
def instructors_split(
    instructor_id: Annotated[int, typer.Argument(help="The instructor to split")],
    subject: Annotated[str, typer.Option(help="The subject whose sections go to a new person")],
) -> None:
    """Two people sharing a name: the sections of one subject go to a new instructor."""
    from core.db import connect, database
    from ingestion.identity import split_instructor

    settings = _settings()
    with database(settings, migrate=True) as db, connect(db.url) as conn:
        new_id = split_instructor(
            conn, instructor_id=instructor_id, subject=subject.upper(), principal="cli"
        )
    print(f"{subject.upper()} sections of instructor {instructor_id} now belong to {new_id}")


@app.command()
def reparse(
    failed: Annotated[
        bool, typer.Option("--failed", help="Queue every failed report again")
    ] = False,
    reason: Annotated[
        str | None, typer.Option(help="Only reports failed for this reason code (checksum, …)")
    ] = None,
    run_worker: Annotated[
        bool, typer.Option("--worker/--no-worker", help="Also work the queue in this process")
    ] = True,
) -> None:
    """Parse failed reports again (after a parser upgrade) and print how each ended."""
    from core.blobs import make_blob_store
    from core.db import database
    from ingestion.loader import reparse as requeue
    from ingestion.queue import make_queue

    if not failed:
        raise typer.BadParameter("say which reports: --failed")
    settings = _settings()
    with database(settings, migrate=True) as db:
        summary = requeue(
            settings,
            db.url,
            blobs=make_blob_store(settings),
            queue=make_queue(settings),
            reason=reason,
            run_worker=run_worker,
        )
    print("\n".join(summary.lines()))
    raise typer.Exit(1 if summary.failed else 0)


@app.command()
def run(
    sample_reports: Annotated[int, typer.Option(min=0)] = 60,
) -> None:
    """Everything embedded: PostgreSQL, worker, API, and the sample corpus ingested."""
    from core.supervisor import run_all

    sys.exit(run_all(_settings(), sample_reports=sample_reports))


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in plain words")],
    k: Annotated[int, typer.Option(min=1, max=100)] = 10,
    course: Annotated[str | None, typer.Option()] = None,
    subject: Annotated[str | None, typer.Option()] = None,
    term: Annotated[str | None, typer.Option()] = None,
    instructor: Annotated[str | None, typer.Option()] = None,
    prompt: Annotated[str | None, typer.Option()] = None,
    mode: Annotated[str, typer.Option(help="hybrid, vector or text")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Search the comments (the same search as POST /v1/search)."""
    from core.db import connect, database
    from rag.search.filters import SearchFilters
    from rag.search.searcher import open_searcher

    if mode not in ("hybrid", "vector", "text"):
        raise typer.BadParameter(f"mode must be hybrid, vector or text, not {mode!r}")
    settings = _settings()
    filters = SearchFilters(
        course=course, subject=subject, term=term, instructor=instructor, prompt=prompt
    )
    with database(settings) as db, connect(db.url) as conn:
        hits = open_searcher(conn, settings).search(
            conn,
            query=query,
            k=k,
            filters=filters,
            mode=mode,  # type: ignore[arg-type]
        )
    if as_json:
        print(json.dumps([h.model_dump() for h in hits], ensure_ascii=False, indent=2))
        return
    for rank, hit in enumerate(hits, start=1):
        c = hit.citation
        print(f"{rank:2}. [{c.course_code}-{c.section} {c.term}, {'; '.join(c.instructors)}]")
        print(f"    {c.prompt} #{c.comment_number} (fused {hit.scores.fused:.4f})")
        print(f"    {hit.text}")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question about the reports, in plain English")],
    conversation: Annotated[
        str | None, typer.Option(help="Continue a conversation (follow-ups)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Answer a question: numbers from the score tables, opinions from cited comments."""
    from core.db import connect, database
    from rag.answer.ask import open_asker
    from rag.search.searcher import open_searcher

    settings = _settings()
    with database(settings) as db, connect(db.url) as conn:
        asker = open_asker(settings, open_searcher(conn, settings))
        answer = asker.ask(conn, question=question, principal="local", conversation_id=conversation)
    if as_json:
        print(answer.model_dump_json(indent=2))
        return
    print(answer.answer)
    for fact in answer.facts:
        print(f"  - {fact.label}: {fact.value} (n={fact.n})")
    print(f"\n[{answer.route}; conversation {answer.conversation_id}]")


themes = typer.Typer(no_args_is_help=True, help="Comment themes and tone, stored per comment.")
app.add_typer(themes, name="themes")


@themes.command("backfill")
def themes_backfill() -> None:
    """Tag comments stored without themes or by an older detector (answers never tag)."""
    from core.db import connect, database
    from embeddings.active import load_embedder
    from enrichment.tagging import backfill_themes

    settings = _settings()
    with database(settings, migrate=True) as db, connect(db.url) as conn:
        done = backfill_themes(conn, embedder=load_embedder(settings))
    print(f"{done} comments tagged")


@evaluate.command("parse")
def eval_parse(
    reports: Annotated[int, typer.Option(min=1)] = 1000,
    seed: Annotated[int, typer.Option()] = 2026,
    html_share: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share of Blue reports as saved pages")
    ] = 0.0,
    survey_exports: Annotated[int, typer.Option(min=0, help="Survey exports to add")] = 0,
) -> None:
    """Exact-report rate and field accuracy of the parser on a fresh corpus, styles at random."""
    from devtools.evaluate.parse import evaluate_parse

    result = evaluate_parse(
        reports=reports, seed=seed, html_share=html_share, survey_exports=survey_exports
    )
    print("\n".join(result.lines()))
    raise typer.Exit(0 if result.exact == result.reports else 1)


@evaluate.command("retrieval")
def eval_retrieval(
    corpus: Annotated[Path | None, typer.Option(exists=True, file_okay=False)] = None,
    reports: Annotated[int, typer.Option(min=3)] = 120,
    seed: Annotated[int, typer.Option()] = 7,
    k: Annotated[int, typer.Option(min=1)] = 10,
    which: Annotated[
        str, typer.Option("--set", help="generated, independent or both (side by side)")
    ] = "both",
    track: Annotated[bool, typer.Option("--track/--no-track", help="Log an MLflow run")] = True,
) -> None:
    """recall@k, MRR and nDCG@10 by mode; P@10, R@10, nDCG@10 by search signals on both sets."""
    from devtools.evaluate.retrieval import run_retrieval_eval
    from evaluation.retrieval import SETS, format_retrieval_eval

    sets = SETS if which == "both" else tuple(s for s in SETS if s == which)
    if not sets:
        raise typer.BadParameter(f"--set {which!r}: generated, independent or both")
    settings = _settings()
    run = run_retrieval_eval(settings, corpus=corpus, reports=reports, seed=seed, k=k, sets=sets)
    print(format_retrieval_eval(run, k=k))
    if track:
        from mlops.evals import log_retrieval_eval

        run_id = log_retrieval_eval(
            settings, run, k=k, reports=reports, seed=seed, corpus=str(corpus) if corpus else None
        )
        print(f"  MLflow run {run_id} in {settings.mlflow_uri}")


@evaluate.command("themes")
def eval_themes(
    corpus: Annotated[Path | None, typer.Option(exists=True, file_okay=False)] = None,
    reports: Annotated[int, typer.Option(min=3)] = 60,
    seed: Annotated[int, typer.Option()] = 23,
    which: Annotated[
        str, typer.Option("--set", help="generated, independent or both (side by side)")
    ] = "both",
) -> None:
    """Stored theme tags and tone against labels: precision/recall per theme, counts, tone."""
    from devtools.evaluate.themes import run_themes_eval
    from evaluation.retrieval import SETS
    from evaluation.themes import format_themes_eval

    sets = SETS if which == "both" else tuple(s for s in SETS if s == which)
    if not sets:
        raise typer.BadParameter(f"--set {which!r}: generated, independent or both")
    results = run_themes_eval(_settings(), sets=sets, corpus=corpus, reports=reports, seed=seed)
    print(format_themes_eval(results))


@evaluate.command("ask")
def eval_ask(
    corpus: Annotated[Path | None, typer.Option(exists=True, file_okay=False)] = None,
    reports: Annotated[int, typer.Option(min=3)] = 120,
    seed: Annotated[int, typer.Option()] = 7,
    which: Annotated[
        str,
        typer.Option(
            "--set",
            help="generated (the gold set built from a generated corpus), independent"
            " (tests/data/independent, written by another hand) or both",
        ),
    ] = "both",
    independent_dir: Annotated[
        Path | None, typer.Option(exists=True, file_okay=False, help="The independent set")
    ] = None,
    track: Annotated[bool, typer.Option("--track/--no-track", help="Log an MLflow run")] = True,
) -> None:
    """Numeric exactness, citation precision/recall, theme counts and refusals on the gold sets."""
    from devtools.evaluate.ask import format_side_by_side, run_ask_eval
    from evaluation.ask import format_ask_eval

    if which not in ("generated", "independent", "both"):
        raise typer.BadParameter("--set is generated, independent or both")
    settings = _settings()
    generated = independent = None
    if which in ("generated", "both"):
        generated = run_ask_eval(settings, corpus=corpus, reports=reports, seed=seed)
    if which in ("independent", "both"):
        from devtools.evaluate.independent import (
            DEFAULT_DIR,
            format_independent,
            run_independent_eval,
        )

        independent = run_independent_eval(settings, directory=independent_dir or DEFAULT_DIR)
    if generated and independent:
        print(format_side_by_side(generated, independent), end="\n\n")
    if generated:
        print(format_ask_eval(generated))
    if independent:
        print(("\n" if generated else "") + format_independent(independent))
    if track:
        from devtools.evaluate.ask import independent_as_result
        from mlops.evals import log_ask_eval

        if generated:
            run_id = log_ask_eval(
                settings,
                generated,
                reports=reports,
                seed=seed,
                corpus=str(corpus) if corpus else None,
            )
            print(f"  MLflow run {run_id} in {settings.mlflow_uri}")
        if independent:
            run_id = log_ask_eval(
                settings,
                independent_as_result(independent),
                reports=independent.reports,
                seed=0,
                corpus=f"independent:{independent_dir or DEFAULT_DIR}",
            )
            print(f"  MLflow run {run_id} (independent set) in {settings.mlflow_uri}")


@bench.command("ask")
def bench_ask(
    reports: Annotated[int, typer.Option(min=10)] = 1000,
    questions: Annotated[int, typer.Option(min=10)] = 200,
    seed: Annotated[int, typer.Option()] = 3,
) -> None:
    """p50/p95 of ask (extractive answerer) by route, against search alone."""
    from devtools.bench.ask import format_ask_benchmark, run_ask_benchmark

    result = run_ask_benchmark(_settings(), reports=reports, questions=questions, seed=seed)
    print(format_ask_benchmark(result))


@bench.command("parse")
def bench_parse(
    corpus: Annotated[Path, typer.Option(exists=True, file_okay=False)],
) -> None:
    """Pages/s of the parser against pdfminer.six extract_text on the same PDFs."""
    from devtools.bench.parse import format_parse_benchmark, run_parse_benchmark

    print(format_parse_benchmark(run_parse_benchmark(corpus)))


@bench.command("embed")
def bench_embed(
    corpus: Annotated[Path | None, typer.Option(exists=True, file_okay=False)] = None,
    reports: Annotated[int, typer.Option(min=3)] = 120,
    seed: Annotated[int, typer.Option()] = 7,
    rounds: Annotated[int, typer.Option(min=1)] = 3,
) -> None:
    """Comments/s and nDCG@10 of sentence-transformers fp32 (batch 32) against the fast backends."""
    from devtools.bench.embed import format_embed_benchmark, run_embed_benchmark

    result = run_embed_benchmark(
        corpus_dir=corpus, reports=reports, seed=seed, settings=_settings(), rounds=rounds
    )
    print(format_embed_benchmark(result))


@bench.command("search")
def bench_search(
    comments: Annotated[int, typer.Option(min=1000)] = 250_000,
    queries: Annotated[int, typer.Option(min=10)] = 200,
    seed: Annotated[int, typer.Option()] = 5,
    text_mode: Annotated[
        str, typer.Option(help="Embedded text: comment (the service's default) or context")
    ] = "comment",
) -> None:
    """Hybrid search p50/p95 with and without filters, and ANN recall@10 against exact search."""
    from devtools.bench.search import format_search_benchmark, run_search_benchmark
    from embeddings.models import resolve_backend

    if text_mode not in ("context", "comment"):
        raise typer.BadParameter(f"{text_mode!r} is not 'context' or 'comment'")
    settings = _settings()
    result = run_search_benchmark(
        comments=comments,
        queries=queries,
        seed=seed,
        embedder_backend=resolve_backend(settings.embedding_backend),
        settings=settings,
        text_mode=text_mode,  # type: ignore[arg-type]  # checked above
    )
    print(format_search_benchmark(result))


@bench.command("text-modes")
def bench_text_modes(
    comments: Annotated[int, typer.Option(min=500)] = 20_000,
    queries: Annotated[int, typer.Option(min=10)] = 200,
) -> None:
    """ANN recall of comment vs context embedded text, real embeddings against the emulation."""
    from devtools.bench.text_modes import format_text_mode_benchmark, run_text_mode_benchmark
    from embeddings.models import resolve_backend

    settings = _settings()
    backend = resolve_backend(settings.embedding_backend)
    result = run_text_mode_benchmark(comments=comments, queries=queries, backend=backend)
    print(format_text_mode_benchmark(result))


@bench.command("pipeline")
def bench_pipeline(
    reports: Annotated[int, typer.Option(min=1)] = 200,
    workers: Annotated[str, typer.Option(help="Worker counts to measure, e.g. 1,2")] = "1",
    queue: Annotated[str, typer.Option(help="postgres or kafka")] = "postgres",
) -> None:
    """Reports/s from upload (HTTP) to processed, against parsing alone on the same files."""
    from devtools.bench.pipeline import format_pipeline_benchmark, run_pipeline_benchmark

    if queue not in ("postgres", "kafka"):
        raise typer.BadParameter(f"queue must be postgres or kafka, not {queue!r}")
    for count in (int(w) for w in workers.split(",")):
        if queue == "kafka":
            from devtools.bench.kafka import run_kafka_pipeline_benchmark

            result = run_kafka_pipeline_benchmark(reports=reports, workers=count)
        else:
            result = run_pipeline_benchmark(reports=reports, workers=count)
        print(f"[{queue}] " + format_pipeline_benchmark(result))


# --- backup (the library is core.backup; the Kubernetes operator calls it too) ---------------

Location = Annotated[str, typer.Option(help="gs://bucket/prefix or file:///path")]


def _backup_failed(exc: Exception) -> typer.Exit:
    print(f"error: {exc}", file=sys.stderr)
    return typer.Exit(1)


@backup.command("run")
def backup_run(
    to: Location,
    schema: Annotated[list[str] | None, typer.Option(help="Only this schema; repeatable")] = None,
    compression: Annotated[str, typer.Option(help="none, gzip[:LEVEL], lz4, zstd")] = "gzip",
) -> None:
    """pg_dump the database (custom format) into a new object, streamed, with its SHA-256."""
    from core.backup import open_store, run_backup
    from core.db import database
    from core.errors import TraceLensError

    settings = _settings()
    try:
        with database(settings) as db:
            store = open_store(to, settings)
            result = run_backup(
                source_url=db.url, store=store, schemas=tuple(schema or ()), compression=compression
            )
    except TraceLensError as exc:
        raise _backup_failed(exc) from exc
    b = result.backup
    print(f"{b.url}: {b.size} bytes, sha256 {b.sha256}, {result.duration_s:.1f}s")


@backup.command("list")
def backup_list(
    from_: Annotated[str, typer.Option("--from", help="gs://bucket/prefix or file:///path")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The backups in a location, oldest first; incomplete uploads are marked."""
    from core.backup import open_store

    backups = sorted(open_store(from_, _settings()).list(), key=lambda b: b.created)
    if as_json:
        print(json.dumps([b.as_dict() for b in backups], indent=2))
        return
    for b in backups:
        state = f"sha256 {b.sha256[:16]}..." if b.sha256 else "INCOMPLETE"
        print(f"{b.name}  {b.created:%Y-%m-%d %H:%M:%S}Z  {b.size:>12,} bytes  {state}")


@backup.command("restore")
def backup_restore(
    from_: Annotated[str, typer.Option("--from", help="gs://bucket/prefix or file:///path")],
    latest: Annotated[bool, typer.Option("--latest", help="The newest complete backup")] = False,
    name: Annotated[str | None, typer.Option(help="A backup's name, as listed")] = None,
    target_url: Annotated[
        str | None, typer.Option(help="postgresql:// URL; default the configured database")
    ] = None,
    target_db: Annotated[
        str | None, typer.Option(help="A database on the configured server (created if missing)")
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace what a non-empty target holds")] = False,
) -> None:
    """Restore a backup after checking its SHA-256; a non-empty target needs --force."""
    from core.backup import choose_backup, open_store, restore_backup
    from core.db import database, with_database
    from core.errors import TraceLensError

    settings = _settings()
    try:
        store = open_store(from_, settings)
        chosen = choose_backup(store, name=name, latest=latest)
        with database(settings) as db:
            url = target_url or (with_database(db.url, target_db) if target_db else db.url)
            result = restore_backup(store=store, backup=chosen, target_url=url, force=force)
    except TraceLensError as exc:
        raise _backup_failed(exc) from exc
    made = "created, " if result.created_database else ""
    print(
        f"restored {chosen.name} (sha256 verified) into {result.database!r} ({made}"
        f"{result.tables} tables) in {result.duration_s:.1f}s"
    )


@backup.command("prune")
def backup_prune(
    from_: Annotated[str, typer.Option("--from", help="gs://bucket/prefix or file:///path")],
    keep: Annotated[int | None, typer.Option(min=1, help="Keep the N newest")] = None,
    max_age: Annotated[float | None, typer.Option(min=0, help="Delete those older (days)")] = None,
    dry_run: Annotated[bool, typer.Option(help="Only say what would go")] = False,
) -> None:
    """Delete backups past the keep count or older than the maximum age (never the newest)."""
    from datetime import timedelta

    from core.backup import open_store, prune_backups, utcnow
    from core.errors import TraceLensError

    settings = _settings()
    age = timedelta(days=max_age) if max_age is not None else None
    try:
        store = open_store(from_, settings)
        gone = prune_backups(store, keep=keep, max_age=age, now=utcnow(), dry_run=dry_run)
    except TraceLensError as exc:
        raise _backup_failed(exc) from exc
    for b in gone:
        print(f"{'would delete' if dry_run else 'deleted'} {b.name}")
    print(f"{len(gone)} {'to prune' if dry_run else 'pruned'}, {len(store.list())} kept")


@backup.command("compare")
def backup_compare(
    target_db: Annotated[str, typer.Option(help="A database on the configured server")],
) -> None:
    """Compare every table's row count and content checksum with another database (a drill)."""
    from core.backup import fingerprints
    from core.db import connect, database, with_database

    settings = _settings()
    with (
        database(settings) as db,
        connect(db.url) as a,
        connect(with_database(db.url, target_db)) as b,
    ):
        ours, theirs = fingerprints(a), fingerprints(b)
    differ = 0
    for table in sorted(set(ours) | set(theirs)):
        same = ours.get(table) == theirs.get(table)
        differ += not same
        rows = [str(x[0]) if x else "-" for x in (ours.get(table), theirs.get(table))]
        print(f"{'same' if same else 'DIFFERENT':9} {table:40} rows {rows[0]:>8} | {rows[1]:>8}")
    print(f"{len(ours)} tables here, {len(theirs)} in {target_db}; {differ} differ")
    raise typer.Exit(1 if differ else 0)


register_commands(app, bench)  # reembed, spaces, models, bench reembed (mlops.commands)

if __name__ == "__main__":
    app()
