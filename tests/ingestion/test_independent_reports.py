"""The parser on reports drawn by a second, independent renderer (tests/independent: written
from the format page alone, with fpdf2): every report exact, none losing data silently.

Seeds 1-4 were used while making the parser read any drawing; the seeds here were not."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest

from core.errors import ParseError
from ingestion.parsers.pdf import parse_pdf
from tests.independent.corpus import make
from tests.independent.truth import truth

SEED = 17
REPORTS = 80


@pytest.mark.parametrize("chunk", range(4))
def test_independent_reports_parse_exactly(chunk: int) -> None:
    failures: list[str] = []
    axes: Counter[str] = Counter()
    for index in range(chunk, REPORTS, 4):
        report, style, pdf = make(SEED, index)
        sha = hashlib.sha256(pdf).hexdigest()
        want = truth(report, file="r.pdf", sha256=sha)
        axes.update(f"{k}={v}" for k, v in style.axes(report.layout).items())
        try:
            got = parse_pdf(pdf, filename="r.pdf", sha256=sha).model_dump(mode="json")
        except ParseError as exc:
            failures.append(f"#{index} {report.layout}: {exc}")
            continue
        got["warnings"] = want["warnings"] = []
        if json.loads(json.dumps(got)) != want:
            fields = [k for k in want if got.get(k) != want[k]]
            failures.append(f"#{index} {report.layout}: differs in {fields}")
    assert failures == []
    for axis in ("borders", "v_align", "font", "comment_number"):  # the drawings really varied
        assert len({k for k in axes if k.startswith(f"{axis}=")}) >= 2, axis
