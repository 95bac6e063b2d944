"""`tracelens bench search`: hybrid-search latency and ANN recall on a synthetic corpus at scale.

Everything runs in a scratch embedded PostgreSQL: a catalogue of courses, terms, instructors and
sections, comments composed by the corpus generator (so full text behaves like real comments),
loaded with COPY; vectors derived from real embeddings (`devtools.bench.vectors`) of the comment
alone (the service's default) or with its context; the HNSW index built after loading, as a bulk
re-embed would. Latency is the product's search (rag.search.hybrid.search) as the API calls it,
query embedding excluded (the query cache holds it); the text leg's diagnosis and the exact
baseline run the product's own leg statements (rag.search.legs), never copies of them."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pgvector.psycopg import register_vector
from psycopg import sql

from core.db import Conn, connect, start_embedded
from core.db.migrate import migrate
from devtools.bench.search_corpus import (
    BASE_TEXTS,
    INDEX_SETTINGS,
    BenchCorpus,
    TextMode,
    bench_embedder,
    bench_queries,
    build_index,
    corpus_vectors,
    generate_corpus,
    index_name,
    load_catalogue,
    load_vectors,
)
from devtools.bench.vectors import DERIVE_SCALE
from embeddings.base import Embedder, embed_texts
from embeddings.spaces import HNSW_EF_CONSTRUCTION, HNSW_M, Space, ensure_space
from rag.search.filters import SearchFilters
from rag.search.hybrid import Mode, search
from rag.search.legs import (
    EF_SEARCH,
    EXACT_SCAN_LIMIT,
    any_word_query,
    text_leg_statement,
    vector_leg_statement,
)

if TYPE_CHECKING:
    from core.settings import Settings


K = 10


TARGET_P95_MS = 25.0


TARGET_RECALL = 0.98


EF_SWEEP = (40, 64, 100, 160, 250)


CASE_BUDGET_S = 40.0
"""Wall time one latency case may take before it stops (it reports how many queries ran)."""


DIAGNOSIS_QUERIES = 40


def _pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def _timed(
    run: Callable[[int], int], n: int, *, warmup: int = 10, budget_s: float = CASE_BUDGET_S
) -> dict[str, Any]:
    """p50/p95 of `run(i)` after a warm-up; counts calls that returned fewer than k hits.

    A case stops early (after at least 20 calls) once it has run for `budget_s`, so a slow
    path is still measured without holding the whole benchmark up.
    """
    for i in range(min(warmup, n)):
        run(i)
    times, short = [], 0
    began = time.perf_counter()
    for i in range(n):
        started = time.perf_counter()
        got = run(i)
        times.append((time.perf_counter() - started) * 1000)
        short += got < K
        if i >= 19 and time.perf_counter() - began > budget_s:
            break
    return {"p50_ms": _pct(times, 50), "p95_ms": _pct(times, 95), "n": len(times), "short": short}


def _ann_ids(conn: Conn, space: Space, qvec: np.ndarray, ef: int) -> list[tuple[int, float]]:
    """The product's unfiltered vector leg (rag.search.legs) at a given ef_search (for tuning)."""
    statement, args = vector_leg_statement(
        space, qvec, sql.SQL("TRUE"), [], K, filtered=False, exact=False
    )
    with conn.transaction():
        conn.execute(sql.SQL("SET LOCAL hnsw.ef_search = {}").format(sql.Literal(ef)))
        rows = conn.execute(statement, args).fetchall()
    return [(int(r["id"]), 1.0 - float(r["d"])) for r in rows]


def tie_recall(
    found: Sequence[tuple[int, float]], sims: np.ndarray, ids: np.ndarray
) -> tuple[float, float]:
    """(tie-aware recall@k, id recall@k) of ANN hits against the exact top k."""
    top = np.argpartition(-sims, K)[:K]
    kth = float(np.min(sims[top]))
    truth = set(ids[top].tolist())
    by_score = sum(1 for _, s in found[:K] if s >= kth - 1e-5) / K
    by_id = sum(1 for cid, _ in found[:K] if cid in truth) / K
    return min(by_score, 1.0), by_id


def _text_leg(query: str) -> tuple[sql.Composed, list[Any]]:
    """The product's unfiltered text leg (rag.search.legs), as text-only search runs it."""
    return text_leg_statement(query, sql.SQL("TRUE"), [], 40, filtered=True, candidates=None)


