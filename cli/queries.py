"""Search and ask from the command line: the same search and answers as the REST API.

Imports inside the commands are for start-up speed: `tracelens --help` loads none of them.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer


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
    # start-up speed: search loads the database driver and the embedder only when it runs
    from cli.wiring import load_settings, model_in_service
    from core.db import database_connection
    from rag.search.filters import SearchFilters
    from rag.search.searcher import open_searcher

    if mode not in ("hybrid", "vector", "text"):
        raise typer.BadParameter(f"mode must be hybrid, vector or text, not {mode!r}")
    settings = load_settings()
    filters = SearchFilters(
        course=course, subject=subject, term=term, instructor=instructor, prompt=prompt
    )
    model = model_in_service(settings)
    with database_connection(settings) as conn:
        hits = open_searcher(conn, model).search(
            conn,
            query=query,
            k=k,
            filters=filters,
            mode=mode,  # type: ignore[arg-type]
            group=True,
        )
    if as_json:
        print(json.dumps([h.model_dump() for h in hits], ensure_ascii=False, indent=2))
        return
    for rank, hit in enumerate(hits, start=1):
        c = hit.citation
        print(f"{rank:2}. [{c.course_code}-{c.section} {c.term}, {'; '.join(c.instructors)}]")
        print(f"    {c.prompt} #{c.comment_number} (fused {hit.scores.fused:.4f})")
        print(f"    {hit.text}" + (f"  ({hit.count} comments say this)" if hit.count > 1 else ""))


def ask(
    question: Annotated[str, typer.Argument(help="A question about the reports, in plain English")],
    conversation: Annotated[
        str | None, typer.Option(help="Continue a conversation (follow-ups)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Answer a question: numbers from the score tables, opinions from cited comments."""
    # start-up speed: answering loads its models only when it runs
    from cli.wiring import load_settings, model_in_service
    from core.db import database_connection
    from rag.answer.ask import open_asker
    from rag.search.searcher import open_searcher

    settings = load_settings()
    model = model_in_service(settings)
    with database_connection(settings) as conn:
        asker = open_asker(settings, open_searcher(conn, model))
        answer = asker.ask(conn, question=question, principal="local", conversation_id=conversation)
    if as_json:
        print(answer.model_dump_json(indent=2))
        return
    print(answer.answer)
    for fact in answer.facts:
        print(f"  - {fact.label}: {fact.value} (n={fact.n})")
    print(f"\n[{answer.route}; conversation {answer.conversation_id}]")
