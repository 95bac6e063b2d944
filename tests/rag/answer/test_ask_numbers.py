"""Asking end to end over a few hand-made reports: every printed number, scope, open questions,
follow-ups and declines (real PostgreSQL, the fake embedder, the extractive answerer)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cli.wiring import model_in_service
from core.db import Conn, connect
from core.report import Comment, Course, Frequency, Instructor, ParsedReport, Question, Term
from core.settings import Settings
from evaluation.loading import index_stored, store_parsed
from rag.answer.answers import Answer
from rag.answer.ask import Asker

OVERALL = "What is your overall rating of this instructor's teaching effectiveness?"
FEEDBACK = "The instructor provided sufficient feedback."
CLEAR = "The instructor clearly communicated ideas and information."
HOURS = "What is the average number of hours per week you devoted to this course outside of class?"
STRENGTHS = "What were the strengths of this course and/or this instructor?"


def _question(
    text: str, n: int, mean: float, *, median: float, dist: dict[str, int] | None = None
) -> Question:
    return Question(
        section="Instructor Related Questions",
        text=text,
        responses=n,
        response_rate=None,
        course_mean=mean,
        dept_mean=4.0,
        univ_mean=4.2,
        course_median=median,
        dept_median=4.0,
        univ_median=5.0,
        std_dev=None,
        distribution=dist,
    )


def _report(
    name: str,
    code: str,
    section: str,
    term: str,
    layout: str,
    person: tuple[str, str],
    *,
    enrollment: int,
    responses: int,
    declines: int | None,
    scores: dict[str, tuple[int, float, float]],
    bins: dict[str, int],
    comments: list[str],
    dist: dict[str, int] | None = None,
) -> ParsedReport:
    season, year = term.rsplit(" ", 1)
    subject, number = code[:-4], code[-4:]
    return ParsedReport(
        file=name,
        sha256=f"{abs(hash(name)):064d}"[-64:],
        layout=layout,
        course=Course(
            code=code,
            subject=subject,
            number=number,
            section=section,
            title=f"{subject} course {number}",
            crn=None,
        ),
        term=Term(label=term, season=season, year=int(year)),
        instructors=[Instructor(last=person[0], first=person[1])],
        enrollment=enrollment,
        responses_incl_declines=responses,
        declines=declines,
        questions=[
            _question(text, n, mean, median=median, dist=dist if layout == "blue" else None)
            for text, (n, mean, median) in scores.items()
        ],
        frequencies=[Frequency(text=HOURS, bins=bins)] if bins else [],
        comments=[Comment(prompt=STRENGTHS, number=i, text=t) for i, t in enumerate(comments, 1)],
        warnings=[],
    )


REPORTS = [
    _report("a.json", "CS5800", "01", "Fall 2023", "collegenet", ("Okafor", "Chinedu"),
            enrollment=45, responses=32, declines=2,
            scores={OVERALL: (30, 4.5, 5.0), FEEDBACK: (29, 3.9, 4.0), CLEAR: (30, 4.6, 5.0)},
            bins={"1-4": 2, "5-8": 6, "9-12": 12, "13-16": 8, "17-20": 2},
            comments=["The problem sets took forever but I learned a lot.",
                      "Great lectures, very clear explanations of proofs."]),
    _report("b.json", "CS5800", "02", "Fall 2023", "collegenet", ("Lee", "Hannah"),
            enrollment=48, responses=30, declines=0,
            scores={OVERALL: (30, 4.2, 4.0), FEEDBACK: (30, 4.5, 5.0), CLEAR: (30, 4.0, 4.0)},
            bins={"1-4": 4, "5-8": 10, "9-12": 10, "13-16": 4, "17-20": 2},
            comments=["Feedback on homework came back within days.",
                      "Lectures went way too fast to keep up."]),
    _report("c.json", "CS5800", "01", "Spring 2024", "blue", ("Okafor", "Chinedu"),
            enrollment=40, responses=26, declines=None,
            scores={OVERALL: (26, 4.38, 4.5), FEEDBACK: (26, 4.0, 4.0), CLEAR: (25, 4.4, 5.0)},
            bins={"1-4": 1, "5-8": 5, "9-12": 12, "13-16": 6, "17-20": 2},
            comments=["Okafor is enthusiastic and the exams were fair."],
            dist={"5": 15, "4": 7, "3": 2, "2": 1, "1": 1, "na": 0}),
    _report("d.json", "DS5110", "01", "Spring 2024", "collegenet", ("Lee", "Hannah"),
            enrollment=44, responses=31, declines=2,
            scores={OVERALL: (29, 4.31, 4.0), FEEDBACK: (29, 4.7, 5.0), CLEAR: (29, 4.1, 4.0)},
            bins={"1-4": 8, "5-8": 14, "9-12": 6, "13-16": 1, "17-20": 0},
            comments=["Very organized course, everything was on Canvas."]),
    _report("e.json", "EECE2322", "01", "Fall 2022", "collegenet", ("Ramanathan", "Priya"),
            enrollment=36, responses=21, declines=2,
            scores={OVERALL: (19, 4.1, 4.0), FEEDBACK: (19, 4.0, 4.0), CLEAR: (19, 3.0, 3.0)},
            bins={},  # this report prints no hours per week
            comments=["The workload is insane, labs took 20 hours every week.",
                      "Way too much homework and lab work for one course.",
                      "Heavy workload, the problem sets never end.",
                      "The homework load was brutal and the labs were worse.",
                      "Good lectures.", "Nice TAs."]),
    _report("f.json", "PSYC1101", "01", "Fall 2022", "collegenet", ("Dubois", "Anne"),
            enrollment=175, responses=66, declines=4,
            scores={OVERALL: (62, 4.5, 5.0), FEEDBACK: (62, 4.2, 4.0), CLEAR: (62, 4.4, 5.0)},
            bins={},
            comments=["Fun lectures.", "Great examples.", "Loved the demos.", "Clear slides.",
                      "The homework was a bit much some weeks but fine."]),
]  # fmt: skip


@pytest.fixture(scope="module")
def loaded(
    pg_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Settings]]:
    import time

    from core.db import with_database
    from tests.conftest import _TEMPLATE

    name = f"ask_{int(time.time() * 1000) % 10_000_000}"
    with connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}")
    url = with_database(pg_server.url, name)
    settings = Settings(
        _env_file=None,
        state_dir=tmp_path_factory.mktemp("ask-state"),
        database_url=url,
        embedding_backend="fake",
    )
    with connect(url) as conn:
        for report in REPORTS:
            store_parsed(
                conn, report, filename=report.file, sha256=report.sha256,
                media_type="application/json", size_bytes=100, processed=True,
            )  # fmt: skip
        conn.commit()
    yield url, settings
    with connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def asker(loaded: tuple[str, Settings]) -> Asker:
    url, settings = loaded
    with connect(url) as conn:
        searcher = index_stored(
            conn,
            embedder=model_in_service(settings).embedder,
            text_mode=settings.embedding_text,
            batch_size=settings.embedding_batch_size,
        )
    return Asker(settings=settings, searcher=searcher, chat_model=None)


@pytest.fixture
def conn(loaded: tuple[str, Settings]) -> Iterator[Conn]:
    with connect(loaded[0]) as c:
        yield c


def ask(asker: Asker, conn: Conn, *turns: str, fresh_last: bool = False) -> Answer:
    conversation = None
    answer = None
    for i, turn in enumerate(turns):
        fresh = fresh_last and i == len(turns) - 1
        answer = asker.ask(
            conn, question=turn, principal="t", conversation_id=conversation, fresh=fresh
        )
        conversation = answer.conversation_id
    assert answer is not None
    return answer


def values(answer: Answer) -> dict[str, Any]:
    return {f.label: f.value for f in answer.facts}


# ---------------------------------------------------------------- every printed number


def test_section_figures_are_summed_and_rates_pooled(asker: Asker, conn: Conn) -> None:
    enrolled = ask(asker, conn, "how many students were enrolled in CS5800 in fall 2023?")
    assert enrolled.route == "quantitative" and enrolled.facts[0].value == 45 + 48
    assert enrolled.answer.startswith("Enrollment in CS5800, Fall 2023: **93**")
    assert {45, 48} <= set(values(enrolled).values())  # each section listed too
    size = ask(asker, conn, "class size of cs5800 section 2 in fall 2023")
    assert size.facts[0].value == 48
    took = ask(asker, conn, "how many took the survey in CS5800 fall 2023")
    assert took.plan["metric"]["figure"] == "responses" and took.facts[0].value == 62
    assert {"declines, CS5800, Fall 2023": 2}.items() <= values(took).items()
    excl = ask(asker, conn, "responses excluding declines for CS5800 fall 2023")
    assert excl.facts[0].value == 60
    rate = ask(asker, conn, "what was the response rate for cs5800 in fall 2023?")
    assert rate.facts[0].value == round((30 + 30) / (45 + 48), 2)
    assert "%" in rate.answer.splitlines()[0]
    per_question = ask(asker, conn, "response rate on the feedback question in CS5800 fall 2023")
    assert per_question.facts[0].value == round((29 + 30) / 93, 2)
    n = ask(asker, conn, "whats the N for the feedback question in CS5800 section 1 fall 2023")
    assert n.facts[0].value == 29


def test_declines_where_printed_and_a_decline_where_not(asker: Asker, conn: Conn) -> None:
    printed = ask(asker, conn, "how many students declined the evaluation in cs5800 fall 2023")
    assert printed.facts[0].value == 2
    blue = ask(asker, conn, "how many declined in cs5800 in spring 2024?")
    assert blue.route == "unanswerable"
    assert "(blue) print no declines" in blue.answer
    assert "I understood course CS5800, term Spring 2024, declines" in blue.answer


def test_medians_std_dev_and_option_counts(asker: Asker, conn: Conn) -> None:
    median = ask(asker, conn, "median clarity for CS5800 section 1 in fall 2023")
    assert median.facts[0].value == 5.0 and median.plan["metric"]["statistic"] == "median"
    versus = ask(asker, conn, "cs5800 spring 2024 overall, vs dept and university medians")
    assert {"course median": 4.5, "department median": 4.0, "university median": 5.0}.items() <= (
        values(versus).items()
    )
    spread = ask(asker, conn, "standard deviation of the overall rating for cs5800 fall 2023")
    assert spread.route == "unanswerable" and "print no std dev" in spread.answer
    low = ask(
        asker,
        conn,
        "how many disagreed or strongly disagreed with sufficient feedback in cs5800 spring 2024",
    )
    assert low.facts[0].label == "answered Disagree or Strongly Disagree", low.plan
    top = ask(asker, conn, "how many students rated Okafor almost always effective in spring 2024")
    assert top.facts[0].value == 15 and "Almost Always Effective" in top.facts[0].label


def test_hours_bins_shares_and_heaviest(asker: Asker, conn: Conn) -> None:
    hours = ask(asker, conn, "what % of cs5800 fall 2023 students spent 9+ hours a week")
    got = values(hours)
    assert got["share at 9+ hours per week"] == round((12 + 8 + 2 + 10 + 4 + 2) / 60, 2)
    assert got["most common answer"] == "9-12 hours per week"
    assert hours.facts[0].label == "share at 9+ hours per week"  # what was asked comes first
    assert "**63%** of answers" in hours.answer.splitlines()[0]
    over = ask(asker, conn, "how many students spent more than 12 hours a week on CS5800 fall 2023")
    assert over.facts[0].label == "share at 13+ hours per week"
    assert over.facts[0].value == round((8 + 2 + 4 + 2) / 60, 2)
    heavy = ask(asker, conn, "which course has the heaviest workload?")
    assert heavy.plan["kind"] == "ranking" and heavy.facts[0].label.startswith("#1 CS5800")
    assert "hours per week" in heavy.answer.splitlines()[0]
    # where no report prints hours per week, what the comments say ranks the courses
    by_comments = ask(asker, conn, "which course had the heaviest workload in fall 2022?")
    assert by_comments.plan["ranked_by"] == "workload comments"
    assert by_comments.facts[0].label.startswith("#1 EECE2322")
    assert by_comments.answer.startswith("No report in Fall 2022 prints hours per week")


# ---------------------------------------------------------------- scope is not metric


def test_scope_phrases(asker: Asker, conn: Conn) -> None:
    pooled = ask(
        asker, conn, "average overall teaching effectiveness rating for CS5800 across all terms"
    )
    assert pooled.plan["kind"] == "average" and pooled.facts[0].n == 86
    each = ask(asker, conn, "overall rating of CS5800 each term")
    assert each.plan["kind"] == "trend" and [f.label for f in each.facts[:2]] == [
        "Fall 2023 (2 sections)",
        "Spring 2024",
    ]
    sections = ask(asker, conn, "clarity of CS5800 in fall 2023 per section")
    assert sections.plan["kind"] == "ranking" and sections.plan["entity"] == "section"
    department = ask(asker, conn, "Lee's feedback compared with the department")
    assert department.plan["between"] == "dept_univ" and "department mean" in values(department)
    since = ask(asker, conn, "overall rating for Okafor since 2024")
    assert since.facts[0].value == 4.38
    year = ask(asker, conn, "CS5800 overall rating in the 2023-24 academic year")
    assert year.facts[0].n == 86 and year.scope is not None
    assert year.scope.text == "CS5800 · Fall 2023 to Summer 2 2024"
    who = ask(asker, conn, "who taught CS5800 in fall 2023?")
    assert who.answer.startswith(
        "**2** instructors taught CS5800, Fall 2023: Chinedu Okafor (1 section), Hannah Lee"
    )
    one = ask(asker, conn, "who taught CS5800 in spring 2024?")
    assert one.answer.startswith("CS5800, Spring 2024 was taught by "), one.answer


# ---------------------------------------------------------------- open questions


def test_open_questions_get_ratings_and_comments(asker: Asker, conn: Conn) -> None:
    good = ask(asker, conn, "is Professor Okafor a good teacher?")
    assert good.route == "mixed" and good.citations
    facts = values(good)
    assert "department mean" in facts and "university mean" in facts
    # (30 * 4.5 + 26 * 4.38) / 56 = 4.444…, against the printed department and university means
    assert good.answer.startswith("Overall rating for Chinedu Okafor: **4.44** (56 responses)")
    workload = ask(asker, conn, "what do students say about the workload in CS5800?")
    assert workload.route == "qualitative" and workload.citations
    assert "estimated mean hours per week" in values(workload)  # the numbers on the same thing
    changed = ask(asker, conn, "how has CS5800 changed over the years")
    assert changed.plan["kind"] == "trend" and "overall rating" in changed.plan["metric"]["text"]
    both = ask(asker, conn, "compare CS5800 and DS5110")
    assert both.plan["kind"] == "comparison" and both.plan["between"] == "courses"


def test_a_theme_asked_about_a_course_leads_the_answer(asker: Asker, conn: Conn) -> None:
    """ "is CS5800 going too fast?" names no rating but a theme: what students say about the
    pace leads, the ratings follow (not the overall rating first)."""
    fast = ask(asker, conn, "is CS5800 going too fast?")
    assert fast.route == "mixed" and fast.plan["theme"] == "pace"
    assert fast.themes[0].name == "pace" and fast.themes[0].count == 1
    assert fast.answer.startswith("**1 of ")
    assert [q.text for q in fast.citations] == ["Lectures went way too fast to keep up."]
    assert any(f.label.startswith("overall rating") for f in fast.facts)  # still there, after
    assert fast.answer.index("too fast") < fast.answer.index("overall rating")
    # a question about the course as a whole still leads with its overall rating
    whole = ask(asker, conn, "is CS5800 a good course?")
    assert whole.answer.startswith("Overall rating in CS5800")


# ---------------------------------------------------------------- follow-ups


def test_follow_ups_inherit_only_what_they_do_not_state(asker: Asker, conn: Conn) -> None:
    later = ask(asker, conn, "overall rating for CS5800 in fall 2023", "and in spring 2024?")
    assert later.scope is not None and later.scope.text == "CS5800 · Spring 2024"
    other = ask(
        asker, conn, "which prof had the best overall rating in fall 2023?", "what about DS5110?"
    )
    assert other.scope is not None and other.scope.text == "DS5110"  # term dropped
    section = ask(asker, conn, "clarity for CS5800 section 1 in fall 2023", "and section 2?")
    assert section.facts[0].value == 4.0
    rest = ask(
        asker,
        conn,
        "clarity rating for Okafor in CS5800 fall 2023",
        "what about the other section that term?",
    )
    assert rest.facts[0].value == 4.0 and rest.scope is not None
    more = ask(asker, conn, "how many hours a week for ds5110?", "and is that more than cs5800?")
    assert more.plan["kind"] == "comparison" and len(more.facts) == 3
    lowest = ask(asker, conn, "who had the highest overall rating in fall 2023?", "and the lowest?")
    # one person per name and subject: Lee teaches CS and DS, so the label names the subject
    assert lowest.facts[0].label == "#1 Hannah Lee (CS)" and lowest.plan["order"] == "asc"
    cleared = ask(
        asker, conn, "overall rating for CS5800 in fall 2023", "overall rating?", fresh_last=True
    )
    assert cleared.scope is not None and cleared.scope.text == "all reports"


def test_a_ranking_after_one_course_or_person_ranks_them_all(asker: Asker, conn: Conn) -> None:
    """A ranking asked anew over the one course (or person) the last turn was about would rank
    nothing: the carried course goes, a course the ranking names itself stays."""
    courses = ask(asker, conn, "overall rating for CS5800", "best and worst rated courses?")
    assert courses.plan["kind"] == "ranking" and courses.plan["entity"] == "course"
    assert not courses.plan["scope"]["courses"], courses.plan["scope"]
    ranked = {f.label.split(" ", 2)[1] for f in courses.facts if f.label.startswith("#")}
    assert {"CS5800", "DS5110", "PSYC1101"} <= ranked, ranked
    assert courses.scope is not None and courses.scope.text == "all reports", courses.scope
    named = ask(asker, conn, "overall rating for DS5110", "which CS5800 instructor was best?")
    assert named.plan["scope"]["courses"] == ["CS5800"], named.plan["scope"]
    assert named.facts[0].label.startswith("#1 Chinedu Okafor"), named.facts[0]
    sections = ask(asker, conn, "clarity for Okafor in CS5800 fall 2023", "which section was best?")
    assert sections.plan["entity"] == "section" and len(sections.facts) == 2, sections.facts
    anew = ask(
        asker,
        conn,
        "which course improved the most?",
        "how many were enrolled in CS5800 in fall 2023?",
    )
    assert anew.plan["kind"] == "average" and anew.facts[0].value == 93, anew.plan  # seen in the UI
    figure = ask(asker, conn, "who improved the most?", "how many enrolled in CS5800 in fall 2023?")
    assert figure.plan["kind"] == "average" and figure.facts[0].value == 93, figure.plan
    his = ask(asker, conn, "who had the best clarity in CS5800?", "which of his sections was best?")
    assert his.plan["scope"]["instructor_ids"], his.plan["scope"]  # "his" names, not carries
    change = ask(asker, conn, "how has Okafor changed on clarity?", "who improved the most?")
    assert change.plan["kind"] == "ranking" and change.plan["by"] == "change", change.plan
    assert not change.plan["scope"]["instructor_ids"], change.plan["scope"]
    assert change.answer.startswith("Chinedu Okafor declined the least (no one improved) on “"), (
        change.answer
    )
    assert "in all reports" not in change.answer


# ---------------------------------------------------------------- declines


def test_a_person_or_course_the_reports_lack_is_named_with_close_ones(
    asker: Asker, conn: Conn
) -> None:
    """Not "I did not understand 'zhang'": there is no such instructor (or course), and the
    close names (or the subject's courses) that exist."""
    zhang = ask(asker, conn, "Is Professor Zhang a good teacher?")
    assert zhang.route == "unanswerable"
    assert zhang.answer.startswith(
        "The reports don't say: there is no instructor named Zhang in the reports."
    )
    assert "did not understand" not in zhang.answer
    near = ask(asker, conn, "is prof ramanujan any good?")
    assert near.route == "unanswerable"
    assert "no instructor named Ramanujan in the reports (close names: Priya Ramanathan)" in (
        near.answer
    )
    assert ask(asker, conn, "is prof ramanathan any good?").route == "mixed"
    course = ask(asker, conn, "is CS 9999 a good course?")
    assert course.route == "unanswerable"
    assert "there is no course CS9999 in the reports (CS courses in the reports: CS5800)" in (
        course.answer
    )
    course_word = ask(asker, conn, "overall rating of the CS course in fall 2023")  # no title
    assert "starts the titles" not in course_word.answer
    later = ask(asker, conn, "what about Prof Zhang?", "and in fall 2023?")
    assert later.route == "unanswerable" and "no instructor named Zhang" in later.answer


def test_a_decline_says_what_was_understood_and_what_would_work(asker: Asker, conn: Conn) -> None:
    food = ask(asker, conn, "How good is the cafeteria food near CS5800?")
    assert food.route == "unanswerable"
    assert "I understood course CS5800." in food.answer
    assert "I did not understand “cafeteria food near”." in food.answer
    assert "A question that works: “What was the overall rating of CS5800 in Spring 2024?”" in (
        food.answer
    )
    for question in (
        "how many students got an A in CS5800",
        "what will the response rate be next semester for DS5110",
        "what's Okafor's rate my professor score",
        "how many students dropped cs5800 in fall 2023",
    ):
        assert ask(asker, conn, question).route == "unanswerable", question
