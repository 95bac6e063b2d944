"""Wordings from dictation, chat boxes and English as a second language, end to end over the
hand-made reports of test_ask_numbers (real PostgreSQL, the fake embedder, the extractive
answerer): numbers said as words, a term stepped from the last one, the figure "how many" asks
for, an aside that holds the measure, the asker's role, facts no report holds."""

from __future__ import annotations

from core.db import Conn
from rag.answer.ask import Asker
from tests.rag.answer import test_ask_numbers as base
from tests.rag.answer.test_ask_numbers import ask

loaded = base.loaded  # the same reports and database as test_ask_numbers
asker_ = base.asker
conn_ = base.conn


def test_dictated_numbers_name_the_course_and_term(asker_: Asker, conn_: Conn) -> None:
    said = ask(
        asker_,
        conn_,
        "how many students were enrolled in see ess fifty eight hundred spring twenty twenty four",
    )
    assert said.route == "quantitative", said.answer
    assert said.facts[0].value == 40, said.facts
    assert said.scope is not None and said.scope.text == "CS5800 · Spring 2024"


def test_the_term_after_that_is_the_next_one_taught(asker_: Asker, conn_: Conn) -> None:
    after = ask(asker_, conn_, "class size of CS5800 section 1 in fall 2023", "the term after that")
    assert after.scope is not None and after.scope.terms == ["Spring 2024"], after.scope
    assert after.facts[0].value == 40, after.facts
    before = ask(asker_, conn_, "enrollment of CS5800 in spring 2024", "and the semester before?")
    assert before.scope is not None and before.scope.terms == ["Fall 2023"], before.scope
    newest = ask(asker_, conn_, "enrollment of DS5110 in spring 2024", "the term after that?")
    assert newest.route == "unanswerable", newest.answer  # no later report: not Spring 2024 again


def test_how_many_asks_for_the_figure_after_it(asker_: Asker, conn_: Conn) -> None:
    """ "of all those invited, how many really responded": responses, not the enrollment."""
    answer = ask(asker_, conn_, "CS5800 fall 2023: of all those invited, how many really responded")
    assert answer.plan["metric"]["figure"] == "responses", answer.plan
    invited = ask(asker_, conn_, "how many were invited to CS5800 in fall 2023?")
    assert invited.plan["metric"]["figure"] == "enrollment", invited.plan


def test_an_aside_that_holds_the_measure_is_part_of_the_ask(asker_: Asker, conn_: Conn) -> None:
    answer = ask(
        asker_,
        conn_,
        "I'm picking a course to TA for spring 2024 and want the one with the least out-of-class"
        " work for students. which is it?",
    )
    assert answer.plan["kind"] == "ranking", answer.answer
    assert answer.plan["metric"]["kind"] == "hours" and answer.plan["order"] == "asc", answer.plan
    # an aside about the asker's own enrolment is no enrollment asked for
    signed = ask(
        asker_, conn_, "Is Okafor a good teacher? I'm signed up for CS5800 with him next term."
    )
    assert not signed.facts[0].label.startswith("enrollment"), signed.facts


def test_flip_that_ranking_reverses_it(asker_: Asker, conn_: Conn) -> None:
    flipped = ask(
        asker_, conn_, "who had the best clarity rating in fall 2023?", "flip that ranking"
    )
    assert flipped.plan["kind"] == "ranking" and flipped.plan["order"] == "asc", flipped.plan


def test_the_askers_role_and_a_scene_set_before_the_ask_are_not_measures(
    asker_: Asker, conn_: Conn
) -> None:
    for question in (
        "is PSYC1101 worth taking as a non-psych major",
        "been on exchange for a year, how has CS5800 been going lately?",
        "What should I know about CS5800 before signing up?",
    ):
        answer = ask(asker_, conn_, question)
        assert answer.route != "unanswerable" and answer.facts, (question, answer.answer)


