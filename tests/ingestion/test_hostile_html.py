"""Hostile HTML is refused by name before unstructured builds its tree, or parsed within the
sandbox's limits: scripts, huge tables, deep nesting, many elements."""

from __future__ import annotations

import time

import pytest

from core.errors import ParseError
from devtools.corpus.content import generate_surveys, project
from devtools.corpus.html_blue import render_blue_html
from ingestion.limits import ParseLimits
from ingestion.parsers.blue_html import parse_blue_html
from ingestion.sandbox import ParserProcess

TITLE = "<h1>Student TRACE report for CS5800-01 Algorithms</h1>"


def _refused(data: bytes, words: str) -> float:
    started = time.monotonic()
    with pytest.raises(ParseError) as err:
        parse_blue_html(data, filename="h.html", sha256="")
    assert err.value.reason == "too_large" and words in str(err.value), str(err.value)
    return time.monotonic() - started


def test_a_huge_table_is_refused_by_its_row_cap() -> None:
    rows = "<tr><td>x</td><td>1</td></tr>" * 200_000
    data = f"<html><body>{TITLE}<table>{rows}</table></body></html>".encode()
    assert _refused(data, "rows") < 10


def test_a_row_with_too_many_cells_is_refused() -> None:
    data = f"<html><body>{TITLE}<table><tr>{'<td>1</td>' * 500}</tr></table></body></html>"
    _refused(data.encode(), "cells")


def test_deep_nesting_is_refused_before_it_is_lost() -> None:
    """Past 256 levels libxml2 gives up and unstructured returns no text at all."""
    data = f"<html><body>{'<div>' * 5000}{TITLE}{'</div>' * 5000}</body></html>".encode()
    assert _refused(data, "nested") < 10


def test_too_many_elements_are_refused() -> None:
    data = f"<html><body>{TITLE}{'<span>a</span>' * 250_000}</body></html>".encode()
    _refused(data, "elements")


def test_scripts_around_and_inside_a_report_are_ignored() -> None:
    survey = next(s for s in generate_surveys(20, 5) if s.pdf_layout == "blue" and s.comments)
    truth = project(survey, "blue-html")
    page = render_blue_html(truth, seed=2).decode()
    noise = "<script>" + "var report = 'Student TRACE report for XX9999-99 Fake';" * 20_000
    noise += "</script><style>" + "td{color:red}" * 10_000 + "</style>"
    data = page.replace("<body>", "<body>" + noise, 1).replace("</body>", noise + "</body>", 1)
    parsed = parse_blue_html(data.encode(), filename="h.html", sha256="")
    assert parsed.course.code == truth.course.code and parsed.comments == truth.comments


def test_hostile_pages_in_the_sandbox_stay_within_its_limits() -> None:
    """In the confined child (memory and CPU caps): refused in seconds, and the child serves
    the next page."""
    limits = ParseLimits()
    parser = ParserProcess(timeout_s=60, limits=limits, memory_mb=1024)
    try:
        deep = f"<html><body>{'<div>' * 100_000}{TITLE}</body></html>".encode()
        big = f"<html><body>{TITLE}<table>{'<tr><td>1</td></tr>' * 300_000}</table>".encode()
        for data in (deep, big):
            started = time.monotonic()
            with pytest.raises(ParseError) as err:
                parser.parse(data, filename="h.html")
            assert err.value.reason == "too_large"
            assert time.monotonic() - started < 30
        survey = next(s for s in generate_surveys(20, 5) if s.pdf_layout == "blue")
        good = render_blue_html(project(survey, "blue-html"), seed=3)
        assert parser.parse(good, filename="ok.html").layout == "blue-html"
    finally:
        parser.close()
