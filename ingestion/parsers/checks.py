"""Completeness checks: a report carries its own checksums, and a parse that disagrees with them
is a failure with the reason, never a report with less data than it holds.

Applied to every layout after parsing: distributions sum to the question's responses (N/A in or
out: both readings occur), responses never exceed the enrollment, every mean and median lies in
1-5, a printed response rate is responses/enrollment within rounding, comment numbers run 1..N
per prompt, frequency counts do not exceed the responses. The `(N comments)` lines and the
unclaimed-text share are checked while reading the PDF (`ingestion.parsers.pdf`).

A saved Blue page (`blue-html`) passes the Blue checks and its own (`check_html_report`): each
printed percentage agrees with its count, and no question has more answers than respondents.
Survey exports have their own (`check_survey`): answers, not TRACE's tables, are what they hold.
"""

from __future__ import annotations

from core.errors import ParseError
from core.report import DISTRIBUTION_KEYS, ParsedReport, Question

SCORE_FIELDS = (
    "course_mean",
    "dept_mean",
    "univ_mean",
    "course_median",
    "dept_median",
    "univ_median",
)
RATE_SLACK = 0.005 + 1e-9
"""A printed whole percent is within half a percent of the true rate."""


def _fail(message: str) -> None:
    raise ParseError(message, reason="checksum")


def _check_question(q: Question, report: ParsedReport) -> None:
    label = f"question {q.text[:60]!r}"
    if q.responses is None or q.course_mean is None:
        _fail(f"{label}: no response count or course mean was read")
    if report.layout in ("blue", "blue-html") and q.distribution is None:
        _fail(f"{label}: Blue prints a distribution under every question; none was read")
    if report.layout == "collegenet" and q.response_rate is None:
        _fail(f"{label}: CollegeNET prints a response rate for every question; none was read")
    if q.responses is not None and q.responses < 0:
        _fail(f"{label}: negative responses {q.responses}")
    for name in SCORE_FIELDS:
        value = getattr(q, name)
        if value is not None and not 1.0 <= value <= 5.0:
            _fail(f"{label}: {name.replace('_', ' ')} {value} is outside 1-5")
    if q.std_dev is not None and not 0.0 <= q.std_dev <= 2.0:
        _fail(f"{label}: std dev {q.std_dev} is outside 0-2")
    ceiling = report.enrollment
    if q.responses is not None and ceiling is not None and q.responses > ceiling:
        _fail(f"{label}: {q.responses} responses but only {ceiling} enrolled")
    if q.distribution is not None and q.responses is not None:
        rated = sum(v for k, v in q.distribution.items() if k != "na")
        if q.responses not in (rated, rated + q.distribution.get("na", 0)):
            _fail(
                f"{label}: the distribution sums to {rated} "
                f"(+{q.distribution.get('na', 0)} N/A), not the {q.responses} responses"
            )
    if q.response_rate is not None and q.responses is not None and report.enrollment:
        true_rate = q.responses / report.enrollment
        if abs(q.response_rate - true_rate) > RATE_SLACK:
            _fail(
                f"{label}: response rate {q.response_rate:.0%} does not match "
                f"{q.responses}/{report.enrollment} responses"
            )


def _check_numbers(report: ParsedReport) -> None:
    numbers: dict[str, list[int]] = {}
    for c in report.comments:
        numbers.setdefault(c.prompt, []).append(c.number)
    for prompt, seen in numbers.items():
        if seen != list(range(1, len(seen) + 1)):
            _fail(f"prompt {prompt[:60]!r}: comments are numbered {seen[:8]}…, not 1..{len(seen)}")


def check_report(report: ParsedReport) -> None:
    """Raise ParseError (reason `checksum`) naming the first check the report fails."""
    if not report.questions:
        raise ParseError(
            f"a {report.layout} report with no rating rows: its tables could not be read",
            reason="no_ratings",
        )
    incl = report.responses_incl_declines
    if report.enrollment is not None and incl is not None and incl > report.enrollment:
        _fail(f"{incl} responses but only {report.enrollment} enrolled")
    if report.declines is not None and incl is not None and report.declines > incl:
        _fail(f"{report.declines} declines of {incl} responses")
    for q in report.questions:
        _check_question(q, report)
    _check_numbers(report)
    answered = report.responses_incl_declines
    for f in report.frequencies:
        total = sum(f.bins.values())
        if answered is not None and total > answered:
            _fail(f"frequency {f.text[:50]!r}: {total} answers but {answered} responses")


def check_html_report(report: ParsedReport, percents: dict[int, list[int]]) -> None:
    """The HTML page's own checksums; `percents` are the printed percentages by question index,
    in distribution order (5 … 1, N/A)."""
    for index, q in enumerate(report.questions):
        label = f"question {q.text[:60]!r}"
        incl = report.responses_incl_declines
        if q.responses is not None and incl is not None and q.responses > incl:
            _fail(f"{label}: {q.responses} responses but only {incl} responded")
        if q.distribution is None:
            continue
        counts = [q.distribution.get(k, 0) for k in DISTRIBUTION_KEYS]
        total = sum(counts)
        for count, pct in zip(counts, percents.get(index, []), strict=False):
            true = 100 * count / total if total else 0.0
            if abs(pct - true) > 0.5 + 1e-9:
                _fail(f"{label}: {count} answers printed as {pct}% of {total}")


def check_survey(report: ParsedReport) -> None:
    """A survey export holds answers: at least one, comment numbers 1..N per prompt, and each
    Likert summary consistent with its own distribution (ParseError naming the first fault)."""
    if not report.questions and not report.comments:
        raise ParseError("the survey export holds no answers", reason="no_answers")
    for q in report.questions:
        _check_question(q, report)
    _check_numbers(report)