def test_facts_no_report_holds_are_declined(asker_: Asker, conn_: Conn) -> None:
    for question in (
        "attendance rate in Okafor's lectures?",
        "is the lab room for EECE2322 big enough, people said its crowded",
    ):
        answer = ask(asker_, conn_, question)
        assert answer.route == "unanswerable", (question, answer.answer)
    room = ask(asker_, conn_, "is there room for improvement in CS5800 feedback?")
    assert "rooms or facilities" not in room.answer, room.answer
    inclusive = ask(asker_, conn_, "least inclusive classroom in fall 2023 - which prof?")
    assert "rooms or facilities" not in inclusive.answer, inclusive.answer


def test_did_well_and_didnt_ranks_both_ends(asker_: Asker, conn_: Conn) -> None:
    answer = ask(
        asker_, conn_, "overall impression of fall 2023: which profs did well and which didn't?"
    )
    assert answer.plan["kind"] == "ranking", answer.answer
    assert any(f.label.startswith("lowest first") for f in answer.facts), answer.facts
    down = ask(asker_, conn_, "which course has gone downhill the most?")
    assert down.plan["by"] == "change" and down.plan["order"] == "asc", down.plan


def test_comments_asked_beside_no_number_are_answered(asker_: Asker, conn_: Conn) -> None:
    """ "CS5800 exams, what do students write about them?": the number part asks nothing, the
    comments were asked; "what the students are telling about" asks for comments too."""
    for question in (
        "CS5800 exams, what do students write about them?",
        "What the students are telling about exams of CS5800?",
    ):
        answer = ask(asker_, conn_, question)
        assert answer.route in ("qualitative", "mixed"), (question, answer.answer)


def test_a_review_of_strengths_and_weaknesses_is_the_whole_picture(
    asker_: Asker, conn_: Conn
) -> None:
    answer = ask(
        asker_,
        conn_,
        "Department chair here, drafting Okafor's review: strengths and weaknesses from the TRACE"
        " data, with how he sits against the department.",
    )
    assert answer.route == "mixed", answer.answer
    labels = [f.label for f in answer.facts]
    assert "department mean" in labels and any(lab.startswith("overall rating") for lab in labels)


def test_the_switch_to_blue_is_a_time(asker_: Asker, conn_: Conn) -> None:
    """Here CS5800's Spring 2024 report is the first in the Blue layout: "after the switch to
    Blue" starts there, "before" it ends the term before, and a term named as well decides."""
    after = ask(asker_, conn_, "CS5800 overall rating after the switch to Blue")
    assert after.scope is not None and after.scope.term_range == "2024 to the newest term"
    assert after.facts[0].value == 4.38, after.facts
    before = ask(asker_, conn_, "CS5800 overall rating on the old forms")
    assert before.facts[0].value == 4.35, before.facts
    named = ask(asker_, conn_, "CS5800 overall rating in fall 2023, after the switch to blue?")
    assert named.scope is not None and named.scope.terms == ["Fall 2023"], named.scope


def test_seasons_stepped_from_the_last_term(asker_: Asker, conn_: Conn) -> None:
    following = ask(asker_, conn_, "enrollment of CS5800 in fall 2023", "and the following spring?")
    assert following.scope is not None and following.scope.terms == ["Spring 2024"]
    assert following.facts[0].value == 40, following.facts
    earlier = ask(
        asker_, conn_, "enrollment of CS5800 in fall 2023", "the spring section earlier that year?"
    )
    assert earlier.route == "unanswerable", earlier.answer  # Spring 2023: no CS5800 report


def test_options_reports_and_trailing_in_everyday_words(asker_: Asker, conn_: Conn) -> None:
    spread = ask(
        asker_, conn_, "CS5800 spring 2024 overall: how were the answers spread across the options?"
    )
    assert [f.value for f in spread.facts[1:6]] == [15, 7, 2, 1, 1], spread.facts
    reports = ask(asker_, conn_, "how many seperate reports exist for CS5800?")
    assert reports.plan["kind"] == "count" and reports.facts[0].value == 3, reports.facts
    trailed = ask(asker_, conn_, "which course trailed everybody on clarity?")
    assert trailed.plan["kind"] == "ranking" and trailed.plan["order"] == "asc", trailed.plan


