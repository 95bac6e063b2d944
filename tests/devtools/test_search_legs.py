"""The DEV explanation of hybrid search (devtools.evaluate.search_legs) over the independent set's
corpus, stored in a test database and embedded with the fake embedder: its figures are those
`tracelens eval retrieval` prints, and it explains no TEST query."""

from __future__ import annotations

import pytest

from cli.wiring import model_in_service
from core.db import connect
from core.settings import Settings
from devtools.evaluate.retrieval import independent_cases
from devtools.evaluate.search_legs import explain, format_explained
from devtools.independent import report_paths, store_corpus
from evaluation.loading import index_stored
from evaluation.retrieval import CONFIGS, Case, paraphrase_eval
from rag.search.filters import SearchFilters


def test_dev_queries_are_explained_as_the_eval_scores_them(settings: Settings) -> None:
    assert settings.database_dsn
    served = list(CONFIGS)[-1]
    with connect(settings.database_dsn) as conn:
        store_corpus(conn, report_paths())
        searcher = index_stored(
            conn, embedder=model_in_service(settings).embedder, text_mode="comment", batch_size=64
        )
        cases = independent_cases(split="dev")
        items = explain(conn, searcher, cases)
        _, per_query = paraphrase_eval(
            conn, searcher, cases, set_name="independent", configs={served: CONFIGS[served]}
        )
        with pytest.raises(ValueError, match="only DEV"):
            explain(conn, searcher, [Case("t2", "any", SearchFilters(), frozenset(), "test")])
    assert [e.case.id for e in items] == [c.id for c in cases] and len(items) == 50
    assert [e.p10 for e in items] == pytest.approx([row["p@10"] for row in per_query])
    for e in items:
        assert [p.ranks["fused"] for p in e.top] == list(range(1, len(e.top) + 1))
        assert [p.relevant for p in e.top] == next(
            row["top_relevant"] for row in per_query if row["id"] == e.case.id
        )
        found = sum(p.relevant for p in e.top)
        assert found + len(e.missed) == len(e.case.relevant)
        assert all(p.relevant and (p.ranks["fused"] or 99) > 10 for p in e.missed)
    text = format_explained(items)
    assert text.startswith("hybrid search legs, independent set DEV: 50 queries")
    shown = [e for e in items if e.p10 < 1.0]
    assert sum(line.startswith("s") for line in text.splitlines()) == len(shown)
