"""`tracelens bench ask`: latency of answering (`POST /v1/ask` minus HTTP) on a 1,000-report corpus.

The corpus is generated, parsed and stored in-process and embedded in bulk
(devtools.evaluate.ask.load_corpus: the worker's steps without its queue and sandbox, to save
load time), in a scratch embedded PostgreSQL. Questions are drawn from the gold set of the same
corpus, so every route is exercised with realistic wording; each is timed through `Asker.ask`
with the extractive answerer (conversation bookkeeping included, as the endpoint does it), and
the same question texts through `searcher.search` alone as the baseline. Each side has its own
query cache, so neither benefits from the other's embeddings; a warm-up pass loads models first.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import Any

from core.db import connect, scratch_database
from core.settings import Settings
from devtools.corpus.writer import write_corpus
from devtools.evaluate.ask import load_corpus
from devtools.goldset.builder import build_gold_set
from embeddings.base import QueryCache
from evaluation.ask import KINDS, PRINCIPAL, GoldItem
from rag.answer.ask import Asker
from rag.search.searcher import Searcher

TARGET_P95_MS = 250.0
WARMUP = 6


def _pct(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (no interpolation: p95 of 200 is the 190th value)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 1))))
    return ordered[rank - 1]


def _summary(ms: Sequence[float]) -> dict[str, float]:
    return {
        "n": float(len(ms)),
        "p50": _pct(ms, 0.50),
        "p95": _pct(ms, 0.95),
        "max": max(ms) if ms else float("nan"),
    }


def _pick(items: list[GoldItem], n: int, seed: int) -> list[GoldItem]:
    """n questions spread over the kinds (round-robin), so every route is measured."""
    rng = random.Random(seed)
    pools = {k: [i for i in items if i.kind == k] for k in KINDS}
    for pool in pools.values():
        rng.shuffle(pool)
    picked: list[GoldItem] = []
    while len(picked) < n and any(pools.values()):
        for kind in KINDS:
            if pools[kind] and len(picked) < n:
                picked.append(pools[kind].pop())
    return picked


def run_ask_benchmark(
    settings: Settings, *, reports: int = 1000, questions: int = 200, seed: int = 0
) -> dict[str, Any]:
    """Per-route p50/p95/max of Asker.ask and of search alone, in milliseconds."""
    laps: dict[str, float] = {}
    with scratch_database("tl-bench-ask-") as (root, db):
        t = time.perf_counter()
        corpus = root / "corpus"
        write_corpus(corpus, reports=reports, seed=seed)
        laps["generate_s"] = time.perf_counter() - t
        settings = settings.with_database(db.url, state_dir=root / "state", embedding_space=None)
        with connect(db.url) as conn:
            t = time.perf_counter()
            searcher, loaded = load_corpus(conn, corpus, settings=settings)
            laps["load_and_embed_s"] = time.perf_counter() - t
            comments = conn.execute("SELECT count(*) AS n FROM comments").fetchone()
            gold = build_gold_set(corpus, seed=seed, per_kind=max(20, questions // 8))
            asked = _pick(gold, questions, seed)
            embedder = searcher.queries.embedder
            asker = Asker(
                settings=settings,
                searcher=Searcher(space=searcher.space, queries=QueryCache(embedder)),
                chat_model=None,
            )
            baseline = Searcher(space=searcher.space, queries=QueryCache(embedder))
            for item in _pick(gold, WARMUP * len(KINDS), seed + 1)[: WARMUP * 2]:
                asker.ask(conn, question=item.question, principal=PRINCIPAL)
                baseline.search(conn, query=item.question + " warm", k=10)
            conn.commit()

            search_ms: list[float] = []
            for item in asked:
                t = time.perf_counter()
                baseline.search(conn, query=item.question, k=10)
                search_ms.append((time.perf_counter() - t) * 1000)
            conn.commit()

            by_route: dict[str, list[float]] = {}
            by_kind: dict[str, list[float]] = {}
            for item in asked:
                conversation: str | None = None
                for opener in item.previous:  # untimed: only the follow-up itself is measured
                    conversation = asker.ask(
                        conn, question=opener, principal=PRINCIPAL, conversation_id=conversation
                    ).conversation_id
                t = time.perf_counter()
                answer = asker.ask(
                    conn, question=item.question, principal=PRINCIPAL, conversation_id=conversation
                )
                ms = (time.perf_counter() - t) * 1000
                by_route.setdefault(answer.route, []).append(ms)
                by_kind.setdefault(item.kind, []).append(ms)
        every = [x for xs in by_route.values() for x in xs]
        return {
            "reports": loaded,
            "comments": int(comments["n"]) if comments else 0,
            "questions": len(asked),
            "backend": searcher.space.backend,
            "laps": laps,
            "ask": _summary(every),
            "ask_by_route": {r: _summary(v) for r, v in sorted(by_route.items())},
            "ask_by_kind": {k: _summary(v) for k, v in sorted(by_kind.items())},
            "search": _summary(search_ms),
            "target_p95_ms": TARGET_P95_MS,
        }


def format_ask_benchmark(result: dict[str, Any]) -> str:
    def row(name: str, s: dict[str, float]) -> str:
        return f"  {name:22} {s['n']:5.0f} {s['p50']:9.1f} {s['p95']:9.1f} {s['max']:9.1f}"

    ok = result["ask"]["p95"] <= result["target_p95_ms"]
    laps = ", ".join(f"{k} {v:.1f}" for k, v in result["laps"].items())
    lines = [
        f"ask benchmark: {result['questions']} questions over {result['reports']} reports"
        f" ({result['comments']} comments; embedder {result['backend']}; {laps})",
        f"  {'':22} {'n':>5} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}",
        row("ask (all)", result["ask"]),
    ]
    lines += [row(f"ask route={r}", s) for r, s in result["ask_by_route"].items()]
    lines += [row(f"ask kind={k}", s) for k, s in result["ask_by_kind"].items()]
    lines.append(row("search alone", result["search"]))
    lines.append(
        f"  target p95 <= {result['target_p95_ms']:.0f} ms: "
        + ("ok" if ok else f"MISSED ({result['ask']['p95']:.1f} ms)")
    )
    return "\n".join(lines)
