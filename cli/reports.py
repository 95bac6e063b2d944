"""Reports in and out: parse files, load them, parse failures again, migrate, who is who, themes.

Imports inside the commands are for start-up speed: `tracelens --help` and `tracelens parse`
load only what the command they run needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

instructors = typer.Typer(
    no_args_is_help=True, help="Who is who: merge two instructors, split one."
)
themes = typer.Typer(no_args_is_help=True, help="Comment themes and tone, stored per comment.")


def parse(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON contract")] = False,
    course: Annotated[str | None, typer.Option(help="A survey export's course")] = None,
    term: Annotated[str | None, typer.Option(help="A survey export's term")] = None,
    title: Annotated[str | None, typer.Option(help="A survey export's title")] = None,
) -> None:
    """Parse report files and survey exports; JSON Lines with --json; exit 1 if any fails."""
    # start-up speed: the parsers load only when parsing
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


def migrate() -> None:
    """Apply pending schema migrations to the configured database."""
    # start-up speed: the database driver loads only for commands that use it
    from cli.wiring import load_settings
    from core.db import database_connection
    from core.db.migrate import migrate as apply

    settings = load_settings()
    with database_connection(settings) as conn:
        applied = apply(conn)
    print("applied: " + ", ".join(applied) if applied else "schema is up to date")


def ingest(
    paths: Annotated[list[Path], typer.Argument(exists=True)],
    run_worker: Annotated[
        bool, typer.Option("--worker/--no-worker", help="Also work the queue in this process")
    ] = True,
) -> None:
    """Load report files or folders through validation, the queue and the worker."""
    # start-up speed: the pipeline loads only for this command
    from cli.wiring import load_settings, table_worker_model
    from core.blobs import make_blob_store
    from core.db import database
    from ingestion.loader import ingest as load
    from ingestion.queue import make_queue

    settings = load_settings()
    with database(settings, migrate=True) as db:
        summary = load(
            settings,
            db.url,
            blobs=make_blob_store(settings),
            queue=make_queue(settings),
            paths=paths,
            run_worker=run_worker,
            model=table_worker_model(settings, run_worker=run_worker),
        )
    print("\n".join(summary.lines()))
    raise typer.Exit(1 if summary.failed or summary.rejected else 0)


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
    # start-up speed: the pipeline loads only for this command
    from cli.wiring import load_settings, table_worker_model
    from core.blobs import make_blob_store
    from core.db import database
    from ingestion.loader import reparse as requeue
    from ingestion.queue import make_queue

    if not failed:
        raise typer.BadParameter("say which reports: --failed")
    settings = load_settings()
    with database(settings, migrate=True) as db:
        summary = requeue(
            settings,
            db.url,
            blobs=make_blob_store(settings),
            queue=make_queue(settings),
            reason=reason,
            run_worker=run_worker,
            model=table_worker_model(settings, run_worker=run_worker),
        )
    print("\n".join(summary.lines()))
    raise typer.Exit(1 if summary.failed else 0)


@instructors.command("merge")
def instructors_merge(
    keep: Annotated[int, typer.Argument(help="The instructor id that stays")],
    drop: Annotated[int, typer.Argument(help="The instructor id merged into it")],
) -> None:
    """Make two instructors one person (the same name spelled two ways, or across subjects)."""
    # start-up speed: the database driver loads only for commands that use it
    from cli.wiring import load_settings
    from core.db import database_connection
    from ingestion.identity import merge_instructors

    settings = load_settings()
    with database_connection(settings, migrate=True) as conn:
        merge_instructors(conn, keep=keep, drop=drop, principal="cli")
    print(f"instructor {drop} merged into {keep}")


@instructors.command("split")
def instructors_split(
    instructor_id: Annotated[int, typer.Argument(help="The instructor to split")],
    subject: Annotated[str, typer.Option(help="The subject whose sections go to a new person")],
) -> None:
    """Two people sharing a name: the sections of one subject go to a new instructor."""
    # start-up speed: the database driver loads only for commands that use it
    from cli.wiring import load_settings
    from core.db import database_connection
    from ingestion.identity import split_instructor

    settings = load_settings()
    with database_connection(settings, migrate=True) as conn:
        new_id = split_instructor(
            conn, instructor_id=instructor_id, subject=subject.upper(), principal="cli"
        )
    print(f"{subject.upper()} sections of instructor {instructor_id} now belong to {new_id}")


@themes.command("backfill")
def themes_backfill() -> None:
    """Tag comments stored without themes or by an older detector (answers never tag)."""
    # start-up speed: the embedder loads only for commands that use it
    from cli.wiring import load_settings, model_in_service
    from core.db import database_connection
    from enrichment.tagging import backfill_themes

    settings = load_settings()
    model = model_in_service(settings)
    with database_connection(settings, migrate=True) as conn:
        done = backfill_themes(conn, embedder=model.embedder)
    print(f"{done} comments tagged")