def test_a_term_named_with_its_noun_and_more_comments_on_a_point(
    asker_: Asker, conn_: Conn
) -> None:
    """ "in the fall 2023 session" names the term (no rating about sessions); "anything
    specifically about X?" after comments asks for more comments, on X."""
    rate = ask(asker_, conn_, "response rate of CS5800 in the fall 2023 session")
    assert rate.plan["metric"]["figure"] == "response_rate", rate.plan
    more = ask(
        asker_,
        conn_,
        "show me comments on CS5800",
        "anything specifically about how clearly the lectures explained things?",
    )
    assert more.route in ("qualitative", "mixed"), more.answer


def test_a_likelihood_to_respond_is_the_response_rate_of_the_kind_named(
    asker_: Asker, conn_: Conn
) -> None:
    """ "Among the Spring 2024 courses, whose students were most likely to fill out the
    survey?": courses (not people) by response rate (not responses)."""
    answer = ask(
        asker_,
        conn_,
        "Among the Spring 2024 courses, whose students were most likely to fill out the survey?",
    )
    assert answer.plan["kind"] == "ranking" and answer.plan["entity"] == "course", answer.plan
    assert answer.plan["metric"]["figure"] == "response_rate", answer.plan


def test_one_term_against_the_earlier_runs_is_a_trend_up_to_it(asker_: Asker, conn_: Conn) -> None:
    answer = ask(
        asker_,
        conn_,
        "how did Okafor's CS5800 spring 2024 section land compared with his earlier runs of it,"
        " and what did that cohort write?",
    )
    assert answer.route == "mixed", answer.answer
    assert [f.label for f in answer.facts[:2]] == ["Fall 2023", "Spring 2024"], answer.facts
    # the lead reads the trend's own terms, not the facts of the comments that follow
    assert "in Fall 2023 to" in answer.answer and "(2 terms)" in answer.answer, answer.answer
    assert answer.scope is not None and "up to Spring 2024" in answer.scope.text, answer.scope


def test_a_lead_in_naming_who_asks_computes_nothing(asker_: Asker, conn_: Conn) -> None:
    """ "For the student newspaper:", "From the provost's office:" say who asks; a first-person
    aside before a ranking with a comments clause stays an aside ("the best teachers")."""
    paper = ask(
        asker_,
        conn_,
        "For the student newspaper: which course had the weakest overall rating in spring 2024?",
    )
    assert paper.plan["kind"] == "ranking" and paper.plan["order"] == "asc", paper.answer
    provost = ask(
        asker_,
        conn_,
        "From the provost's office: which instructor has the lowest response rate overall, and is"
        " it a one-off or a pattern?",
    )
    assert provost.plan["kind"] == "ranking", provost.answer
    assert provost.plan["metric"]["figure"] == "response_rate", provost.plan
    feature = ask(
        asker_,
        conn_,
        "I'm writing a feature on the best teachers on campus. Who has the best overall rating,"
        " and what do students love about them?",
    )
    ranked = feature.plan["ratings"]
    assert feature.route == "mixed" and ranked["kind"] == "ranking", feature.answer
    assert ranked["entity"] == "instructor", feature.plan


def test_texting_without_vowels_and_asks_no_report_answers(asker_: Asker, conn_: Conn) -> None:
    """ "nrllmnt" is enrollment; remarks are comments; teaching assistants are rated nowhere."""
    texted = ask(asker_, conn_, "nrllmnt cs5800 sp24")
    assert texted.facts[0].value == 40, texted.facts
    remarks = ask(asker_, conn_, "any negative remarks on CS5800?")
    assert remarks.route in ("qualitative", "mixed"), remarks.answer
    tas = ask(asker_, conn_, "Which of the CS5800 teaching assistants got the best reviews?")
    assert tas.route == "unanswerable" and "teaching assistants" in tas.answer, tas.answer


def test_comments_on_the_pace_come_with_the_ratings_it_is_rated_by(
    asker_: Asker, conn_: Conn
) -> None:
    """What students write about the pace, next to the clarity (no rating question is named after
    the pace; rag.answer.opinions.THEME_RATINGS)."""
    pace = ask(asker_, conn_, "what do students say about the pace in CS5800?")
    assert pace.route == "qualitative" and pace.plan["theme"] == "pace", pace.answer
    labels = [f.label for f in pace.facts]
    assert any(label.startswith("clearly communicated ideas") for label in labels), labels


