"""The corpus generator: deterministic, consistent, covering every variant, and golden."""

from __future__ import annotations

import hashlib
import json
import re
import statistics
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.report import SEASONS, ParsedReport
from devtools.corpus.catalogue import EFFECTIVENESS, PROMPT_ONLINE, PROMPTS
from devtools.corpus.content import Survey, generate_surveys, project
from devtools.corpus.style import available_families, draw_style, style_axes
from devtools.corpus.writer import assign_layouts, write_corpus

GOLDEN_REPORTS = 500  # the acceptance bar: exact on a fresh corpus of 500, styles drawn at random


@pytest.fixture(scope="module")
def surveys() -> list[Survey]:
    return generate_surveys(300, seed=2024)


def _half_up(value: Fraction) -> float:
    """Reference rounding to two decimals, computed exactly."""
    hundredths = value * 100
    whole = int(hundredths)
    if hundredths - whole >= Fraction(1, 2):
        whole += 1
    return whole / 100


def test_generation_is_deterministic() -> None:
    assert generate_surveys(40, seed=3) == generate_surveys(40, seed=3)
    assert generate_surveys(40, seed=3) != generate_surveys(40, seed=4)


def test_scores_follow_from_the_distributions(surveys: list[Survey]) -> None:
    for s in surveys:
        assert s.enrollment >= 5
        assert 0 <= s.declines < s.responses_incl_declines <= s.enrollment
        answered = s.responses_incl_declines - s.declines
        for q in s.questions:
            d = q.distribution
            assert set(d) == {"5", "4", "3", "2", "1", "na"}
            values = [int(k) for k in "54321" for _ in range(d[k])]
            assert q.responses == len(values) >= 1
            assert q.responses + d["na"] <= answered
            assert q.course_mean == _half_up(Fraction(sum(values), len(values)))
            assert q.course_median == statistics.median(values)
            assert q.std_dev == pytest.approx(statistics.pstdev(values), abs=0.005)
            rate = q.response_rate(s.enrollment)
            assert rate == int(Fraction(100 * q.responses, s.enrollment) + Fraction(1, 2)) / 100
            for value in (q.course_mean, q.std_dev, q.dept_mean, q.univ_mean, rate):
                assert round(value, 2) == value
            assert q.dept_median in (4.0, 4.5, 5.0) and q.univ_median in (4.0, 4.5, 5.0)
        for f in s.frequencies:
            assert list(f.bins) == ["1-4", "5-8", "9-12", "13-16", "17-20"]
            assert sum(f.bins.values()) <= answered


def test_comments_are_numbered_clean_and_winansi(surveys: list[Survey]) -> None:
    for s in surveys:
        by_prompt: dict[str, list[int]] = {}
        for c in s.comments:
            by_prompt.setdefault(c.prompt, []).append(c.number)
            assert c.text == " ".join(c.text.split()) and c.text
            assert c.tone in ("positive", "negative", "mixed", "neutral")
            c.text.encode("cp1252")
        assert list(by_prompt) == [p for p in PROMPTS if p in by_prompt]
        for numbers in by_prompt.values():
            assert numbers == list(range(1, len(numbers) + 1))
        if not s.online:
            assert PROMPT_ONLINE not in by_prompt
        for text in [
            s.course.title,
            *(f"{i.last}, {i.first}" for i in s.instructors),
            *(q.text for q in s.questions),
        ]:
            text.encode("cp1252")


