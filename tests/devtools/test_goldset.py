"""The gold set's coverage and a re-check of its expected values by a second, separate method."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import pytest

from core.settings import Settings
from devtools.corpus.writer import write_corpus
from devtools.evaluate.ask import run_ask_eval
from devtools.goldset.builder import build_gold_set
from evaluation.ask import KINDS, AskEvalResult, GoldItem, coverage, format_ask_eval


@pytest.fixture(scope="module")
def corpus120(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gold120")
    write_corpus(out, reports=120, seed=7)
    return out


@pytest.fixture(scope="module")
def gold(corpus120: Path) -> list[GoldItem]:
    return build_gold_set(corpus120, seed=7)


def _kept(corpus: Path) -> list[dict]:  # type: ignore[type-arg]
    """The surviving report per section, read straight from the files (XLSX loaded last)."""
    kept: dict[tuple[str, str, str], dict] = {}  # type: ignore[type-arg]
    for suffix in (".pdf", ".xlsx"):
        for path in sorted(corpus.glob(f"*{suffix}")):
            t = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            kept[(t["course"]["code"], t["term"]["label"], t["course"]["section"])] = t
    return list(kept.values())


def _half_up(x: Fraction) -> float:
    """Half-up rounding to 2 decimals in exact rational arithmetic (not Decimal, as goldset)."""
    return math.floor(x * 100 + Fraction(1, 2)) / 100


def test_gold_set_is_large_and_covers_every_kind(gold: list[GoldItem]) -> None:
    counts = coverage(gold)
    assert len(gold) >= 150
    assert all(counts[k] >= 5 for k in KINDS), counts
    assert len({i.id for i in gold}) == len(gold)
    for item in gold:
        if item.kind in ("qualitative",):
            assert item.relevant and item.theme and item.route == "qualitative"
            assert item.theme_count == len(item.relevant)
        elif item.kind == "unanswerable":
            assert item.route == "unanswerable" and not item.expected
        else:
            assert item.expected and item.route == "quantitative"
        if item.kind == "followup":
            assert item.previous and item.question.startswith("and in ")


def test_expected_values_match_an_independent_computation(
    gold: list[GoldItem], corpus120: Path
) -> None:
    reports = _kept(corpus120)
    checked = 0
    for item in gold:
        scope = dict(item.scope)
        within = [
            r
            for r in reports
            if ("course" not in scope or r["course"]["code"] == scope["course"])
            and ("term" not in scope or r["term"]["label"] == scope["term"])
            and ("year" not in scope or str(r["term"]["year"]) == scope["year"])
            and (
                "instructor" not in scope
                or scope["instructor"] in [f"{p['first']} {p['last']}" for p in r["instructors"]]
            )
        ]
        if item.kind == "count":
            assert item.expected == (len(within),), item
        elif item.kind == "average":
            qs = [
                q
                for r in within
                for q in r["questions"]
                if q["text"] == item.metric and q["responses"] and q["course_mean"] is not None
            ]
            total = sum(q["responses"] for q in qs)
            s = sum(Fraction(str(q["course_mean"])) * q["responses"] for q in qs)
            assert item.expected == (_half_up(s / total),), item
        elif item.kind == "ranking" and scope.get("entity") == "course":
            means = []
            for code in {r["course"]["code"] for r in within}:
                qs = [
                    q
                    for r in within
                    if r["course"]["code"] == code
                    for q in r["questions"]
                    if q["text"] == item.metric
                    and q["course_mean"] is not None
                    and q["responses"] >= 5
                ]
                if qs:
                    total = sum(q["responses"] for q in qs)
                    s = sum(Fraction(str(q["course_mean"])) * q["responses"] for q in qs)
                    means.append(_half_up(s / total))
            best = min(means) if scope["order"] == "asc" else max(means)
            assert item.top == best, item
        else:
            continue
        checked += 1
    assert checked >= 40


def test_ask_eval_smoke(tmp_path: Path, corpus: Path) -> None:
    """The whole evaluation on the 12-report corpus (fake embedder: structure, not quality)."""
    settings = Settings(_env_file=None, state_dir=tmp_path, embedding_backend="fake")  # type: ignore[call-arg]
    result = run_ask_eval(settings, corpus=corpus, reports=0, seed=1)
    assert isinstance(result, AskEvalResult)
    assert result.reports == 12 and result.questions > 20
    for key in ("numeric_exact", "route_accuracy", "refusals"):
        assert 0.0 <= result.metrics[key] <= 1.0
    assert result.metrics["numeric_questions"] > 0
    assert len(result.failures) <= 10
    text = format_ask_eval(result)
    assert "numeric exact" in text and "refusals" in text