def test_overall_quality_is_the_overall_rating(asker_: Asker, conn_: Conn) -> None:
    quality = ask(asker_, conn_, "overall quality of CS5800 in spring 2024?")
    assert quality.route == "quantitative" and quality.facts[0].value == 4.38, quality.facts
    both = ask(
        asker_, conn_, "what should I expect from CS5800 in terms of workload and overall quality?"
    )
    labels = [f.label for f in both.facts]
    assert any("hours per week" in label for label in labels), labels
    assert any(label.startswith("overall rating") for label in labels), labels


def test_a_term_with_its_noun_between_and_a_rating_out_of_five(asker_: Asker, conn_: Conn) -> None:
    """'autumn term 2023' is Fall 2023; 'out of 5' is the scale, not the option 5."""
    autumn = ask(asker_, conn_, "CS5800 autumn term 2023 overall rating out of 5?")
    assert autumn.route == "quantitative", autumn.answer
    assert autumn.plan["scope"]["terms"] == ["Fall 2023"], autumn.plan
    scaled = ask(asker_, conn_, "overall rating of CS5800 in spring semester 2024, on a 1-5 scale")
    assert scaled.route == "quantitative" and scaled.facts[0].value == 4.38, scaled.facts


def test_dictated_letters_and_chat_shorthand(asker_: Asker, conn_: Conn) -> None:
    """A subject spelt letter by letter, "fwiw", "percentage-wise" and "just the number"."""
    spelt = ask(asker_, conn_, "enrollment for c s fifty eight hundred spring twenty twenty four")
    assert spelt.route == "quantitative" and spelt.facts[0].value == 40, spelt.answer
    rate = ask(
        asker_,
        conn_,
        "fwiw which Fall 2023 section had the most students doing the eval, percentage-wise?",
    )
    assert rate.plan["metric"]["figure"] == "response_rate", rate.plan
    terse = ask(
        asker_, conn_, "**Enrollment** — DS5110, Spring 2024. Just the number, no commentary."
    )
    assert terse.route == "quantitative" and terse.facts[0].value == 44, terse.answer


def test_follow_ups_asking_for_the_n_a_bin_or_the_same_topic(asker_: Asker, conn_: Conn) -> None:
    answered = ask(
        asker_,
        conn_,
        "CS5800 spring 2024 enrollment",
        "ok and like how many of them answered the survey",
    )
    assert answered.plan["metric"]["figure"] == "responses", answered.plan
    n = ask(
        asker_, conn_, "Okafor's overall rating in spring 2024?", "what N sits behind that mean"
    )
    assert n.facts[0].value == 26, n.facts
    top = ask(
        asker_,
        conn_,
        "hours per week in CS5800 in spring 2024",
        "how many students were in the top bracket, 17 to 20",
    )
    assert top.facts[0].value == 2 and "17-20" in top.answer, top.answer
    topic = ask(
        asker_, conn_, "what do students say about Lee's feedback?", "and for Okafor, same topic"
    )
    assert topic.route == "qualitative" and topic.plan["theme"] == "feedback", topic.answer


def test_other_universities_are_not_in_the_reports(asker_: Asker, conn_: Conn) -> None:
    mit = ask(asker_, conn_, "how does Okafor's CS5800 stack up against MIT's algorithms course?")
    assert mit.route == "unanswerable", mit.answer
    university = ask(asker_, conn_, "how does Okafor's CS5800 compare with the university mean?")
    assert university.route != "unanswerable", university.answer