def _exact_leg(space: Space, qvec: np.ndarray) -> tuple[sql.Composed, list[Any]]:
    """The product's exact vector leg with no filter: the brute-force baseline for the ANN."""
    return vector_leg_statement(space, qvec, sql.SQL("TRUE"), [], 40, filtered=True, exact=True)


def _filters(corpus: BenchCorpus) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(course code, comments) for selective filters and (subject, comments) for medium ones."""
    per_course = np.bincount(
        [corpus.sections[s - 1][0] for s, *_ in corpus.comments], minlength=len(corpus.courses)
    )
    total = len(corpus.comments)
    codes = [
        (corpus.courses[i][0] + corpus.courses[i][1], int(n)) for i, n in enumerate(per_course)
    ]
    usable = [c for c in codes if c[1] >= K]
    selective = [c for c in usable if 0.001 <= c[1] / total <= 0.01] or sorted(
        usable, key=lambda c: c[1]
    )[-10:]
    per_subject: dict[str, int] = {}
    for (subject, _, _), n in zip(corpus.courses, per_course, strict=True):
        per_subject[subject] = per_subject.get(subject, 0) + int(n)
    medium = [(s, n) for s, n in per_subject.items() if 0.05 <= n / total <= 0.10]
    return selective, medium or sorted(per_subject.items(), key=lambda c: c[1])


def _explain(conn: Conn, statement: sql.Composed, params: Sequence[Any]) -> str:
    explain = sql.SQL("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ") + statement
    rows = conn.execute(explain, params).fetchall()
    return "\n".join(str(next(iter(r.values()))) for r in rows)


def _text_diagnosis(conn: Conn, queries: Sequence[str], total: int) -> dict[str, Any]:
    """Why the text leg is slow: how much each any-word query matches, and what each step costs.

    For the costliest query: the plan, and the time to find its matches alone, to rank them
    with ts_rank (frequency, what rag.search.legs uses) and with ts_rank_cd (cover density).
    """
    shares, costs = [], []
    for q in queries:
        tsq = any_word_query(q)
        row = conn.execute(
            "SELECT count(*) AS n FROM comments WHERE tsv @@ websearch_to_tsquery('english', %s)",
            (tsq,),
        ).fetchone()
        shares.append((row["n"] if row else 0) / total)
        started = time.perf_counter()
        conn.execute(*_text_leg(q)).fetchall()
        costs.append((time.perf_counter() - started) * 1000)
    worst = int(np.argmax(costs))
    tsq = any_word_query(queries[worst])
    steps = {}
    for name, expr in (("match_ms", "count(*)"), ("ts_rank_ms", "sum(ts_rank(tsv, q))"),
                       ("ts_rank_cd_ms", "sum(ts_rank_cd(tsv, q))")):  # fmt: skip
        started = time.perf_counter()
        conn.execute(
            f"SELECT {expr} FROM comments, websearch_to_tsquery('english', %s) q WHERE tsv @@ q",
            (tsq,),
        ).fetchall()
        steps[name] = (time.perf_counter() - started) * 1000
    return {
        "queries": len(queries),
        "match_share_p50": _pct(shares, 50),
        "match_share_p95": _pct(shares, 95),
        "match_share_max": max(shares),
        "leg_p50_ms": _pct(costs, 50),
        "leg_p95_ms": _pct(costs, 95),
        "worst_query": queries[worst],
        "worst_tsquery": tsq,
        "worst_share": shares[worst],
        "worst_ms": costs[worst],
        "worst_steps": steps,
        "worst_plan": _explain(conn, *_text_leg(queries[worst])),
    }


def run_search_benchmark(
    *,
    comments: int,
    queries: int = 200,
    seed: int = 5,
    embedder_backend: str = "fake",
    settings: Settings | None = None,
    base_texts: int = BASE_TEXTS,
    diagnose: bool = True,
    text_mode: TextMode = "comment",
    builds: int = 1,
) -> dict[str, Any]:
    """Build a `comments`-sized corpus in a scratch database and measure search on it."""
    run_started = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="tl-bench-search-", dir="/tmp"))
    db = start_embedded(root / "pgdata")
    timings: dict[str, float] = {}

    def lap(name: str, started: float) -> float:
        timings[name] = time.perf_counter() - started
        return time.perf_counter()

    try:
        with connect(db.url, autocommit=True) as conn:
            migrate(conn)
            t = time.perf_counter()
            corpus = generate_corpus(comments, seed)
            t = lap("generate_s", t)
            with conn.transaction():
                ids = load_catalogue(conn, corpus)
            t = lap("load_rows_s", t)
            conn.execute("CREATE INDEX comments_tsv_idx ON comments USING gin (tsv)")
            t = lap("text_index_s", t)
            embedder, fallback = bench_embedder(embedder_backend, settings)
            rng = np.random.default_rng(seed)
            vectors, made = corpus_vectors(embedder, corpus, rng, base_texts, text_mode)
            t = lap("vectors_s", t)
            space = ensure_space(conn, embedder=embedder, text_mode=text_mode)
            # inserting into HNSW row by row is far slower than one build after the load
            conn.execute(sql.SQL("DROP INDEX {}").format(index_name(space)))
            with conn.transaction():
                load_vectors(conn, space, ids, corpus, vectors)
            t = lap("load_vectors_s", t)
            timings["index_build_s"] = build_index(conn, space)
            t = time.perf_counter()
            conn.execute("VACUUM ANALYZE")
            lap("vacuum_analyze_s", t)
            register_vector(conn)
            result = _measure(conn, space, corpus, ids, vectors, embedder, queries, seed, diagnose)
            again = rebuilt_recalls(
                conn, space, embedder, vectors, ids, queries=queries, seed=seed, builds=builds
            )
            result["recall"]["builds"] = [result["recall"]["at_10"], *again]
            result["server"] = {
                name: conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(name))).fetchone()
                for name in ("shared_buffers", "max_parallel_workers_per_gather")
            }
        result.update(
            comments=len(corpus.comments),
            sections=len(corpus.sections),
            courses=len(corpus.courses),
            embedder={"backend": embedder.backend, "model": embedder.model, "fallback": fallback},
            vectors={
                **made,
                "derive_scale": DERIVE_SCALE,
                "dimension": embedder.dimension,
            },
            index={"m": HNSW_M, "ef_construction": HNSW_EF_CONSTRUCTION, **INDEX_SETTINGS},
            timings=timings,
        )
        result["server"] = {k: next(iter(v.values())) for k, v in result["server"].items() if v}
        result["targets"] = {
            "p95": result["cases"]["hybrid"]["p95_ms"] <= TARGET_P95_MS
            and result["cases"]["hybrid_course"]["p95_ms"] <= TARGET_P95_MS,
            "recall": min(result["recall"]["builds"]) >= TARGET_RECALL,
            "full_k": result["cases"]["hybrid_course"]["short"] == 0
            and result["cases"]["hybrid_subject"]["short"] == 0,
        }
        timings["total_s"] = time.perf_counter() - run_started
        return result
    finally:
        db.stop()
        shutil.rmtree(root, ignore_errors=True)


def _measure(
    conn: Conn,
    space: Space,
    corpus: BenchCorpus,
    ids: np.ndarray,
    vectors: np.ndarray,
    embedder: Embedder,
    n: int,
    seed: int,
    diagnose: bool,
) -> dict[str, Any]:
    """Every latency case, ANN recall against numpy's exact top k, and the ef_search sweep."""
    texts = bench_queries(n, seed)
    n = len(texts)
    qvecs = embed_texts(embedder, texts)
    selective, medium = _filters(corpus)

    def run(mode: Mode, make: Callable[[int], SearchFilters | None]) -> Callable[[int], int]:
        def one(i: int) -> int:
            return len(
                search(
                    conn,
                    space=space,
                    query=texts[i],
                    query_vector=qvecs[i],
                    k=K,
                    filters=make(i),
                    mode=mode,
                )
            )

        return one

    def course(i: int) -> SearchFilters:
        return SearchFilters(course=selective[i % len(selective)][0])

    def subject(i: int) -> SearchFilters:
        return SearchFilters(subject=medium[i % len(medium)][0])

    total = len(corpus.comments)
    cases = {
        "hybrid": _timed(run("hybrid", lambda i: None), n),
        "hybrid_course": _timed(run("hybrid", course), n),
        "hybrid_subject": _timed(run("hybrid", subject), n),
        "vector": _timed(run("vector", lambda i: None), n),
        "text": _timed(run("text", lambda i: None), n),
        "exact_vector": _timed(
            lambda i: len(conn.execute(*_exact_leg(space, qvecs[i])).fetchall()),
            min(n, 50),
            warmup=3,
        ),
    }
    shares = {
        "hybrid_course": [c / total for _, c in selective],
        "hybrid_subject": [c / total for _, c in medium],
    }
    for name, values in shares.items():
        cases[name]["share_min"], cases[name]["share_max"] = min(values), max(values)
        counts = [c for _, c in (selective if name == "hybrid_course" else medium)]
        cases[name]["path"] = "exact" if max(counts) <= EXACT_SCAN_LIMIT else "hnsw-iterative"
    sims = vectors @ qvecs.T
    by_score, by_id = vector_recall(conn, space, texts, qvecs, sims, ids)
    sweep = []
    for ef in EF_SWEEP:
        got = [_ann_ids(conn, space, qvecs[i], ef) for i in range(n)]
        timing = _timed(lambda i, ef=ef: len(_ann_ids(conn, space, qvecs[i], ef)), n)  # type: ignore[misc]
        recall = float(np.mean([tie_recall(got[i], sims[:, i], ids)[0] for i in range(n)]))
        sweep.append({"ef_search": ef, "recall": recall, **timing})
    out: dict[str, Any] = {
        "queries": n,
        "k": K,
        "cases": cases,
        "recall": {
            "at_10": float(np.mean(by_score)),
            "by_id": float(np.mean(by_id)),
            "ef_search": max(4 * K, EF_SEARCH),
        },
        "ef_sweep": sweep,
    }
    if diagnose:
        out["text_diagnosis"] = _text_diagnosis(conn, texts[:DIAGNOSIS_QUERIES], total)
    return out


