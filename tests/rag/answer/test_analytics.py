"""Every plan's numbers against values computed independently from the ground-truth JSON."""

from __future__ import annotations

import itertools
import json
import time
from collections import defaultdict
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from core.db import Conn, Database, connect, with_database
from core.report import ParsedReport, parse_term
from core.settings import Settings
from devtools.corpus.writer import write_corpus
from devtools.goldset.reference import report_files
from embeddings.base import Embedder
from embeddings.models import make_embedder
from evaluation.loading import parse_and_store
from rag.answer.analytics.run import quantitative_evidence, run_plan
from rag.answer.entities.metric_index import MetricIndex
from rag.answer.entities.model import Catalog
from rag.answer.plans import (
    Average,
    Comparison,
    Count,
    Distribution,
    HoursPerWeek,
    Metric,
    Ranking,
    Scope,
    Trend,
)
from tests.conftest import _TEMPLATE

OVERALL = "What is your overall rating of this instructor's teaching effectiveness?"
FEEDBACK = "The instructor provided sufficient feedback."
HOURS = "What is the average number of hours per week you devoted to this course outside of class?"
_ids = itertools.count()


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def corpus40(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus40")
    write_corpus(out, reports=40, seed=11)
    return out


@pytest.fixture(scope="module")
def loaded_url(pg_server: Database, corpus40: Path) -> Iterator[str]:
    """A database of its own for the module, holding the parsed 40-report corpus."""
    name = f"qa_{next(_ids)}_{int(time.time() * 1000) % 100000}"
    with connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}")
    url = with_database(pg_server.url, name)
    with connect(url, autocommit=True) as conn:
        parse_and_store(conn, report_files(corpus40))
    yield url
    with connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def conn(loaded_url: str) -> Iterator[Conn]:
    with connect(loaded_url) as c:
        yield c


@pytest.fixture(scope="module")
def real_embedder() -> Embedder:
    return make_embedder(Settings(_env_file=None, embedding_backend="st-fp32"))


@pytest.fixture(scope="module")
def truth(corpus40: Path) -> list[ParsedReport]:
    """One ParsedReport per stored section, the last loaded report winning, as in the store."""
    sections: dict[tuple[str, str, str], ParsedReport] = {}
    for path in report_files(corpus40):
        report = ParsedReport.model_validate(json.loads(path.with_suffix(".json").read_text()))
        sections[(report.course.code, report.term.label, report.course.section)] = report
    return list(sections.values())


def question_id(conn: Conn, text: str) -> int:
    row = conn.execute("SELECT id FROM questions WHERE text = %s", (text,)).fetchone()
    assert row is not None
    return int(row["id"])


# ---------------------------------------------------------------- the reference in Python


