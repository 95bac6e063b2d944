"""Where the independent set's relevant comments rank in each leg of hybrid search: DEV only.

`python -m devtools.evaluate.search_legs` loads the set's corpus into a scratch database as
`tracelens eval retrieval --set independent` does, asks every DEV query as the product serves it
and prints, for each query short of P@10 1.0, the theme it was read as (and whether that theme
was dropped as misread), its top 10 with each comment's rank in every leg, and where the
relevant comments outside the top 10 rank. TEST queries are neither asked nor shown: tuning
looks at DEV only (devtools.independent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from core.db import Conn
from core.settings import Settings
from devtools.evaluate.retrieval import independent_cases, independent_searcher
from devtools.independent import INDEPENDENT_DIR
from evaluation.labelled import stored_keys
from evaluation.metrics import score_ranked
from evaluation.retrieval import Case
from rag.search.hybrid import Legs
from rag.search.searcher import Searcher

LEGS = ("vector", "text", "themed", "expanded")


@dataclass(frozen=True)
class Placed:
    """One comment of a query's answer: its id, text, relevance and rank in each leg (1-based;
    None where the leg did not rank it) and in the fused order."""

    comment_id: int
    text: str
    relevant: bool
    ranks: dict[str, int | None]


@dataclass(frozen=True)
class Explained:
    case: Case
    theme: str | None
    theme_dropped: bool
    p10: float
    top: list[Placed]
    missed: list[Placed]
    """Relevant comments outside the top 10 (or in no leg at all)."""


def explain(conn: Conn, searcher: Searcher, cases: Sequence[Case], k: int = 10) -> list[Explained]:
    """Each case's legs as hybrid search ranks them for the top k; only DEV cases are taken."""
    keys = stored_keys(conn)
    ids = {key: cid for cid, key in keys.items()}
    texts = {int(r["id"]): str(r["text"]) for r in conn.execute("SELECT id, text FROM comments")}
    out = []
    for case in cases:
        if case.split != "dev":
            raise ValueError(f"{case.id} is a {case.split} query: only DEV queries are explained")
        signals, legs = searcher.legs(conn, query=case.query, k=k, filters=case.filters)
        conn.commit()
        relevant = {ids[key] for key in case.relevant if key in ids}

        def placed(cid: int, legs: Legs = legs, relevant: set[int] = relevant) -> Placed:
            ranks = {leg: _rank_of(getattr(legs, leg), cid) for leg in (*LEGS, "fused")}
            return Placed(cid, texts[cid], cid in relevant, ranks)

        top = legs.fused[:k]
        figures = score_ranked([keys[cid] for cid in top], case.relevant, k)
        out.append(
            Explained(
                case=case,
                theme=signals.theme,
                theme_dropped=legs.theme_dropped,
                p10=figures["p@10"],
                top=[placed(cid) for cid in top],
                missed=[placed(cid) for cid in sorted(relevant - set(top))],
            )
        )
    return out


def _rank_of(ranking: list[int], cid: int) -> int | None:
    return ranking.index(cid) + 1 if cid in ranking else None


def format_explained(items: Sequence[Explained], *, chars: int = 110) -> str:
    mean = sum(e.p10 for e in items) / len(items) if items else float("nan")
    lines = [
        f"hybrid search legs, independent set DEV: {len(items)} queries, P@10 {mean:.3f}",
        "  ranks: v vector, t full text, th theme, x expansion, f fused (- = not ranked)",
    ]

    def row(p: Placed) -> str:
        cells = " ".join(
            f"{name}={p.ranks[leg] or '-'}"
            for name, leg in zip(("v", "t", "th", "x", "f"), (*LEGS, "fused"), strict=True)
        )
        return f"{'R' if p.relevant else '-'} {cells:34} {p.text[:chars]!r}"

    for e in sorted(items, key=lambda e: (e.p10, e.case.id)):
        if e.p10 >= 1.0:
            continue
        theme = f"{e.theme} (dropped as misread)" if e.theme_dropped else e.theme or "-"
        course = f" course {e.case.filters.course}" if e.case.filters.course else ""
        lines.append(f"{e.case.id} P@10 {e.p10:.2f} theme {theme}{course}: {e.case.query!r}")
        lines += [f"    {row(p)}" for p in e.top]
        lines += [f"  missed {row(p)}" for p in e.missed]
    return "\n".join(lines)


def explain_dev(settings: Settings, *, directory: Path = INDEPENDENT_DIR, k: int = 10) -> str:
    """The DEV queries explained over the set's corpus in a scratch database."""
    with independent_searcher(settings, directory) as (conn, searcher, _):
        items = explain(conn, searcher, independent_cases(directory, split="dev"), k=k)
    return format_explained(items)


if __name__ == "__main__":
    print(explain_dev(Settings()))
