"""The evaluation gate: a re-embedded model replaces the champion only if it is not worse.

Both spaces are measured the same way, on the same database: vector search (the model's own
ranking) over the labelled query set of a generated corpus that is loaded there (`make run`
loads state_dir/sample-corpus). Not hybrid search: its full-text, theme-tag and expansion legs
do not depend on the model and carry most of its score, so a model that knows nothing (two
hashed dimensions) scored within 0.003 nDCG@10 of the champion and was promoted. The decision,
both measurements and the per-query results are an MLflow run, and the candidate version is
tagged with it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.db import Conn
from core.errors import NotFound
from core.settings import Settings
from embeddings.base import Embedder, QueryCache
from embeddings.spaces import Space, activate, get_space, set_status, space_name
from evaluation.labelled import stored_keys
from evaluation.queries import EvalSet, build_eval_set
from evaluation.retrieval import evaluate
from mlops import registry
from mlops.registry import RegisteredModel
from mlops.tracking import tracked_run
from rag.search.searcher import Searcher

log = logging.getLogger(__name__)

GATE_SEED = 7
MIN_COVERAGE = 0.95
"""Share of the labelled comments that must be in the database for the measurement to count."""


@dataclass(frozen=True)
class GateResult:
    promoted: bool
    reason: str
    candidate: str
    champion: str | None
    candidate_ndcg: float | None
    champion_ndcg: float | None
    tolerance: float
    run_id: str | None


def gate_corpus(settings: Settings) -> Path:
    return settings.gate_corpus or settings.state_dir / "sample-corpus"


def measure(
    conn: Conn, *, space: Space, embedder: Embedder, eval_set: EvalSet, k: int = 10
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """Vector-search metrics of one space (see the module), and its per-query results."""
    record: list[dict[str, Any]] = []
    searcher = Searcher(space=space, queries=QueryCache(embedder))
    metrics = evaluate(conn, searcher, eval_set, mode="vector", k=k, record=record)
    conn.commit()
    return metrics, record


def _coverage(conn: Conn, eval_set: EvalSet) -> tuple[int, int]:
    stored = set(stored_keys(conn).values())
    wanted = [c.key for c in eval_set.comments]
    return sum(1 for key in wanted if key in stored), len(wanted)


def run_gate(
    conn: Conn,
    settings: Settings,
    *,
    candidate: RegisteredModel,
    space: Space,
    embedder: Embedder,
) -> GateResult:
    """Measure the candidate's space against the champion's; promote or keep it as challenger."""
    tolerance = settings.gate_ndcg_tolerance
    current = registry.champion(settings)
    corpus = gate_corpus(settings)

    def keep(reason: str, **extra: Any) -> GateResult:
        return _decide(
            conn, settings, candidate, space, current, None, False, reason, tolerance, extra
        )

    if not any(corpus.glob("*.labels.json")):
        return keep(f"no labelled corpus at {corpus} to evaluate on (gate_corpus)")
    eval_set = build_eval_set(corpus, seed=GATE_SEED)
    found, total = _coverage(conn, eval_set)
    if total == 0 or found / total < MIN_COVERAGE:
        return keep(
            f"the labelled corpus at {corpus} is not loaded in the database "
            f"({found} of {total} labelled comments found)"
        )
    cand_metrics, cand_rows = measure(conn, space=space, embedder=embedder, eval_set=eval_set)
    champ_space: Space | None = None
    if current is None:
        champ_metrics: dict[str, float] | None = None
        champ_rows: list[dict[str, Any]] = []
    else:
        champ_embedder = registry.load_registered(current, settings=settings)
        name = space_name(
            current.base_model, current.weights_version, current.backend, current.text_mode
        )
        try:
            champ_space = get_space(conn, name=name)
        except NotFound:
            return keep(f"the champion's space {name!r} is not in the database to compare with")
        champ_metrics, champ_rows = measure(
            conn, space=champ_space, embedder=champ_embedder, eval_set=eval_set
        )
    new = cand_metrics["ndcg@10"]
    old = champ_metrics["ndcg@10"] if champ_metrics else None
    if old is None:
        promoted, reason = True, "there is no champion yet"
    elif new >= old - tolerance:
        promoted = True
        reason = f"nDCG@10 {new:.4f} vs champion {old:.4f}: within the tolerance {tolerance:g}"
    else:
        promoted = False
        reason = (
            f"nDCG@10 {new:.4f} is {old - new:.4f} below the champion's {old:.4f}, "
            f"more than the tolerance {tolerance:g}"
        )
    extra = {
        "queries": len(eval_set.queries),
        "labelled_comments": total,
        "candidate": cand_metrics,
        "champion": champ_metrics,
        "rows": [{**r, "model": "candidate"} for r in cand_rows]
        + [{**r, "model": "champion"} for r in champ_rows],
    }
    return _decide(
        conn, settings, candidate, space, current, champ_space, promoted, reason, tolerance, extra
    )


def _decide(
    conn: Conn,
    settings: Settings,
    candidate: RegisteredModel,
    space: Space,
    current: RegisteredModel | None,
    champion_space: Space | None,
    promoted: bool,
    reason: str,
    tolerance: float,
    extra: dict[str, Any],
) -> GateResult:
    same = current is not None and current.version == candidate.version
    with tracked_run(
        settings,
        kind="gate",
        name=f"{candidate.backend}/{candidate.text_mode} v{candidate.version}",
        tags={"decision": "promoted" if promoted else "challenger"},
    ) as run:
        run.params(
            {
                "candidate": candidate.uri,
                "candidate_backend": candidate.backend,
                "champion": current.uri if current else "none",
                "space": space.name,
                "tolerance": tolerance,
                "corpus": str(gate_corpus(settings)),
                "mode": "vector",
                "queries": extra.get("queries"),
            }
        )
        metrics: dict[str, float] = {}
        for who in ("candidate", "champion"):
            for key, value in (extra.get(who) or {}).items():
                if key != "queries":
                    metrics[f"{who}_{key}"] = value
        if "candidate_ndcg@10" in metrics and "champion_ndcg@10" in metrics:
            metrics["delta_ndcg@10"] = metrics["candidate_ndcg@10"] - metrics["champion_ndcg@10"]
        if metrics:
            run.metrics(metrics)
        run.tags({"reason": reason})
        if extra.get("rows"):
            run.json_artifact(extra["rows"], "per_query/results.jsonl")
        run_id = run.id
    cand_ndcg = (extra.get("candidate") or {}).get("ndcg@10")
    champ_ndcg = (extra.get("champion") or {}).get("ndcg@10")
    tags: dict[str, Any] = {"eval_run_id": run_id, "gate": "promoted" if promoted else "rejected"}
    if cand_ndcg is not None:
        tags["ndcg_at_10"] = f"{cand_ndcg:.4f}"
    registry.tag_version(settings, version=candidate.version, tags=tags)
    if promoted:
        registry.set_alias(settings, alias=registry.CHAMPION, version=candidate.version)
        if current is not None and not same:
            registry.set_alias(settings, alias=registry.CHALLENGER, version=current.version)
            registry.tag_version(settings, version=current.version, tags={"replaced_by": run_id})
        activate(conn, space=space, previous="retired")
        if champion_space is not None and champion_space.id != space.id:
            set_status(conn, space=champion_space, status="retired")
    else:
        registry.set_alias(settings, alias=registry.CHALLENGER, version=candidate.version)
        if space.status == "building":
            set_status(conn, space=space, status="ready")
    conn.commit()
    log.info("gate: %s %s (%s)", candidate.uri, "promoted" if promoted else "kept", reason)
    return GateResult(
        promoted=promoted,
        reason=reason,
        candidate=candidate.uri,
        champion=current.uri if current else None,
        candidate_ndcg=cand_ndcg,
        champion_ndcg=champ_ndcg,
        tolerance=tolerance,
        run_id=run_id,
    )