def test_the_spring_offerings_and_since_then(asker_: Asker, conn_: Conn) -> None:
    """'the spring offerings of CS5800': spring terms only; 'since then' after one term: a trend
    from it on."""
    spring = ask(asker_, conn_, "give me a one-paragraph verdict on the spring offerings of CS5800")
    assert spring.route == "mixed", spring.answer
    assert spring.facts[0].value == 4.38 and "spring terms" in spring.facts[0].label, spring.facts
    since = ask(asker_, conn_, "took CS5800 in fall 2023. has it gotten better since then?")
    assert since.plan["kind"] == "trend", since.plan
    assert [f.label for f in since.facts][:2] == ["Fall 2023 (2 sections)", "Spring 2024"]
    # the term in the asker's aside, "still … now" in the ask
    aside = ask(
        asker_, conn_, "I had Okafor back in fall 2023 as a freshman. Is he still as good now?"
    )
    assert aside.plan["kind"] == "trend", aside.answer
    assert aside.facts[0].label.startswith("Fall 2023") and " in since" not in aside.answer


def test_strengths_and_weaknesses_and_who_wants_to_know(asker_: Asker, conn_: Conn) -> None:
    both = ask(asker_, conn_, "strengths and weaknesses of Okafor teaching CS5800 in Spring 2024?")
    assert both.route == "mixed", both.answer
    assert any(f.label.startswith("overall rating") for f in both.facts), both.facts
    senate = ask(
        asker_,
        conn_,
        "The student senate wants to know which course had the lowest overall rating in Fall 2023"
        " and what students complained about in it.",
    )
    assert senate.route == "mixed" and senate.plan["ratings"]["kind"] == "ranking", senate.answer


def test_a_count_of_sections_and_a_rating_asked_together(asker_: Asker, conn_: Conn) -> None:
    """The count leads in words, the whole picture follows, and each fact's N has its unit."""
    both = ask(
        asker_,
        conn_,
        "how many sections has Okafor taught, and what's his overall average across them?",
    )
    assert both.answer.startswith("Chinedu Okafor: **2** sections in the reports."), both.answer
    assert any(f.label.startswith("overall rating") for f in both.facts), both.facts
    assert "4.44 (56 responses)" in both.answer, both.answer


def test_first_and_last_terms_of_what_is_named(asker_: Asker, conn_: Conn) -> None:
    """'the first term it was offered', 'its last two terms': the terms of the course named,
    not of all the reports; 'the most recent fall' ranks nothing."""
    first = ask(asker_, conn_, "enrollment of CS5800 the first term it was offered")
    assert first.scope is not None and first.scope.terms == ["Fall 2023"], first.scope
    assert first.facts[0].value == 93, first.facts
    last = ask(asker_, conn_, "PSYC1101 overall rating over its last two terms")
    assert last.route == "quantitative", last.answer  # its only term, Fall 2022
    recent = ask(asker_, conn_, "the most recent fall, how was CS5800 rated overall")
    assert recent.plan["kind"] != "ranking", recent.plan
    after = ask(
        asker_, conn_, "enrollment of CS5800 in fall 2023", "and the semester straight after?"
    )
    assert after.facts[0].value == 40, after.facts


def test_rates_asked_as_a_share_and_british_wording(asker_: Asker, conn_: Conn) -> None:
    """'as a rate?', 'what percentage returned the eval', 'what proportion of that headcount
    completed the survey': the response rate; 'leaving the summer sessions aside' leaves them
    out; 'the psych module' is the course."""
    rate = ask(asker_, conn_, "CS5800 spring 2024, number who answered the eval", "as a rate?")
    assert rate.plan["metric"]["figure"] == "response_rate", rate.plan
    returned = ask(asker_, conn_, "cs5800 spring 2024, what percentage returned the eval")
    assert returned.plan["metric"]["figure"] == "response_rate", returned.plan
    share = ask(
        asker_,
        conn_,
        "CS5800 spring 2024 headcount?",
        "and what proportion of that headcount completed the survey",
    )
    assert share.plan["metric"]["figure"] == "response_rate", share.plan
    aside = ask(
        asker_, conn_, "leaving the summer sessions aside, how many terms was CS5800 evaluated"
    )
    assert aside.plan["scope"]["exclude_seasons"], aside.plan
    module = ask(asker_, conn_, "how many were enrolled in the online psych module in fall 2022")
    assert module.route == "quantitative", module.answer
    recorded = ask(asker_, conn_, "How many declines were recorded for CS5800 in fall 2023?")
    assert recorded.plan["metric"]["figure"] == "declines", recorded.answer
