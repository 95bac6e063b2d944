"""Integrity of the independent evaluation set: the data checks itself, not the product."""

from __future__ import annotations

import collections
import hashlib
import importlib.util
import json
import statistics
from fractions import Fraction
from pathlib import Path
from types import ModuleType

import pytest

from core.report import DISTRIBUTION_KEYS, ParsedReport

HERE = Path(__file__).resolve().parent
INTENTS = (
    "enrollment",
    "responses",
    "response_rate",
    "declines",
    "question_mean",
    "median_or_stddev_or_distribution",
    "dept_univ_comparison",
    "ranking",
    "trend",
    "compare_two",
    "hours",
    "qualitative",
    "open",
    "followup",
    "unanswerable",
)
THEMES = {
    "workload",
    "clarity",
    "feedback",
    "exams",
    "organisation",
    "inclusivity",
    "pace",
    "enthusiasm",
    "online logistics",
}
TONES = {"positive", "negative", "mixed", "neutral"}
PROMPTS = {
    "What were the strengths of this course and/or this instructor?",
    "What could the instructor do to make this course better?",
    "Please expand on the instructor's strengths and/or areas for improvement in facilitating "
    "inclusive learning.",
    "Please comment on your experience of the online course environment in the open-ended text "
    "box.",
    "What I could have done to make this course better for myself.",
}
BINS = ["1-4", "5-8", "9-12", "13-16", "17-20"]


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"independent_{name}", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _jsonl(name: str) -> list[dict]:
    text = (HERE / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def corpus() -> dict[str, dict]:
    return {
        p.name: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((HERE / "corpus").glob("*.json"))
    }


@pytest.fixture(scope="module")
def comment_keys(corpus: dict[str, dict]) -> set[tuple[str, str, int]]:
    return {(name, c["prompt"], c["number"]) for name, r in corpus.items() for c in r["comments"]}


def _key(row: dict) -> tuple[str, str, int]:
    return (row["file"], row["prompt"], row["number"])


def _half_up(value: Fraction) -> float:
    builder = _module("build_answers")
    return builder.half_up(value)


def test_every_corpus_file_validates_and_names_itself(corpus: dict[str, dict]) -> None:
    assert 40 <= len(corpus) <= 60
    for name, raw in corpus.items():
        report = ParsedReport.model_validate(raw)
        assert report.file == name
        assert report.sha256 == hashlib.sha256(name.encode()).hexdigest()
        assert report.course.code == report.course.subject + report.course.number


def test_corpus_shape_covers_what_the_brief_asks(corpus: dict[str, dict]) -> None:
    courses = {r["course"]["code"] for r in corpus.values()}
    people = {(i["last"], i["first"]) for r in corpus.values() for i in r["instructors"]}
    years = {r["term"]["year"] for r in corpus.values()}
    assert 6 <= len(courses) <= 10
    assert 8 <= len(people) <= 12
    assert len({last for last, _ in people}) == len(people), "two instructors share a surname"
    assert min(years) == 2021 and max(years) == 2026
    assert sum(len(r["instructors"]) > 1 for r in corpus.values()) >= 2
    small = [r for r in corpus.values() if r["responses_incl_declines"] - (r["declines"] or 0) < 5]
    assert len(small) >= 2
    assert sum(bool(r["frequencies"]) for r in corpus.values()) >= len(corpus) // 2
    extra = {q["text"] for r in corpus.values() for q in r["questions"]} - set(
        _module("build_answers").QTEXT.values()
    )
    assert not extra
    assert any(
        q["text"].startswith("The course helped me build skills")
        for r in corpus.values()
        for q in r["questions"]
    )


def test_layout_follows_the_term(corpus: dict[str, dict]) -> None:
    builder = _module("build_answers")
    switch = builder.term_key("Summer 1 2025")
    for name, r in corpus.items():
        blue = builder.term_key(r["term"]["label"]) >= switch
        assert r["layout"] == ("blue" if blue else "collegenet"), name
        assert (r["declines"] is None) == blue, name
        for q in r["questions"]:
            assert (q["response_rate"] is None) == blue, (name, q["text"])
            assert (q["distribution"] is None) != blue, (name, q["text"])
            assert q["std_dev"] is None


def test_numbers_are_internally_consistent(corpus: dict[str, dict]) -> None:
    for name, r in corpus.items():
        respondents = r["responses_incl_declines"] - (r["declines"] or 0)
        assert 0 < r["responses_incl_declines"] <= r["enrollment"], name
        for q in r["questions"]:
            where = (name, q["text"])
            assert 1 <= q["responses"] <= respondents, where
            for field in (
                "course_mean",
                "dept_mean",
                "univ_mean",
                "course_median",
                "dept_median",
                "univ_median",
            ):
                assert 1.0 <= q[field] <= 5.0, where
            if q["response_rate"] is not None:
                assert q["response_rate"] == _half_up(Fraction(q["responses"], r["enrollment"]))
            dist = q["distribution"]
            if dist is not None:
                assert list(dist) == list(DISTRIBUTION_KEYS), where
                assert sum(dist.values()) == q["responses"], where
                values = [int(k) for k in DISTRIBUTION_KEYS[:5] for _ in range(dist[k])]
                assert q["course_mean"] == _half_up(Fraction(sum(values), len(values))), where
                assert q["course_median"] == statistics.median(values), where
            if q["text"].startswith("What is your overall rating"):
                assert q["responses"] == respondents, where
        for f in r["frequencies"]:
            assert list(f["bins"]) == BINS, name
            assert 0 < sum(f["bins"].values()) <= respondents, name


def test_comments_are_numbered_per_prompt(corpus: dict[str, dict]) -> None:
    for name, r in corpus.items():
        online = any(q["section"] == "Online Experience Questions" for q in r["questions"])
        by_prompt: dict[str, list[int]] = collections.defaultdict(list)
        for c in r["comments"]:
            assert c["prompt"] in PROMPTS, name
            assert c["text"].strip() == c["text"] and c["text"], name
            by_prompt[c["prompt"]].append(c["number"])
        for prompt, numbers in by_prompt.items():
            assert numbers == list(range(1, len(numbers) + 1)), (name, prompt)
            if prompt.startswith("Please comment on your experience of the online"):
                assert online, name


def test_labels_cover_every_comment_once(comment_keys: set[tuple[str, str, int]]) -> None:
    labels = _jsonl("labels.jsonl")
    keys = [_key(row) for row in labels]
    assert len(keys) == len(set(keys))
    assert set(keys) == comment_keys
    assert len(labels) >= 320
    for row in labels:
        assert set(row) == {"file", "prompt", "number", "themes", "tone", "theme_tones"}
        assert set(row["themes"]) <= THEMES
        assert list(row["theme_tones"]) == row["themes"]
        assert set(row["theme_tones"].values()) <= TONES
        assert row["tone"] in TONES
    themes = collections.Counter(t for row in labels for t in row["themes"])
    assert set(themes) == THEMES and min(themes.values()) >= 15
    tones = collections.Counter(row["tone"] for row in labels)
    assert set(tones) == TONES


def test_questions_meet_the_minimums(comment_keys: set[tuple[str, str, int]]) -> None:
    rows = _jsonl("questions.jsonl")
    assert len(rows) >= 320
    assert len({r["id"] for r in rows}) == len(rows)
    intents = collections.Counter(r["intent"] for r in rows)
    assert set(intents) == set(INTENTS)
    assert min(intents.values()) >= 25, intents
    for r in rows:
        assert r["turns"] and all(isinstance(t, str) and t.strip() for t in r["turns"])
        assert (len(r["turns"]) > 1) == (r["intent"] == "followup"), r["id"]
        expect = r["expect"]
        kind = expect["type"]
        assert kind in {"number", "numbers", "ranking", "qualitative", "open", "decline"}
        if kind == "decline":
            assert expect["why"]
            continue
        assert set(expect["scope"]) == {"course", "section", "term", "instructor", "question"}
        if kind in ("qualitative", "open"):
            assert expect["relevant"], r["id"]
            assert {_key(x) for x in expect["relevant"]} <= comment_keys, r["id"]
        if kind == "qualitative":
            assert expect["theme"] is None or expect["theme"] in THEMES
    unanswerable = [r for r in rows if r["intent"] == "unanswerable"]
    assert all(r["expect"]["type"] == "decline" for r in unanswerable)


def test_search_queries_point_at_comments(
    comment_keys: set[tuple[str, str, int]], corpus: dict[str, dict]
) -> None:
    rows = _jsonl("search.jsonl")
    assert len(rows) >= 70
    assert len({r["query"] for r in rows}) == len(rows)
    for r in rows:
        keys = [_key(x) for x in r["relevant"]]
        assert 3 <= len(keys) <= 15, r["id"]
        assert len(set(keys)) == len(keys)
        assert set(keys) <= comment_keys, r["id"]
        if "course" in r:
            assert {corpus[k[0]]["course"]["code"] for k in keys} == {r["course"]}


def test_build_answers_reproduces_the_stored_expects() -> None:
    builder = _module("build_answers")
    stored = (HERE / "questions.jsonl").read_text(encoding="utf-8")
    assert builder.render(builder.build()) == stored


def test_make_corpus_reproduces_the_stored_files(tmp_path: Path) -> None:
    maker = _module("make_corpus")
    maker.main(tmp_path)
    for name in ("labels.jsonl", "search.jsonl"):
        assert (tmp_path / name).read_bytes() == (HERE / name).read_bytes(), name
    made = sorted(p.name for p in (tmp_path / "corpus").glob("*.json"))
    assert made == sorted(p.name for p in (HERE / "corpus").glob("*.json"))
    for name in made:
        assert (tmp_path / "corpus" / name).read_bytes() == (HERE / "corpus" / name).read_bytes()
