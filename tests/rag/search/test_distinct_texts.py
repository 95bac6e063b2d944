"""One vector per distinct text: search gives what one vector per comment gave, grouped hits
count every comment with their text, and a text's vector goes with its last comment."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from psycopg import sql

from core.db import Conn, connect
from devtools.bench.search_corpus import generate_corpus, load_catalogue
from embeddings.base import FakeEmbedder
from embeddings.indexing import embed_sections, store_texts
from embeddings.spaces import Space, ensure_space
from rag.search.filters import SearchFilters
from rag.search.hybrid import search
from rag.search.legs import vector_leg
from rag.search.searcher import open_searcher

Repeated = tuple[Conn, Space, list[dict[str, Any]]]

QUERIES = ("homework load is heavy", "nothing to add", "great professor", "exams were fair")


@pytest.fixture
def repeated(db_url: str) -> Iterator[Repeated]:
    """1,500 generated comments (about a fifth repeat another's text), embedded by the worker's
    path with the fake embedder; and every comment with its own vector, as reference."""
    conn = connect(db_url)
    load_catalogue(conn, generate_corpus(1500, seed=9))
    embedder = FakeEmbedder()
    space = ensure_space(conn, embedder=embedder, text_mode="comment")
    embed_sections(conn, space=space, embedder=embedder)
    rows = conn.execute(
        "SELECT m.id, m.text, c.code FROM comments m JOIN sections s ON s.id = m.section_id"
        " JOIN courses c ON c.id = s.course_id ORDER BY m.id"
    ).fetchall()
    vectors = embedder.embed_batch([r["text"] for r in rows])  # one per comment, repeats too
    reference = [{**r, "vector": v} for r, v in zip(rows, vectors, strict=True)]
    yield conn, space, reference
    conn.close()


def _reference_ranking(
    reference: list[dict[str, Any]], query: np.ndarray
) -> list[tuple[int, float]]:
    scored = [(r["id"], float(np.dot(r["vector"], query))) for r in reference]
    return sorted(scored, key=lambda x: (-x[1], x[0]))


def test_fewer_vectors_than_comments_and_each_comment_mapped(
    repeated: Repeated,
) -> None:
    conn, space, reference = repeated
    distinct = len({r["text"] for r in reference})
    assert distinct < 0.9 * len(reference)  # the corpus does repeat itself
    texts = conn.execute(sql.SQL("SELECT count(*) AS n FROM {}").format(space.texts)).fetchone()
    mapped = conn.execute(sql.SQL("SELECT count(*) AS n FROM {}").format(space.mapping))
    assert texts == {"n": distinct}
    assert mapped.fetchone() == {"n": len(reference)}


@pytest.mark.parametrize("course", [None, "first"])
def test_vector_leg_equals_one_vector_per_comment(
    repeated: Repeated,
    course: str | None,
) -> None:
    conn, space, reference = repeated
    embedder = FakeEmbedder()
    if course is not None:
        course = reference[0]["code"]
        reference = [r for r in reference if r["code"] == course]
    where, params = (sql.SQL("c.code = %s"), [course]) if course else (sql.SQL("true"), [])
    for query in QUERIES:
        qvec = embedder.embed_batch([query])[0]
        got = vector_leg(
            conn, space, qvec, where, params, 30, filtered=course is not None, exact=True
        )
        expected = dict(_reference_ranking(reference, qvec))
        text_of = {r["id"]: r["text"] for r in reference}
        # every score is the comment's own vector's score
        assert all(abs(score - expected[cid]) < 1e-5 for cid, score in got.items())
        if course is None:
            # the 30 nearest distinct texts, each expanded to every comment that has it
            texts = {text_of[cid] for cid in got}
            assert len(texts) == 30
            assert set(got) == {cid for cid, t in text_of.items() if t in texts}
            floor = min(got.values())
            assert all(s < floor + 1e-5 for cid, s in expected.items() if cid not in got)
        else:
            # the 30 nearest comments among those the filter matches
            assert len(got) == min(30, len(reference))
            floor = min(got.values())
            assert all(s < floor + 1e-5 for cid, s in expected.items() if cid not in got)


def test_grouped_hits_carry_the_count_and_citations_of_every_identical_comment(
    repeated: Repeated,
) -> None:
    conn, space, reference = repeated
    counts = Counter(r["text"] for r in reference)
    embedder = FakeEmbedder()
    for query in QUERIES:
        qvec = embedder.embed_batch([query])[0]
        hits = search(
            conn, space=space, query=query, query_vector=qvec, k=10, mode="vector", group=True
        )
        plain = search(conn, space=space, query=query, query_vector=qvec, k=10, mode="vector")
        texts = [h.text for h in hits]
        assert len(texts) == len(set(texts)) == 10  # ten distinct texts, no sentence twice
        # the same ranking as ungrouped search, with each repeat folded into its first hit
        assert texts[: len(dict.fromkeys(h.text for h in plain))] == list(
            dict.fromkeys(h.text for h in plain)
        )
        for hit in hits:
            assert hit.count == counts[hit.text]
            ids = [c.comment_id for c in hit.citations]
            assert ids == sorted(r["id"] for r in reference if r["text"] == hit.text)
            assert hit.citation.comment_id in ids
    # a filter narrows the counts to the comments it matches
    course = reference[0]["code"]
    in_course = Counter(r["text"] for r in reference if r["code"] == course)
    qvec = embedder.embed_batch([QUERIES[1]])[0]
    hits = search(
        conn,
        space=space,
        query=QUERIES[1],
        query_vector=qvec,
        k=5,
        mode="vector",
        group=True,
        filters=SearchFilters(course=course),
    )
    assert hits and all(h.count == in_course[h.text] for h in hits)


def test_the_last_comment_with_a_text_takes_its_vector_with_it(
    repeated: Repeated,
) -> None:
    conn, space, reference = repeated
    text = Counter(r["text"] for r in reference).most_common(1)[0][0]
    ids = [r["id"] for r in reference if r["text"] == text]
    assert len(ids) >= 2

    def has_vector() -> bool:
        row = conn.execute(
            sql.SQL("SELECT count(*) AS n FROM {} WHERE text_md5 = md5(%s)").format(space.texts),
            (text,),
        ).fetchone()
        return bool(row and row["n"])

    conn.execute("DELETE FROM comments WHERE id = ANY(%s)", (ids[:-1],))
    assert has_vector()  # one comment still has the text
    conn.execute("DELETE FROM comments WHERE id = %s", (ids[-1],))
    assert not has_vector()


def test_the_searcher_groups_when_asked(
    repeated: Repeated,
) -> None:
    conn, _, _ = repeated
    from embeddings.active import ModelInService

    searcher = open_searcher(conn, ModelInService(embedder=FakeEmbedder(), text_mode="comment"))
    hits = searcher.search(conn, query="nothing to add", k=10, mode="hybrid", group=True)
    assert len({h.text for h in hits}) == len(hits) > 0
    assert any(h.count > 1 for h in hits)


def test_writers_adding_overlapping_texts_wait_in_one_order(db_url: str) -> None:
    """The re-embed shards' deadlock, made deterministic: A holds text a uncommitted; B adds
    {b, a}; A then adds b. Inserting in md5 order, B waits on a before taking b, so A goes on;
    in the order given, B would hold b and wait on a while A waited on b."""
    embedder = FakeEmbedder()
    a, b = sorted(["0" * 32, "f" * 32])
    vec = embedder.embed_batch(["x"])[0]
    with connect(db_url) as setup:
        space = ensure_space(setup, embedder=embedder, text_mode="comment")
        setup.commit()
    first, second = connect(db_url), connect(db_url)
    try:
        store_texts(first, space=space, vectors={a: vec})
        pid = second.execute("SELECT pg_backend_pid() AS pid").fetchone()["pid"]  # type: ignore[index]
        failures: list[BaseException] = []

        def add_both() -> None:
            try:
                store_texts(second, space=space, vectors={b: vec, a: vec})
                second.commit()
            except BaseException as exc:  # handed to the test thread
                failures.append(exc)

        worker = threading.Thread(target=add_both)
        worker.start()
        _await_lock_wait(first, pid)
        store_texts(first, space=space, vectors={b: vec})  # would deadlock in the given order
        first.commit()
        worker.join(timeout=30)
        assert not worker.is_alive() and failures == []
        held = first.execute(sql.SQL("SELECT text_md5 FROM {} ORDER BY 1").format(space.texts))
        assert [r["text_md5"] for r in held.fetchall()] == [a, b]
    finally:
        first.close()
        second.close()


def _await_lock_wait(conn: Conn, pid: int) -> None:
    for _ in range(300):
        row = conn.execute(
            "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)
        ).fetchone()
        if row is not None and row["wait_event_type"] == "Lock":
            return
        time.sleep(0.05)
    raise AssertionError(f"backend {pid} never waited on a lock")