def vector_recall(
    conn: Conn,
    space: Space,
    texts: Sequence[str],
    qvecs: np.ndarray,
    sims: np.ndarray,
    ids: np.ndarray,
) -> tuple[list[float], list[float]]:
    """Per query: tie-aware and by-id recall@10 of the product's unfiltered vector search."""
    by_score, by_id = [], []
    for i, text in enumerate(texts):
        hits = search(conn, space=space, query=text, query_vector=qvecs[i], k=K, mode="vector")
        found = [(h.citation.comment_id, h.scores.vector or 0.0) for h in hits]
        score, ident = tie_recall(found, sims[:, i], ids)
        by_score.append(score)
        by_id.append(ident)
    return by_score, by_id


def rebuilt_recalls(
    conn: Conn,
    space: Space,
    embedder: Embedder,
    vectors: np.ndarray,
    ids: np.ndarray,
    *,
    queries: int,
    seed: int,
    builds: int,
) -> list[float]:
    """Recall@10 after each of `builds - 1` fresh HNSW builds over the same vectors (an index
    build is not deterministic: the figure of one build is not the figure of the next)."""
    texts = bench_queries(queries, seed)
    qvecs = embed_texts(embedder, texts)
    sims = vectors @ qvecs.T
    out = []
    for _ in range(builds - 1):
        conn.execute(sql.SQL("DROP INDEX {}").format(index_name(space)))
        build_index(conn, space)
        conn.execute("VACUUM ANALYZE")
        out.append(float(np.mean(vector_recall(conn, space, texts, qvecs, sims, ids)[0])))
    return out


