"""Checks of the independent renderer itself (not of the product's parser)."""

from __future__ import annotations

import io
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from core.report import ParsedReport
from tests.independent.content import Report, half_up
from tests.independent.corpus import make, write_corpus
from tests.independent.render_blue import distribution_lines
from tests.independent.score import compare
from tests.independent.style import CORE_FONTS, Style
from tests.independent.truth import truth

SEED = 3
COUNT = 14


@pytest.fixture(scope="module")
def sample() -> list[tuple[Report, Style, bytes]]:
    return [make(SEED, i) for i in range(COUNT)]


def _text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(io.BytesIO(pdf))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()


def _printed_numbers(report: Report) -> list[str]:
    out = [str(report.enrollment), str(report.responded), report.crn]
    if report.declines is not None:
        out.append(str(report.declines))
    for q in report.questions:
        out += [str(q.responses), q.course_mean, q.dept_mean, q.univ_mean]
        out += [q.course_median, q.dept_median, q.univ_median]
        if report.layout == "collegenet":
            out.append(f"{q.rate_pct}%")
        else:
            out += [t for _, count, pct in distribution_lines(q) for t in (count, pct)]
    out += [str(v) for v in (report.hours or {}).values()]
    return out


def test_sample_covers_both_layouts_and_font_kinds(sample):
    assert {r.layout for r, _, _ in sample} == {"collegenet", "blue"}
    assert {s.font in CORE_FONTS for _, s, _ in sample} == {True, False}


def test_truth_matches_the_contract_model_and_is_self_consistent(sample):
    for report, _, _ in sample:
        data = truth(report, file="x.pdf", sha256="0" * 64)
        ParsedReport.model_validate(data)
        respondents = report.responded - (report.declines or 0)
        for q in data["questions"]:
            assert 1 <= q["responses"] <= respondents
            if report.layout == "blue":
                dist = q["distribution"]
                assert sum(dist.values()) == q["responses"]
                scored = {k: v for k, v in dist.items() if k != "na"}
                mean = Decimal(sum(int(k) * v for k, v in scored.items())) / sum(scored.values())
                assert q["course_mean"] == float(half_up(mean, "0.01"))
                assert q["response_rate"] is None and report.declines is None
            else:
                assert q["distribution"] is None
                pct = half_up(Decimal(100 * q["responses"]) / report.enrollment)
                assert q["response_rate"] == int(pct) / 100
        for prompt in {c["prompt"] for c in data["comments"]}:
            numbers = [c["number"] for c in data["comments"] if c["prompt"] == prompt]
            assert numbers == list(range(1, len(numbers) + 1))
        for c in data["comments"]:
            assert "\n" not in c["text"] and "  " not in c["text"] and c["text"].strip()
        if report.hours:
            assert sum(report.hours.values()) <= respondents


def test_pdf_text_holds_every_comment_word_and_printed_number(sample):
    for report, style, pdf in sample:
        tokens = Counter(_text(pdf).split())
        for block in report.comments or []:
            for comment in block.comments:
                for word in comment.split():
                    assert tokens[word] > 0, (word, style.font)
            if report.layout == "blue" and None in block.entries:
                assert tokens["[No"] >= block.entries.count(None)
        if style.seen.get("numbers_wrapped"):
            continue
        wanted = Counter(_printed_numbers(report))
        short = {n: c for n, c in wanted.items() if tokens[n] < c}
        assert not short, (short, style.font)


def test_same_seed_gives_the_same_bytes(sample):
    assert make(SEED, 0)[2] == sample[0][2]


def test_corpus_writes_pdfs_truths_and_manifest(tmp_path: Path):
    manifest = write_corpus(tmp_path, 3, seed=11)
    assert len(manifest) == 3
    for name in manifest:
        data = json.loads((tmp_path / f"{name}.truth.json").read_text(encoding="utf-8"))
        assert data["file"] == name
        assert (tmp_path / name).read_bytes().startswith(b"%PDF")
        ParsedReport.model_validate(data)


def test_scorer_comparison_counts_leaves_and_ignores_warnings():
    report, _, _ = make(SEED, 1)
    expected = truth(report, file="a.pdf", sha256="0" * 64)
    same = json.loads(json.dumps(expected))
    same["warnings"] = ["something harmless"]
    matched, total, bad = compare(expected, same)
    assert bad == [] and matched == total
    wrong = json.loads(json.dumps(expected))
    wrong["questions"][0]["course_mean"] += 0.01
    wrong["comments"] = wrong["comments"][:-1]
    matched, total, bad = compare(expected, wrong)
    assert "questions[0].course_mean" in bad and matched < total
    assert compare(expected, None)[0] == 0