def test_every_variant_occurs(surveys: list[Survey]) -> None:
    comments = [c.text for s in surveys for c in s.comments]
    names = [f"{i.last}, {i.first}" for s in surveys for i in s.instructors]
    offerings = Counter((s.course.code, s.term.label) for s in surveys)
    checks = {
        "every season": {s.term.season for s in surveys} == set(SEASONS),
        "both eras": {s.pdf_layout for s in surveys} == {"collegenet", "blue"},
        "years 2015-2026": {s.term.year for s in surveys} >= {2015, 2020, 2025, 2026},
        "co-taught": any(len(s.instructors) > 1 for s in surveys),
        "online": any(s.online for s in surveys),
        "offline": any(not s.online for s in surveys),
        "custom questions": any(len(s.questions) > 15 + 4 * s.online for s in surveys),
        "long question": any(len(q.text) > 150 for s in surveys for q in s.questions),
        "frequency block": any(s.frequencies for s in surveys),
        "no frequency block": any(not s.frequencies for s in surveys),
        "no comments": any(not s.comments for s in surveys),
        "prompt with zero comments": any(
            s.comments and len({c.prompt for c in s.comments}) < 4 for s in surveys
        ),
        "several sections": any(n > 1 for n in offerings.values()),
        "small section": any(s.enrollment < 10 for s in surveys),
        "title with parentheses and digit": any(
            re.search(r"\(.*\) \d", s.course.title) for s in surveys
        ),
        "hyphenated name": any("-" in n.split(",")[0] for n in names),
        "apostrophe name": any("'" in n for n in names),
        "period name": any("." in n for n in names),
        "accented name": any(re.search(r"[^\x00-\x7f]", n) for n in names),
        "several given names": any(" " in n.split(", ")[1] for n in names),
        "digits in comments": any(re.search(r"\d", c) for c in comments),
        "comment starting with a digit": any(c[0].isdigit() for c in comments),
        "list comment": any("Pros: 1)" in c for c in comments),
        "non-ascii comment": any(re.search(r"[éñü—]", c) for c in comments),
        "typographic quotes": any("’" in c for c in comments)
        and any("“" in c and "”" in c for c in comments),
        "long comment": any(len(c) > 700 for c in comments),
        "thousands of distinct comments": len(set(comments)) > 2000,
    }
    assert [name for name, ok in checks.items() if not ok] == []


def test_instructor_quality_drives_scores_and_tone(surveys: list[Survey]) -> None:
    def effectiveness(s: Survey) -> float:
        return next(q.course_mean for q in s.questions if q.section == EFFECTIVENESS)

    big = [s for s in surveys if s.responses_incl_declines >= 15]
    assert (
        statistics.correlation([s.instructor_quality for s in big], [effectiveness(s) for s in big])
        > 0.5
    )
    good = [c.tone for s in surveys if s.instructor_quality > 0.4 for c in s.comments]
    poor = [c.tone for s in surveys if s.instructor_quality < -0.2 for c in s.comments]
    assert good.count("positive") / len(good) > poor.count("positive") / len(poor) + 0.2


def test_projections_print_what_each_layout_prints(surveys: list[Survey]) -> None:
    s = next(s for s in surveys if s.frequencies and s.comments)
    cn, blue, xlsx = (project(s, layout) for layout in ("collegenet", "blue", "xlsx"))
    assert all(q.std_dev is None and q.distribution is None for q in cn.questions)
    assert all(q.response_rate is not None and q.section for q in cn.questions)
    assert all(q.response_rate is None and q.distribution for q in blue.questions)
    assert blue.declines is None and cn.declines == s.declines
    assert all(
        q.section is None
        and q.dept_mean is None
        and q.univ_median is None
        and q.std_dev is not None
        for q in xlsx.questions
    )
    assert xlsx.frequencies == [] and cn.frequencies == blue.frequencies != []
    assert cn.comments == blue.comments == xlsx.comments
    assert cn.file == "" and cn.warnings == []


@pytest.mark.parametrize("seed", range(8))
def test_small_corpora_have_every_layout(seed: int) -> None:
    assert set(assign_layouts(generate_surveys(12, seed), seed)) == {"collegenet", "blue", "xlsx"}


