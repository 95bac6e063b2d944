"""`tracelens bench text-modes`: HNSW recall of each embedded text, real against emulated.

Two questions, answered on a corpus small enough to embed every comment for real:
- which embedded text keeps the ANN accurate (comments embedded alone, or with their course,
  term and prompt: the context makes vectors of one section cluster tightly, and queries,
  which carry no context, land between the clusters);
- whether `devtools.bench.vectors` emulates each space faithfully, so that the 250k-comment
  `tracelens bench search` measures what real embeddings would give.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from psycopg import sql

from core.db import connect, scratch_database
from devtools.bench.search import tie_recall
from devtools.bench.search_corpus import BASE_TEXTS, bench_embedder, bench_queries, generate_corpus
from devtools.bench.vectors import comment_vectors, context_vectors
from embeddings.base import Embedder, embed_texts
from embeddings.indexing import embedding_text
from rag.search.legs import vector_literal

EF_SEARCHES = (40, 100, 250)


def _spaces(embedder: Embedder, comments: int, seed: int) -> dict[str, np.ndarray]:
    corpus = generate_corpus(comments, seed)
    rows, section_of = [], []
    for s, prompt, _, text in corpus.comments:
        ci, ti, _, _ = corpus.sections[s - 1]
        subject, number, title = corpus.courses[ci]
        rows.append({"course": subject + number, "title": title,
                     "term": corpus.terms[ti].label, "prompt": prompt, "text": text})  # fmt: skip
        section_of.append(s)
    texts = [r["text"] for r in rows]
    distinct = list(dict.fromkeys(texts))
    at = {text: i for i, text in enumerate(distinct)}
    real_comment = embed_texts(embedder, distinct)[[at[t] for t in texts]]
    real_context = embed_texts(embedder, [embedding_text(r, "context") for r in rows])
    rng = np.random.default_rng(seed)
    made = comment_vectors(embedder, texts, corpus.groups, rng, BASE_TEXTS)
    emulated_context, _ = context_vectors(embedder, made, rows, section_of, rng)
    return {
        "comment, real": real_comment,
        "comment, emulated": made.vectors,
        "context, real": real_context,
        "context, emulated": emulated_context,
    }


def run_text_mode_benchmark(
    *, comments: int = 20_000, queries: int = 200, seed: int = 5, backend: str = "torch-bf16"
) -> dict[str, Any]:
    """Recall@10 against exact search at each ef_search, for every (text, real/emulated)."""
    embedder, fallback = bench_embedder(backend, None)
    spaces = _spaces(embedder, comments, seed)
    texts = bench_queries(queries, seed)
    qvecs = embed_texts(embedder, texts)
    recall: dict[str, dict[int, float]] = {}
    with scratch_database("tl-bench-text-modes-") as (_, db), connect(db.url) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        for i, (name, vectors) in enumerate(spaces.items()):
            table = sql.Identifier(f"text_mode_{i}")
            conn.execute(sql.SQL("CREATE TABLE {} (id int PRIMARY KEY, e vector({}))").format(
                table, sql.Literal(vectors.shape[1])))  # fmt: skip
            with (
                conn.cursor() as cur,
                cur.copy(sql.SQL("COPY {} (id, e) FROM STDIN").format(table)) as copy,
            ):
                for row, vector in enumerate(vectors):
                    copy.write_row((row, vector_literal(vector)))
            conn.execute(
                sql.SQL(
                    "CREATE INDEX ON {} USING hnsw (e vector_cosine_ops)"
                    " WITH (m = 16, ef_construction = 64)"
                ).format(table)
            )
            conn.commit()
            sims, ids = vectors @ qvecs.T, np.arange(len(vectors))
            recall[name] = {}
            for ef in EF_SEARCHES:
                found = []
                for q, qvec in enumerate(qvecs):
                    conn.execute("SELECT set_config('hnsw.ef_search', %s, true)", (str(ef),))
                    literal = vector_literal(qvec)
                    rows = conn.execute(
                        sql.SQL(
                            "SELECT id, e <=> %s::vector AS d FROM {} ORDER BY e <=> %s::vector"
                            " LIMIT 10"
                        ).format(table),
                        (literal, literal),
                    ).fetchall()
                    conn.commit()
                    hits = [(int(r["id"]), 1.0 - float(r["d"])) for r in rows]
                    found.append(tie_recall(hits, sims[:, q], ids)[0])
                recall[name][ef] = float(np.mean(found))
    return {
        "comments": comments,
        "queries": len(texts),
        "embedder": {"backend": embedder.backend, "fallback": fallback},
        "recall": recall,
    }


def format_text_mode_benchmark(result: dict[str, Any]) -> str:
    emb = result["embedder"]
    made = emb["backend"] + (f" -- FALLBACK: {emb['fallback']}" if emb["fallback"] else "")
    lines = [
        f"text modes: {result['comments']:,} comments, every one embedded for real ({made}), "
        f"{result['queries']} queries; HNSW m=16, ef_construction=64; recall@10 vs exact:",
        "    " + f"{'space':<20}" + "".join(f"ef_search={ef:<6}" for ef in EF_SEARCHES),
    ]
    for name, by_ef in result["recall"].items():
        lines.append(f"    {name:<20}" + "".join(f"{by_ef[ef]:<16.3f}" for ef in EF_SEARCHES))
    return "\n".join(lines)