def q2(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def name(report: ParsedReport) -> list[str]:
    return [f"{p.first} {p.last}" for p in report.instructors]


def scored(truth: list[ParsedReport], text: str) -> list[tuple[ParsedReport, Any]]:
    """(report, question) pairs for one question, as the SQL keeps them (responses > 0)."""
    return [
        (r, q)
        for r in truth
        for q in r.questions
        if q.text == text and q.responses and q.course_mean is not None
    ]


def weighted(pairs: list[tuple[ParsedReport, Any]]) -> tuple[float, int]:
    total = sum(q.responses for _, q in pairs)
    s = sum(Decimal(str(q.course_mean)) * q.responses for _, q in pairs)
    return q2(s / total), total


def hours_mean(reports: list[ParsedReport]) -> tuple[float, int]:
    s, total = Decimal(0), 0
    for r in reports:
        for f in r.frequencies:
            for b, count in f.bins.items():
                low, high = (Decimal(x) for x in b.split("-"))
                s += (low + high) / 2 * count
                total += count
    return q2(s / total), total


# ---------------------------------------------------------------- plans against the truth


def test_average_per_course_is_exact(conn: Conn, truth: list[ParsedReport]) -> None:
    metric = Metric(kind="question", question_id=question_id(conn, OVERALL), text=OVERALL)
    codes = sorted({r.course.code for r in truth})
    for code in codes:
        pairs = [(r, q) for r, q in scored(truth, OVERALL) if r.course.code == code]
        ev = run_plan(conn, plan=Average(metric=metric, scope=Scope(courses=[code])))
        assert ev.route == "quantitative"
        value, n = weighted(pairs)
        assert (ev.facts[0].value, ev.facts[0].n) == (value, n), code
        assert ev.facts[1].value == len(pairs)
        assert "weighted by responses" in ev.facts[0].source
        assert ev.plan == Average(metric=metric, scope=Scope(courses=[code])).model_dump()


def test_average_for_instructor_and_year_range(conn: Conn, truth: list[ParsedReport]) -> None:
    metric = Metric(kind="question", question_id=question_id(conn, FEEDBACK), text=FEEDBACK)
    people = conn.execute(
        "SELECT i.id, i.first_name || ' ' || i.last_name AS name, count(*) AS k"
        " FROM instructors i JOIN section_instructors si ON si.instructor_id = i.id"
        " GROUP BY i.id ORDER BY k DESC, i.id LIMIT 3"
    ).fetchall()
    for person in people:
        pairs = [(r, q) for r, q in scored(truth, FEEDBACK) if person["name"] in name(r)]
        ev = run_plan(conn, plan=Average(metric=metric, scope=Scope(instructor_ids=[person["id"]])))
        assert (ev.facts[0].value, ev.facts[0].n) == weighted(pairs)
    pairs = [(r, q) for r, q in scored(truth, FEEDBACK) if 2020 <= r.term.year <= 2022]
    ev = run_plan(conn, plan=Average(metric=metric, scope=Scope(term_from=20200, term_to=20229)))
    assert (ev.facts[0].value, ev.facts[0].n) == weighted(pairs)


@pytest.mark.parametrize("entity", ["instructor", "course", "section"])
@pytest.mark.parametrize("include_small", [False, True])
def test_ranking_matches_truth(
    conn: Conn, truth: list[ParsedReport], entity: str, include_small: bool
) -> None:
    metric = Metric(kind="question", question_id=question_id(conn, OVERALL), text=OVERALL)
    pairs = scored(truth, OVERALL)
    small = [p for p in pairs if p[1].responses < 5]
    assert small, "the corpus should hold sections under 5 responses"
    groups: dict[str, list[tuple[ParsedReport, Any]]] = defaultdict(list)
    subjects: dict[str, set[str]] = defaultdict(set)  # one person per name and subject
    for r in truth:
        for n in name(r):
            subjects[n].add(r.course.subject)
    for r, q in pairs:
        if q.responses < 5 and not include_small:
            continue
        if entity == "instructor":
            keys = [n if len(subjects[n]) == 1 else f"{n} ({r.course.subject})" for n in name(r)]
        elif entity == "course":
            keys = [f"{r.course.code} {r.course.title}"]
        else:
            keys = [f"{r.course.code}-{r.course.section} {r.term.label}"]
        for key in keys:
            groups[key].append((r, q))
    expected = sorted(
        ((label, *weighted(g)) for label, g in groups.items()), key=lambda e: (-e[1], -e[2], e[0])
    )
    plan = Ranking(
        entity=entity,
        metric=metric,
        scope=Scope(),
        limit=50,
        include_small=include_small,
    )
    ev = run_plan(conn, plan=plan)
    ranked = [f for f in ev.facts if f.label.startswith("#")]
    got = [(f.label.removesuffix(" (tied)").split(" ", 1)[1], f.value, f.n) for f in ranked]
    assert got == [(label, v, n) for label, v, n in expected[:50]]
    ranks = [int(f.label.split(" ")[0][1:]) for f in ranked]
    for (a, ra), (b, rb) in itertools.pairwise(zip(got, ranks, strict=True)):
        assert rb == ra if a[1] == b[1] else rb > ra  # ties share a rank
    if include_small:
        assert not any("left out" in f.label for f in ev.facts)
    else:
        dropped = next(f for f in ev.facts if "fewer than 5" in f.label)
        assert dropped.value == len(small)
        assert dropped.label == "sections with fewer than 5 responses left out"  # count once


def test_ranking_ascending_and_limit(conn: Conn, truth: list[ParsedReport]) -> None:
    metric = Metric(kind="question", question_id=question_id(conn, OVERALL), text=OVERALL)
    desc = run_plan(conn, plan=Ranking(entity="course", metric=metric, scope=Scope(), limit=50))
    asc = run_plan(
        conn, plan=Ranking(entity="course", metric=metric, scope=Scope(), order="asc", limit=3)
    )
    top = [f.value for f in desc.facts if f.label.startswith("#")]
    low = [f.value for f in asc.facts if f.label.startswith("#")]
    assert low == sorted(top)[:3]


def test_ranking_with_only_small_sections_is_unanswerable(
    conn: Conn, truth: list[ParsedReport]
) -> None:
    metric = Metric(kind="question", question_id=question_id(conn, OVERALL), text=OVERALL)
    r, _ = next(p for p in scored(truth, OVERALL) if p[1].responses < 5)
    scope = Scope(courses=[r.course.code], terms=[r.term.label], sections=[r.course.section])
    ev = run_plan(conn, plan=Ranking(entity="section", metric=metric, scope=scope))
    assert ev.route == "unanswerable" and "fewer than 5" in ev.searched
    ev = run_plan(
        conn, plan=Ranking(entity="section", metric=metric, scope=scope, include_small=True)
    )
    assert ev.route == "quantitative" and ev.facts[0].n is not None and ev.facts[0].n < 5


def test_comparison_to_department_and_university(conn: Conn, truth: list[ParsedReport]) -> None:
    metric = Metric(kind="question", question_id=question_id(conn, FEEDBACK), text=FEEDBACK)
    for code in sorted({r.course.code for r in truth}):
        pairs = [(r, q) for r, q in scored(truth, FEEDBACK) if r.course.code == code]
        ev = run_plan(conn, plan=Comparison(metric=metric, scope=Scope(courses=[code])))
        facts = {f.label.split(": ")[-1] if ":" in f.label else f.label: f for f in ev.facts}
        assert (ev.facts[0].value, ev.facts[0].n) == weighted(pairs)
        for field, word in (("dept_mean", "department"), ("univ_mean", "university")):
            rows = [(r, q) for r, q in pairs if getattr(q, field) is not None]
            if not rows:
                assert f"{word} mean" not in facts
                continue
            total = sum(q.responses for _, q in rows)
            other = sum(Decimal(str(getattr(q, field))) * q.responses for _, q in rows)
            own = sum(Decimal(str(q.course_mean)) * q.responses for _, q in rows)
            assert facts[f"{word} mean"].value == q2(other / total)
            assert facts[f"{word} mean"].n == total
            diff = next(f for f in ev.facts if f"minus {word}" in f.label)
            assert diff.value == q2((own - other) / total)


def test_comparison_between_instructors(conn: Conn, truth: list[ParsedReport]) -> None:
    metric = Metric(kind="question", question_id=question_id(conn, OVERALL), text=OVERALL)
    people = conn.execute(
        "SELECT i.id, i.first_name || ' ' || i.last_name AS name, array_agg(DISTINCT c.subject)"
        " AS subjects FROM instructors i JOIN section_instructors si ON si.instructor_id = i.id"
        " JOIN sections s ON s.id = si.section_id JOIN courses c ON c.id = s.course_id"
        " GROUP BY i.id ORDER BY i.id LIMIT 2"
    ).fetchall()
    scope = Scope(instructor_ids=[p["id"] for p in people])
    ev = run_plan(conn, plan=Comparison(metric=metric, scope=scope, between="instructors"))
    named = [f for f in ev.facts if not f.label.startswith("difference")]
    got = {f.label.split(":")[0].split(" (")[0]: (f.value, f.n) for f in named}
    for p in people:  # one person per name and subject (ingestion.identity)
        pairs = [
            (r, q)
            for r, q in scored(truth, OVERALL)
            if p["name"] in name(r) and r.course.subject in p["subjects"]
        ]
        assert got[p["name"]] == weighted(pairs)
    assert len(got) == 2


def test_trend_per_term(conn: Conn, truth: list[ParsedReport]) -> None:
    metric = Metric(kind="question", question_id=question_id(conn, OVERALL), text=OVERALL)
    by_subject: dict[str, set[str]] = defaultdict(set)
    for r in truth:
        by_subject[r.course.subject].add(r.term.label)
    subject = max(sorted(by_subject), key=lambda s: len(by_subject[s]))
    ev = run_plan(conn, plan=Trend(metric=metric, scope=Scope(subjects=[subject])))
    terms = sorted(by_subject[subject], key=lambda label: parse_term(label).sort_key)  # type: ignore[union-attr]
    per_term = [f for f in ev.facts if not f.label.startswith("change")]
    assert [f.label.split(" (")[0] for f in per_term] == terms
    for fact, label in zip(per_term, terms, strict=True):
        pairs = [
            (r, q)
            for r, q in scored(truth, OVERALL)
            if r.course.subject == subject and r.term.label == label
        ]
        assert (fact.value, fact.n) == weighted(pairs)
    change = ev.facts[-1]
    assert change.value == float(Decimal(str(per_term[-1].value)) - Decimal(str(per_term[0].value)))


@pytest.mark.parametrize("entity", ["instructor", "course"])
def test_ranking_by_change_matches_truth(
    conn: Conn, truth: list[ParsedReport], entity: str
) -> None:
    """Who improved most: the last term's pooled value minus the first term's, per instructor
    (one per name and subject, as stored) or course, sections under 5 responses left out."""
    metric = Metric(kind="question", question_id=question_id(conn, OVERALL), text=OVERALL)
    subjects: dict[str, set[str]] = defaultdict(set)
    for r in truth:
        for n in name(r):
            subjects[n].add(r.course.subject)
    groups: dict[str, dict[str, list[tuple[ParsedReport, Any]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for r, q in scored(truth, OVERALL):
        if q.responses < 5:
            continue
        if entity == "instructor":
            keys = [n if len(subjects[n]) == 1 else f"{n} ({r.course.subject})" for n in name(r)]
        else:
            keys = [f"{r.course.code} {r.course.title}"]
        for key in keys:
            groups[key][r.term.label].append((r, q))
    expected = {}
    for label, terms in groups.items():
        if len(terms) < 2:
            continue
        order = sorted(terms, key=lambda t: parse_term(t).sort_key)  # type: ignore[union-attr]
        first, last = weighted(terms[order[0]])[0], weighted(terms[order[-1]])[0]
        change = float(Decimal(str(last)) - Decimal(str(first)))
        expected[label] = (change, f"change from {order[0]} ({first}) to {order[-1]} ({last})")
    assert expected, "the corpus should hold someone taught in two terms"
    plan = Ranking(entity=entity, metric=metric, scope=Scope(), limit=50, by="change")
    ev = run_plan(conn, plan=plan)
    ranked = [f for f in ev.facts if f.label.startswith("#")]
    got = {}
    for fact in ranked:
        who, what = fact.label.split(" ", 1)[1].removesuffix(" (tied)").split(", change ", 1)
        got[who] = (fact.value, f"change {what}")
    assert got == expected
    values = [f.value for f in ranked]
    assert values == sorted(values, reverse=True)
    single = [f for f in ev.facts if "one term of data" in f.label]
    one_term = len(groups) - len(expected)
    assert [f.value for f in single] == ([one_term] if one_term else [])
    worst = run_plan(conn, plan=plan.model_copy(update={"order": "asc", "limit": 1}))
    assert worst.facts[0].value == min(values)


def test_distribution_sums_per_option(conn: Conn, truth: list[ParsedReport]) -> None:
    metric = Metric(kind="question", question_id=question_id(conn, OVERALL), text=OVERALL)
    ev = run_plan(conn, plan=Distribution(metric=metric, scope=Scope()))
    with_dist = [q for _, q in scored(truth, OVERALL) if q.distribution is not None]
    assert with_dist
    counts = {k: sum(q.distribution[k] for q in with_dist) for k in ("5", "4", "3", "2", "1", "na")}
    options = [f for f in ev.facts if f.label != "most common answer"]
    got = {f.label.split(" ")[0]: f.value for f in options}
    assert got == {**{k: counts[k] for k in "54321"}, "N/A": counts["na"]}
    common = max("54321", key=lambda k: (counts[k], k))
    assert ev.facts[0].label == "most common answer" and ev.facts[0].value.startswith(common)
    assert options[0].label == "5 (Almost Always Effective)"
    assert all(f.n == sum(counts[k] for k in "54321") for f in ev.facts)
    assert "left out" in ev.facts[0].source  # CollegeNET sections print no counts


def test_distribution_without_counts_says_why(conn: Conn, truth: list[ParsedReport]) -> None:
    metric = Metric(kind="question", question_id=question_id(conn, OVERALL), text=OVERALL)
    r = next(r for r in truth if r.layout == "collegenet")
    scope = Scope(courses=[r.course.code], terms=[r.term.label], sections=[r.course.section])
    ev = run_plan(conn, plan=Distribution(metric=metric, scope=scope))
    assert ev.route == "unanswerable" and "per-option counts" in ev.searched


@pytest.mark.parametrize("what", ["sections", "instructors", "responses", "comments"])
def test_counts(conn: Conn, truth: list[ParsedReport], what: str) -> None:
    for code in sorted({r.course.code for r in truth}):
        reports = [r for r in truth if r.course.code == code]
        expected = {
            "sections": len(reports),
            "instructors": len({(p.last, p.first) for r in reports for p in r.instructors}),
            "responses": sum(r.responses_incl_declines or 0 for r in reports),
            "comments": sum(len(r.comments) for r in reports),
        }[what]
        ev = run_plan(conn, plan=Count(what=what, scope=Scope(courses=[code])))
        assert (ev.facts[0].value, ev.facts[0].n) == (expected, len(reports)), code


def test_hours_per_week(conn: Conn, truth: list[ParsedReport]) -> None:
    for code in sorted({r.course.code for r in truth}):
        reports = [r for r in truth if r.course.code == code and r.frequencies]
        ev = run_plan(conn, plan=HoursPerWeek(prompt=HOURS, scope=Scope(courses=[code])))
        if not reports:
            assert ev.route == "unanswerable"
            continue
        bins: dict[str, int] = defaultdict(int)
        for r in reports:
            for b, count in r.frequencies[0].bins.items():
                bins[b] += count
        got = {
            f.label.split(" ")[0]: f.value
            for f in ev.facts
            if f.label[:1].isdigit() and f.label.endswith(" hours per week")
        }
        assert got == dict(bins)
        mean = next(f for f in ev.facts if f.label == "estimated mean hours per week")
        assert (mean.value, mean.n) == hours_mean(reports)
        total = sum(bins.values())
        for fact in (f for f in ev.facts if f.label.startswith("share at ")):
            low = int(fact.label.removeprefix("share at ").split("+")[0])
            above = sum(c for b, c in bins.items() if int(b.split("-")[0]) >= low)
            assert fact.value == q2(Decimal(above) / Decimal(total))


def test_hours_trend(conn: Conn, truth: list[ParsedReport]) -> None:
    metric = Metric(kind="hours", text=HOURS)
    ev = run_plan(conn, plan=Trend(metric=metric, scope=Scope()))
    for fact in ev.facts[:-1]:
        label = fact.label.split(" (")[0]
        assert (fact.value, fact.n) == hours_mean(
            [r for r in truth if r.term.label == label and r.frequencies]
        )


def test_no_matching_rows_is_unanswerable(conn: Conn) -> None:
    metric = Metric(kind="question", question_id=question_id(conn, OVERALL), text=OVERALL)
    for plan in (
        Average(metric=metric, scope=Scope(terms=["Fall 2030"])),
        Trend(metric=metric, scope=Scope(courses=["ZZ9999"])),
        Count(what="sections", scope=Scope(terms=["Fall 2030"])),
        Average(metric=metric, scope=Scope(courses=["CS5800'; DROP TABLE sections; --"])),
    ):
        ev = run_plan(conn, plan=plan)
        assert ev.route == "unanswerable" and ev.facts == []
        assert ev.plan == plan.model_dump() and ev.searched
    assert conn.execute("SELECT count(*) AS n FROM sections").fetchone()["n"] > 0  # type: ignore[index]


# ---------------------------------------------------------------- end to end, real embedder


@pytest.fixture(scope="module")
def index(loaded_url: str, real_embedder: Embedder) -> tuple[Catalog, MetricIndex]:
    with connect(loaded_url) as c:
        catalog = Catalog.load(c)
    return catalog, MetricIndex.build(catalog, real_embedder)


def test_ask_highest_overall_rating_in_a_term(
    conn: Conn, truth: list[ParsedReport], index: tuple[Catalog, MetricIndex]
) -> None:
    catalog, metric_index = index
    term = max(
        sorted({r.term.label for r in truth}),
        key=lambda t: sum(1 for r in truth if r.term.label == t),
    )
    ev, ent = quantitative_evidence(
        conn,
        question=f"Which instructor had the highest overall rating in {term}?",
        catalog=catalog,
        metric_index=metric_index,
    )
    assert ev.route == "quantitative" and ev.plan["kind"] == "ranking"
    assert ev.plan["metric"]["text"] == OVERALL and ev.plan["scope"]["terms"] == [term]
    groups: dict[str, list[tuple[ParsedReport, Any]]] = defaultdict(list)
    for r, q in scored(truth, OVERALL):
        if r.term.label == term and q.responses >= 5:
            for person in name(r):
                groups[person].append((r, q))
    best = max(weighted(g) for g in groups.values())
    assert ev.facts[0].value == best[0]
    assert ent.intent is not None and ent.intent.kind == "ranking"


def test_ask_hours_then_follow_up(
    conn: Conn, truth: list[ParsedReport], index: tuple[Catalog, MetricIndex]
) -> None:
    catalog, metric_index = index
    r = next(r for r in truth if r.frequencies)
    code = r.course.code
    spaced = f"{code[: len(r.course.subject)]} {r.course.number}"
    ev, ent = quantitative_evidence(
        conn,
        question=f"How many hours per week do students spend on {spaced}?",
        catalog=catalog,
        metric_index=metric_index,
    )
    assert ev.plan["kind"] == "hours"
    expected = hours_mean([x for x in truth if x.course.code == code and x.frequencies])
    mean = next(f for f in ev.facts if f.label == "estimated mean hours per week")
    assert (mean.value, mean.n) == expected
    ev2, ent2 = quantitative_evidence(
        conn,
        question=f"and in {r.term.label}?",
        catalog=catalog,
        metric_index=metric_index,
        previous=ent,
    )
    assert ent2.courses == [code] and ent2.terms == [r.term.label]
    assert ev2.plan["kind"] == "hours"
    same = [x for x in truth if x.course.code == code and x.term.label == r.term.label]
    mean2 = next(f for f in ev2.facts if f.label == "estimated mean hours per week")
    assert (mean2.value, mean2.n) == hours_mean([x for x in same if x.frequencies])


def test_ask_unanswerables(conn: Conn, index: tuple[Catalog, MetricIndex]) -> None:
    catalog, metric_index = index
    code = catalog.courses[0].code
    cases = {
        "What is the average rating for ZZ 9999?": "ZZ9999",
        f"Average parking availability for {code}": "parking availability",
        "Average overall rating in Fall 2030": "Fall 2030",
    }
    for question, named in cases.items():
        ev, _ = quantitative_evidence(
            conn, question=question, catalog=catalog, metric_index=metric_index
        )
        assert ev.route == "unanswerable" and not ev.facts
        assert named in ev.searched, (question, ev.searched)