def test_layout_follows_term_and_share_of_xlsx(surveys: list[Survey]) -> None:
    layouts = assign_layouts(surveys, 1)
    for s, layout in zip(surveys, layouts, strict=True):
        assert layout in ("xlsx", s.pdf_layout)
    assert 0.12 < layouts.count("xlsx") / len(layouts) < 0.28


def test_write_corpus_is_deterministic(tmp_path: Path) -> None:
    first = write_corpus(tmp_path / "a", reports=12, seed=8)
    second = write_corpus(tmp_path / "b", reports=12, seed=8)
    assert [p.name for p in first] == [p.name for p in second]
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(files) == 36
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_corpus(tmp_path_factory.mktemp("golden"), reports=GOLDEN_REPORTS, seed=31)


def test_corpus_files_are_named_and_labelled(golden: list[Path]) -> None:
    assert len(golden) == GOLDEN_REPORTS
    for path in golden:
        assert re.fullmatch(r"[a-z]+\d+-[a-z0-9]+\d{4}-[a-z0-9]+-\d{5}\.(pdf|xlsx)", path.name)
        truth = ParsedReport.model_validate_json(path.with_suffix(".json").read_text("utf-8"))
        assert truth.file == path.name
        assert truth.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert truth.layout == ("xlsx" if path.suffix == ".xlsx" else truth.layout)
        labels = json.loads(path.with_suffix(".labels.json").read_text("utf-8"))
        assert [c["text"] for c in labels["comments"]] == [c.text for c in truth.comments]
    assert {
        ParsedReport.model_validate_json(p.with_suffix(".json").read_text("utf-8")).layout
        for p in golden
    } == {"collegenet", "blue", "xlsx"}


def test_golden_parse_equals_truth(golden: list[Path]) -> None:
    from ingestion.parsers.pdf import parse_pdf
    from ingestion.parsers.xlsx import parse_xlsx

    failures = []
    for path in golden:
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        if path.suffix == ".xlsx":
            parsed = parse_xlsx(data, filename=path.name, sha256=sha)
        else:
            parsed = parse_pdf(data, filename=path.name, sha256=sha)
        truth = ParsedReport.model_validate_json(path.with_suffix(".json").read_text("utf-8"))
        if parsed != truth:
            got, want = parsed.model_dump(), truth.model_dump()
            fields = [k for k in want if got[k] != want[k]]
            failures.append(f"{path.name}: {fields}")
    assert failures == []


def test_golden_corpus_covers_every_style_axis(golden: list[Path]) -> None:
    """The 500 golden reports are drawn in styles that between them take every axis value."""
    seen: dict[str, set[str]] = {}
    for index, path in enumerate(golden):
        if path.suffix == ".pdf":
            for axis, value in style_axes(draw_style(31 * 100_003 + index)).items():
                seen.setdefault(axis, set()).add(value)
    assert seen["font"] == set(available_families())
    assert seen["page"] == {"A4", "Letter"} and seen["value_width"] == {"narrow", "wide"}
    assert seen["cell_valign"] == {"top", "middle", "bottom"}
    assert seen["rules"] == {"grid", "rows", "frame", "none"}
    assert seen["blue_tables"] == {"per-question", "per-section"}
    assert seen["distribution"] == {"inside", "below"} and seen["order"] == {"stream", "shuffled"}
    assert seen["comments"] == {"flush", "hanging"} and seen["repeat_header"] == {"True", "False"}
    assert {"•", "-"} <= seen["bullet"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**31))
def test_parse_of_render_is_the_report(seed: int) -> None:
    """For any seed: parse(render(report, style)) == report, the style drawn from the seed."""
    from devtools.corpus.writer import renderer
    from ingestion.parsers.pdf import parse_pdf

    survey = generate_surveys(1, seed)[0]
    truth = project(survey, survey.pdf_layout)
    data = renderer(survey.pdf_layout)(truth, seed=seed)
    parsed = parse_pdf(data, filename="", sha256="")
    assert parsed.model_copy(update={"warnings": []}) == truth
