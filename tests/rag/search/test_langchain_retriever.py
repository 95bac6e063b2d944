"""TraceLensRetriever: LangChain's standard retriever tests, plus citations, filters and async.

Everything runs against the embedded PostgreSQL with a loaded generated corpus. The standard
tests build retrievers from class properties, not fixtures, so one module-scoped database is
loaded once and an autouse fixture hands its pool and searcher to the test instance.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_tests.integration_tests import RetrieversIntegrationTests
from psycopg_pool import ConnectionPool

from cli.wiring import model_in_service
from core.db import Conn, Database, connect, make_pool, with_database
from core.db.migrate import migrate
from core.settings import Settings
from rag.search.filters import SearchFilters
from rag.search.langchain_retriever import TraceLensRetriever
from rag.search.searcher import Searcher, open_searcher
from tests.conftest import load_reports

QUERY = "the homework load was heavy"


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    """The retriever's async path uses asyncio.to_thread, so asyncio only."""
    return "asyncio"


@pytest.fixture(scope="module")
def loaded_settings(
    pg_server: Database, corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """One migrated database holding the whole generated corpus, shared by this module."""
    name = f"t_lc_retriever_{int(time.time() * 1000) % 100000}"
    with connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = with_database(pg_server.url, name)
    with connect(url) as conn:
        migrate(conn)
    settings = Settings(
        _env_file=None,
        state_dir=tmp_path_factory.mktemp("lc-state"),
        database_url=url,
        worker_backoff_s=0.05,
        worker_poll_s=0.2,
        parse_timeout_s=20,
        embedding_backend="fake",
    )
    load_reports(settings, sorted(corpus.glob("*.pdf")) + sorted(corpus.glob("*.xlsx")))
    yield settings
    with connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def pool(loaded_settings: Settings) -> Iterator[ConnectionPool[Conn]]:
    assert loaded_settings.database_dsn is not None
    pool = make_pool(loaded_settings.database_dsn, max_size=4)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def searcher(loaded_settings: Settings, pool: ConnectionPool[Conn]) -> Searcher:
    with pool.connection() as conn:
        return open_searcher(conn, model_in_service(loaded_settings))


@pytest.fixture
def retriever(searcher: Searcher, pool: ConnectionPool[Conn]) -> TraceLensRetriever:
    return TraceLensRetriever(searcher=searcher, pool=pool)


class TestTraceLensRetrieverStandard(RetrieversIntegrationTests):
    """LangChain's standard retriever tests (langchain-tests), none skipped or overridden."""

    pytestmark = pytest.mark.anyio  # runs the async standard test; sync ones are untouched

    @pytest.fixture(autouse=True)
    def _backend(self, searcher: Searcher, pool: ConnectionPool[Conn]) -> None:
        self._params: dict[str, Any] = {"searcher": searcher, "pool": pool}

    @property
    def retriever_constructor(self) -> type[TraceLensRetriever]:
        return TraceLensRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return dict(self._params)

    @property
    def retriever_query_example(self) -> str:
        return QUERY


def test_corpus_has_more_comments_than_the_standard_k(pool: ConnectionPool[Conn]) -> None:
    with pool.connection() as conn:
        row = conn.execute("SELECT count(*) AS n FROM comments").fetchone()
    assert row is not None and row["n"] > 10


def test_documents_carry_the_citation_and_scores(
    retriever: TraceLensRetriever, searcher: Searcher, pool: ConnectionPool[Conn]
) -> None:
    docs = retriever.invoke(QUERY)
    with pool.connection() as conn:
        hits = searcher.search(conn, query=QUERY, k=10)
        texts = {
            r["id"]: r["text"]
            for r in conn.execute(
                "SELECT id, text FROM comments WHERE id = ANY(%s)",
                ([h.citation.comment_id for h in hits],),
            ).fetchall()
        }
    assert len(docs) == len(hits) == 10
    for doc, hit in zip(docs, hits, strict=True):
        assert doc.id == str(hit.citation.comment_id)
        assert doc.page_content == hit.text == texts[hit.citation.comment_id]
        assert doc.metadata == {**hit.citation.model_dump(), "scores": hit.scores.model_dump()}
        assert doc.metadata["course_code"] and doc.metadata["term"] and doc.metadata["prompt"]
        assert isinstance(doc.metadata["instructors"], list)
        assert doc.metadata["scores"]["fused"] > 0


def _course_with_comments(pool: ConnectionPool[Conn], at_least: int) -> str:
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT c.code FROM comments m JOIN sections s ON s.id = m.section_id"
            " JOIN courses c ON c.id = s.course_id GROUP BY c.code"
            " HAVING count(*) >= %s ORDER BY count(*), c.code LIMIT 1",
            (at_least,),
        ).fetchone()
    assert row is not None
    return str(row["code"])


def test_filters_narrow_the_results(
    searcher: Searcher, pool: ConnectionPool[Conn], retriever: TraceLensRetriever
) -> None:
    course = _course_with_comments(pool, at_least=5)
    unfiltered = retriever.invoke(QUERY, k=30)
    assert {d.metadata["course_code"] for d in unfiltered} - {course}, "filter would be a no-op"

    narrowed = TraceLensRetriever(
        searcher=searcher, pool=pool, k=5, filters=SearchFilters(course=course)
    )
    docs = narrowed.invoke(QUERY)
    assert len(docs) == 5
    assert {d.metadata["course_code"] for d in docs} == {course}

    per_call = retriever.invoke(QUERY, k=5, filters={"course": course})
    assert [d.id for d in per_call] == [d.id for d in docs]
    assert retriever.invoke(QUERY, filters=SearchFilters(course="ZZ 9999")) == []


def test_k_override_per_call(searcher: Searcher, pool: ConnectionPool[Conn]) -> None:
    retriever = TraceLensRetriever(searcher=searcher, pool=pool, k=5)
    five = retriever.invoke(QUERY)
    assert len(five) == 5
    two = retriever.invoke(QUERY, k=2)
    assert [d.id for d in two] == [d.id for d in five[:2]]
    assert len(retriever.invoke(QUERY, k=12)) == 12
    assert retriever.k == 5


def test_mode_and_bad_arguments(retriever: TraceLensRetriever) -> None:
    docs = retriever.invoke("midterm", k=3, mode="text")
    assert len(docs) == 3
    assert all("midterm" in d.page_content.lower() for d in docs)
    assert all(d.metadata["scores"]["vector"] is None for d in docs)
    with pytest.raises(TypeError, match="top_k"):
        retriever.invoke(QUERY, top_k=3)
    with pytest.raises(ValueError, match="k must be at least 1"):
        retriever.invoke(QUERY, k=0)


def test_in_service(loaded_settings: Settings, pool: ConnectionPool[Conn]) -> None:
    retriever = TraceLensRetriever.in_service(model_in_service(loaded_settings), pool, k=4)
    docs = retriever.invoke(QUERY)
    assert len(docs) == 4 and all(isinstance(d, Document) for d in docs)


@pytest.mark.anyio
async def test_async_invoke_matches_sync(retriever: TraceLensRetriever) -> None:
    expected = [d.id for d in retriever.invoke(QUERY, k=6)]
    docs = await retriever.ainvoke(QUERY, k=6)
    assert [d.id for d in docs] == expected
    queries = [QUERY, "lectures were clear", "exams were unfair", "office hours helpful"]
    batches = await asyncio.gather(*(retriever.ainvoke(q, k=3) for q in queries))
    assert [len(b) for b in batches] == [3, 3, 3, 3]
    assert [d.id for d in batches[0]] == expected[:3]
