"""Saved Blue web pages (`blue-html`): a golden run over generated pages in every markup, the
merge with the PDF of the same section, and the checks that refuse what does not add up."""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter

import pytest

from core.db import connect
from core.errors import ParseError
from core.report import ParsedReport
from devtools.corpus.content import Survey, generate_surveys, project
from devtools.corpus.html_blue import render_blue_html
from devtools.corpus.html_style import draw_html_style, html_style_axes
from devtools.corpus.pdf_blue import render_blue
from ingestion.parse import parse_report
from ingestion.parsers.blue_html import parse_blue_html
from tests.ingestion.test_provenance import expected, stored, upload

GOLDEN = 120


def _blue(count: int, seed: int = 17) -> list[Survey]:
    return [s for s in generate_surveys(count * 4, seed) if s.pdf_layout == "blue"][:count]


def _page(survey: Survey, seed: int) -> tuple[ParsedReport, bytes]:
    truth = project(survey, "blue-html")
    data = render_blue_html(truth, seed=seed)
    return truth.model_copy(update={"file": "r.html", "sha256": _sha(data)}), data


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_golden_pages_in_every_markup_parse_exactly() -> None:
    surveys = _blue(GOLDEN)
    assert len(surveys) == GOLDEN
    seen: Counter[str] = Counter()
    wrong: list[str] = []
    started = time.monotonic()
    for index, survey in enumerate(surveys):
        truth, data = _page(survey, index)
        seen.update(f"{k}={v}" for k, v in html_style_axes(draw_html_style(index)).items())
        parsed = parse_report(data, filename="r.html")
        if parsed != truth:
            wrong.append(f"{index}: {html_style_axes(draw_html_style(index))}")
    elapsed = time.monotonic() - started
    assert not wrong, f"{len(wrong)} of {GOLDEN} pages differ from their truth: {wrong[:3]}"
    # Every value of every markup axis was exercised.
    for axis in (
        "chrome=True",
        "chrome=False",
        "thead=True",
        "thead=False",
        "tables=per-question",
        "tables=per-section",
        "heading=caption",
        "heading=h2",
        "heading=div",
        "distribution=cell-list",
        "distribution=cell-table",
        "distribution=row",
        "distribution=table-after",
        "frequency=vertical",
        "frequency=horizontal",
        "answers=ul",
        "answers=ol",
        "answers=bullets",
        "answers=table",
        "items=dl",
        "items=table",
        "items=spans",
        "items=paragraphs",
        "wrappers=deep",
        "title=div-strong",
    ):
        assert seen[axis], f"no page drawn with {axis}"
    assert elapsed < 60, f"{GOLDEN} pages took {elapsed:.1f} s"


def test_a_page_holds_the_same_section_as_its_pdf() -> None:
    survey = next(s for s in _blue(10) if s.comments)
    pdf = parse_report(render_blue(project(survey, "blue"), seed=4), filename="r.pdf")
    page = parse_report(render_blue_html(project(survey, "blue-html"), seed=4), filename="r.html")
    keep = {"layout", "file", "sha256", "warnings"}
    assert page.model_dump(exclude=keep) == pdf.model_dump(exclude=keep)
    assert page.layout == "blue-html" and page.comments and page.questions


def test_pdf_and_page_of_one_section_merge_without_loss(db_url: str) -> None:
    """Both stored, in either order: the section equals the merge, nothing conflicts."""
    survey = next(s for s in _blue(10) if s.comments and s.frequencies)
    pdf = parse_report(render_blue(project(survey, "blue"), seed=8), filename="r.pdf")
    page = parse_report(render_blue_html(project(survey, "blue-html"), seed=8), filename="r.html")
    for order in ((pdf, page), (page, pdf)):
        with connect(db_url) as conn:
            conn.execute(
                "TRUNCATE reports, sections, courses, terms, instructors, questions CASCADE"
            )
            ids = [upload(conn, r) for r in order]
            merged = stored(conn)
            assert merged == expected(dict(zip(ids, order, strict=True)))
            assert merged == expected({1: pdf}) == expected({1: page})
            conflicts = conn.execute("SELECT count(*) AS n FROM section_conflicts").fetchone()
            assert conflicts is not None and conflicts["n"] == 0
            sources = conn.execute("SELECT count(*) AS n FROM report_sources").fetchone()
            assert sources is not None and sources["n"] == 2


def _tamper(data: bytes, pattern: str, replace: str) -> bytes:
    text = data.decode()
    changed, n = re.subn(pattern, replace, text, count=1)
    assert n == 1, pattern
    return changed.encode()


def _plain_page() -> bytes:
    """A page whose distributions sit in the question cell as a list, headings as `h2`."""
    survey = _blue(6)[5]
    for seed in range(200):
        style = draw_html_style(seed)
        if style.distribution == "cell-list" and style.answers == "ul" and style.heading == "h2":
            return render_blue_html(project(survey, "blue-html"), seed=seed)
    raise AssertionError("no such style drawn")


def test_a_distribution_that_does_not_sum_to_its_responses_fails() -> None:
    data = _tamper(_plain_page(), r"<li>Agree (\d+) ", "<li>Agree 9999 ")
    with pytest.raises(ParseError) as err:
        parse_blue_html(data, filename="r.html", sha256="")
    assert err.value.reason == "checksum"


def test_a_percentage_that_disagrees_with_its_count_fails() -> None:
    data = _tamper(_plain_page(), r"(<li>Strongly Agree \d+ )(\d+)%", r"\g<1>101%")
    with pytest.raises(ParseError) as err:
        parse_blue_html(data, filename="r.html", sha256="")
    assert err.value.reason == "checksum" and "printed as 101%" in str(err.value)


def test_a_question_without_its_distribution_fails() -> None:
    data = _tamper(_plain_page(), r"<ul class='dist'>.*?</ul>", "")
    with pytest.raises(ParseError) as err:
        parse_blue_html(data, filename="r.html", sha256="")
    assert err.value.reason == "checksum" and "distribution" in str(err.value)


def test_text_no_rule_claims_fails_the_page_past_its_share() -> None:
    filler = "<p>" + "Unexplained paragraph in the middle of the report. " * 40 + "</p>"
    data = _tamper(_plain_page(), r"(<table class=\"ratings)", filler + r"\1")
    with pytest.raises(ParseError) as err:
        parse_blue_html(data, filename="r.html", sha256="")
    assert err.value.reason == "unclaimed_text"


def test_a_page_that_is_not_a_trace_report() -> None:
    data = b"<!DOCTYPE html><html><body><h1>Course catalogue</h1><p>Nothing here.</p></body></html>"
    with pytest.raises(ParseError) as err:
        parse_report(data, filename="x.html")
    assert err.value.reason == "not_trace"