def _yes(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _text_mode_line(vec: dict[str, Any]) -> str:
    fit = vec.get("context_fit")
    if not fit:
        return f"  embedded text: {vec['text_mode']} (identical comments get identical vectors)"
    a, b, c = fit["weights"]
    return (
        f"  embedded text: context: normalise({a:.2f} comment + "
        f"{b:.2f} header + {c:.2f} prompt), real header embeddings of {fit['headers']:,} "
        f"sections; cosine to the real context embedding over {fit['sample']} comments: mean "
        f"{fit['cosine_mean']:.3f}, min {fit['cosine_min']:.3f}"
    )


def format_search_benchmark(result: dict[str, Any]) -> str:
    """The report `tracelens bench search` prints: setup, build times, latency, recall, targets."""
    emb, vec, tim, idx = result["embedder"], result["vectors"], result["timings"], result["index"]
    made = f"{emb['model']} ({emb['backend']})"
    if emb["fallback"]:
        made += f" -- FALLBACK to the fake embedder: {emb['fallback']}"
    cases = result["cases"]
    lines = [
        f"search: {result['comments']:,} comments in {result['sections']:,} sections of "
        f"{result['courses']} courses; {result['queries']} queries, k={result['k']}",
        f"  vectors: {vec['embedded']:,} distinct comments embedded with {made}; every other "
        f"comment vector = a same-theme/tone real embedding a + {vec['derive_scale']} * (b - c) "
        f"for two more such embeddings, renormalised ({vec['dimension']} dims)",
        _text_mode_line(vec),
        f"  build  : generate {tim['generate_s']:.1f} s, COPY rows {tim['load_rows_s']:.1f} s, "
        f"GIN {tim['text_index_s']:.1f} s, embed+derive {tim['vectors_s']:.1f} s, "
        f"COPY vectors {tim['load_vectors_s']:.1f} s, VACUUM ANALYZE "
        f"{tim['vacuum_analyze_s']:.1f} s",
        f"  HNSW index build: {tim['index_build_s']:.1f} s (m={idx['m']}, ef_construction="
        f"{idx['ef_construction']}, maintenance_work_mem={idx['maintenance_work_mem']}, "
        f"max_parallel_maintenance_workers={idx['max_parallel_maintenance_workers']})",
        "  latency of rag.search.hybrid.search, one connection, after warm-up; query embedding "
        "excluded (precomputed, as the query cache serves it):",
    ]
    labels = {
        "hybrid": "hybrid, no filter",
        "hybrid_course": "hybrid, one course",
        "hybrid_subject": "hybrid, one subject",
        "vector": "vector only, no filter",
        "text": "text only, no filter",
        "exact_vector": "baseline: exact vector scan",
    }
    for name, label in labels.items():
        c = cases[name]
        extra = ""
        if "share_min" in c:
            extra = (
                f"  [{c['share_min']:.2%}-{c['share_max']:.2%} of comments, {c['path']} path; "
                f"{c['n'] - c['short']}/{c['n']} returned full k]"
            )
        lines.append(
            f"    {label:<29} p50 {c['p50_ms']:8.1f} ms  p95 {c['p95_ms']:8.1f} ms  "
            f"(n={c['n']}){extra}"
        )
    rec = result["recall"]
    lines.append(
        f"  recall@10 of the ANN vs exact (numpy over all vectors; ties by score): "
        f"{rec['at_10']:.3f} (by id {rec['by_id']:.3f}) at hnsw.ef_search={rec['ef_search']}"
    )
    if len(rec.get("builds", [])) > 1:
        each = ", ".join(f"{r:.3f}" for r in rec["builds"])
        lines.append(f"  recall@10 of each fresh index build over the same vectors: {each}")
    lines.append("  ef_search sweep (bare ANN query on the vector table, no joins):")
    for row in result["ef_sweep"]:
        lines.append(
            f"    ef_search={row['ef_search']:<4} recall@10 {row['recall']:.3f}  "
            f"p50 {row['p50_ms']:6.1f} ms  p95 {row['p95_ms']:6.1f} ms"
        )
    diag = result.get("text_diagnosis")
    if diag:
        steps = diag["worst_steps"]
        lines += [
            f"  text-only ranking (any word, whole corpus; {diag['queries']} queries): matches "
            f"{diag['match_share_p50']:.0%} of comments at p50, {diag['match_share_p95']:.0%} "
            f"at p95; leg alone p50 {diag['leg_p50_ms']:.1f} ms, p95 {diag['leg_p95_ms']:.1f} ms",
            f"    costliest: {diag['worst_query']!r} -> {diag['worst_tsquery']!r} matches "
            f"{diag['worst_share']:.0%}: {diag['worst_ms']:.0f} ms; finding the matches "
            f"{steps['match_ms']:.0f} ms, + ts_rank {steps['ts_rank_ms']:.0f} ms, "
            f"+ ts_rank_cd {steps['ts_rank_cd_ms']:.0f} ms (totals, not increments)",
        ]
    server = ", ".join(f"{k}={v}" for k, v in result.get("server", {}).items())
    t = result["targets"]
    lines += [
        f"  server: {server}",
        f"  targets: p95 <= {TARGET_P95_MS:.0f} ms (hybrid, unfiltered and one course) "
        f"{_yes(t['p95'])}; recall@10 >= {TARGET_RECALL} {_yes(t['recall'])}; filtered "
        f"queries return full k {_yes(t['full_k'])}",
        f"  total run time {tim['total_s']:.0f} s",
    ]
    return "\n".join(lines)
