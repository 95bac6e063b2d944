"""Everyday phrasings of opinion, workload and subject questions, end to end over the hand-made
reports of test_ask_numbers (real PostgreSQL, the fake embedder, the extractive answerer)."""

from __future__ import annotations

from core.db import Conn
from rag.answer.ask import Asker
from rag.answer.entities.courses import subject_named
from tests.rag.answer import test_ask_numbers as base
from tests.rag.answer.test_ask_numbers import ask

loaded = base.loaded  # the same reports and database as test_ask_numbers
asker_ = base.asker
conn_ = base.conn


def test_liking_and_hating_ask_for_opinions_of_that_tone(asker_: Asker, conn_: Conn) -> None:
    """ "like most" is no ranking of instructors: praised themes and quotes; "hate": complaints."""
    for question in (
        "what do students like most about CS5800?",
        "what do people love about CS5800?",
        "what did students enjoy the most in CS5800",
    ):
        liked = ask(asker_, conn_, question)
        assert liked.route == "qualitative", (question, liked.plan)
        assert liked.plan["tone"] == "positive" and liked.citations
        assert all(t.tone != "negative" for t in liked.themes), liked.themes  # praise only
        assert "Great lectures, very clear explanations of proofs." in [
            q.text for q in liked.citations
        ]
    hated = ask(asker_, conn_, "what do students hate about EECE2322?")
    assert hated.route == "qualitative" and hated.plan["tone"] == "negative"
    assert hated.themes[0].name == "workload" and hated.themes[0].count == 4
    assert hated.answer.startswith("**4 of 6 comments**")
    # a "which" question is still a ranking
    which = ask(asker_, conn_, "which instructor do students like most in CS5800?")
    assert which.plan["kind"] == "ranking"


def test_work_about_a_course_is_its_workload(asker_: Asker, conn_: Conn) -> None:
    """ "a lot of work", "how much work", "busywork": hours per week where printed, workload
    comments where the reports print no hours."""
    for question in ("is cs5800 a lot of work?", "is CS5800 busywork?", "how much work is CS5800"):
        hours = ask(asker_, conn_, question)
        assert hours.plan["kind"] == "hours", (question, hours.plan)
        assert "estimated mean hours per week" in {f.label for f in hours.facts}
    comments = ask(asker_, conn_, "how much work is EECE2322?")
    assert comments.route == "qualitative" and comments.plan["theme"] == "workload"
    assert comments.themes[0].name == "workload" and comments.themes[0].count == 4
    assert all(q.theme == "workload" for q in comments.citations) and comments.citations
    asked_hours = ask(asker_, conn_, "hours per week in EECE2322?")  # unprinted: declined
    assert asked_hours.route == "unanswerable" and "print no hours per week" in asked_hours.answer


def test_a_subject_written_out_is_its_code(asker_: Asker, conn_: Conn) -> None:
    """ "computer science", "psychology", "electrical and computer engineering" before a course
    noun are the catalogue's subject codes (CS, PSYC, EECE), read from the stored subjects."""
    best = ask(asker_, conn_, "best computer science course")
    assert best.plan["kind"] == "ranking" and best.plan["scope"]["subjects"] == ["CS"], best.plan
    psych = ask(asker_, conn_, "worst psychology class")
    assert psych.plan["scope"]["subjects"] == ["PSYC"], psych.plan
    eece = ask(asker_, conn_, "top electrical and computer engineering professors")
    assert eece.plan["scope"]["subjects"] == ["EECE"] and eece.plan["entity"] == "instructor"


def test_subject_names_spell_their_codes() -> None:
    subjects = ("BIOL", "CS", "DS", "EECE", "MATH", "PHIL", "PSYC")
    assert subject_named(["computer", "science"], subjects) == "CS"
    assert subject_named(["data", "science"], subjects) == "DS"
    assert subject_named(["electrical", "engineering"], subjects) == "EECE"
    assert subject_named(["mathematics"], subjects) == "MATH"
    assert subject_named(["philosophy"], subjects) == "PHIL"
    assert subject_named(["best", "course"], subjects) is None
    assert subject_named(["data", "structures"], ("DS", "DST")) is None  # two codes: neither


def test_who_improved_most_ranks_by_change(asker_: Asker, conn_: Conn) -> None:
    """ "which instructors improved the most", "who got better over the years": each person's
    overall rating in their last term minus their first, not one trend of everyone."""
    for question in ("which instructors improved the most?", "who got better over the years"):
        answer = ask(asker_, conn_, question)
        assert answer.plan["kind"] == "ranking" and answer.plan["by"] == "change", answer.plan
        # Hannah Lee is two people until merged (one per subject): one term each
        top = answer.facts[0]
        assert top.label == "#1 Chinedu Okafor, change from Fall 2023 (4.5) to Spring 2024 (4.38)"
        assert top.value == -0.12 and top.n == 56
        one_term = answer.facts[-1]
        assert one_term.label.startswith("instructors with one term") and one_term.value == 4
        assert answer.answer.startswith(
            "Chinedu Okafor declined the least (no one improved) on overall rating"
        ), answer.answer
    courses = ask(asker_, conn_, "which courses got worse?")
    assert courses.plan["order"] == "asc" and courses.plan["entity"] == "course"
    assert courses.facts[0].label.startswith("#1 CS5800") and courses.facts[0].value == 0.03
    assert "improved the least (no one dropped)" in courses.answer
    for question in (
        "trying to plan next year - who improved the most from their first semester here to"
        " their latest one, by overall rating?",  # a plan of the asker's, no future term
        "which course's overall rating dropped the most between its first offering and its"
        " latest one?",
    ):
        spelled = ask(asker_, conn_, question)
        assert spelled.plan.get("by") == "change", (question, spelled.answer)
    # one named person is her trend; a follow-up ranks by change again
    trend = ask(asker_, conn_, "has Okafor improved?")
    assert trend.plan["kind"] == "trend"
    again = ask(asker_, conn_, "who improved the most?", "and in CS5800 only?")
    assert again.plan["kind"] == "ranking" and again.plan["by"] == "change", again.plan


def test_what_students_say_leads_with_the_most_mentioned_themes(asker_: Asker, conn_: Conn) -> None:
    """ "what do students say about X" with no theme named: the most-mentioned themes (counts
    and tone) lead, then quotes, then the ratings; no theme is guessed from "teaching"."""
    said = ask(asker_, conn_, "what do students say about Okafor's teaching?")
    assert said.route == "mixed" and said.plan["comments"]["theme"] == "general", said.plan
    counts = [t.count for t in said.themes]
    assert counts == sorted(counts, reverse=True)
    assert said.answer.startswith(f"**{said.themes[0].count} of {said.themes[0].of} comments**")
    assert said.answer.index("What students wrote:") < said.answer.index("Overall rating for")
    # an open question about a person still leads with the rating
    opened = ask(asker_, conn_, "is Okafor a good teacher?")
    assert opened.answer.startswith("Overall rating for Chinedu Okafor")


def test_praise_and_complaints_lead_with_the_themes_of_that_tone(
    asker_: Asker, conn_: Conn
) -> None:
    """ "what do students hate about X": the themes most complaints are on, with how many of the
    comments on each are critical."""
    hated = ask(asker_, conn_, "what do students hate about EECE2322?")
    toned = [t.toned for t in hated.themes]
    assert None not in toned and toned == sorted(toned, reverse=True)  # type: ignore[type-var]
    lead = hated.themes[0]
    assert (lead.name, lead.toned) == ("workload", 4)
    assert hated.answer.startswith(
        "**4 of 6 comments** on EECE2322 criticise workload (4 of the 4 on it)."
    )


def test_a_relative_term_says_which_term_it_was_read_as(asker_: Asker, conn_: Conn) -> None:
    """The reports' newest term here is Spring 2024: "last fall" is Fall 2023, and says so."""
    answer = ask(asker_, conn_, "overall rating of CS5800 last fall")
    assert answer.plan["scope"]["terms"] == ["Fall 2023"]
    assert answer.answer.endswith(
        "“last fall” is Fall 2023 (the newest term in the reports is Spring 2024)."
    )


def test_a_verdict_in_unknown_words_gets_the_whole_picture(asker_: Asker, conn_: Conn) -> None:
    """A person or course named, no measure, and words no rating question holds ("avoid",
    "honest take", "destroys people"): the overall rating against department and university, the
    other ratings and the comments, saying which words were read as no rating."""
    for question in (
        "okafor - good prof or one to avoid?",
        "honest take: is CS5800 worth it?",
        "heard CS5800 destroys people. accurate?",
        "would you reccomend CS5800 now that okafor teaches it alone?",
    ):
        answer = ask(asker_, conn_, question)
        ratings = answer.plan.get("ratings", answer.plan)  # with comments: a mixed answer
        assert ratings["kind"] == "overview", (question, answer.plan)
        assert answer.answer.startswith("Overall rating "), (question, answer.answer)
        assert answer.facts and ratings["unread"], (question, answer.plan)
    avoid = ask(asker_, conn_, "okafor - good prof or one to avoid?")
    assert "“avoid” was read as no rating" in avoid.answer, avoid.answer
    # a fact the reports lack, a measure they don't print, or no one named: still declined
    for question in (
        "is okafor tenured?",
        "which textbook does CS5800 use?",
        "did CS5800 students have high SAT scores on average?",
        "good prof or one to avoid?",
    ):
        declined = ask(asker_, conn_, question)
        assert declined.route == "unanswerable", (question, declined.answer)


def test_unhappy_students_ask_for_complaints(asker_: Asker, conn_: Conn) -> None:
    """ "unhappy", "anything negative people wrote": the comments of that tone, not a decline."""
    for question in (
        "what were people unhappy about in EECE2322?",
        "anything negative people wrote about EECE2322?",
    ):
        answer = ask(asker_, conn_, question)
        assert answer.route == "qualitative", (question, answer.answer)
        assert answer.plan["tone"] == "negative" and answer.citations, answer.plan


def test_follow_ups_on_who_taught_and_a_rating_asked_in_everyday_words(
    asker_: Asker, conn_: Conn
) -> None:
    """ "which prof had X" is who taught it; "his overall number that semester?" after it is the
    rating in the same course and term, not another count; "is X good at giving feedback?" is
    the feedback rating against the department's, and "has it gotten better lately?" its trend."""
    taught = ask(asker_, conn_, "which prof had CS5800 in Fall 2023?")
    assert taught.plan["kind"] == "count" and taught.plan["what"] == "instructors", taught.plan
    rating = ask(
        asker_, conn_, "which prof had CS5800 in Fall 2023?", "his overall number that semester?"
    )
    assert rating.plan["kind"] == "average", rating.plan
    assert rating.plan["scope"]["courses"] == ["CS5800"]
    assert rating.plan["scope"]["terms"] == ["Fall 2023"]
    assert rating.facts[0].value == 4.35
    ranked = ask(asker_, conn_, "which prof had the highest overall rating in CS5800?")
    assert ranked.plan["kind"] == "ranking", ranked.plan
    feedback = ask(asker_, conn_, "is okafor good at giving feedback?")  # against the department
    assert feedback.plan["kind"] == "comparison" and feedback.plan["between"] == "dept_univ"
    assert "feedback" in feedback.plan["metric"]["text"], feedback.plan
    trend = ask(
        asker_,
        conn_,
        "is okafor good at giving feedback?",
        "ok but has it gotten better lately? by term",
    )
    assert trend.plan["kind"] == "trend" and "feedback" in trend.plan["metric"]["text"], trend.plan


def test_what_is_it_like_is_the_whole_picture_not_what_was_liked(
    asker_: Asker, conn_: Conn
) -> None:
    """ "what are her lectures like?", "what is CS5800 like?": the ratings with the comments;
    "what do students like about CS5800?" stays the praise."""
    for question in ("never had okafor, what are her lectures like?", "what is CS5800 like?"):
        answer = ask(asker_, conn_, question)
        assert answer.route == "mixed", (question, answer.plan)
        assert answer.answer.startswith("Overall rating "), (question, answer.answer)
    liked = ask(asker_, conn_, "what do students like about CS5800?")
    assert liked.route == "qualitative" and liked.plan["tone"] == "positive"


def test_his_her_and_that_person_mean_whom_the_last_answer_singled_out(
    asker_: Asker, conn_: Conn
) -> None:
    """A ranking's first or the one person who taught is whom "her", "his" or "that person"
    means next; a follow-up without such a word keeps the old scope, and a turn whose answer
    singled nobody out leaves "her" to the scope it inherits."""
    lowest = "which prof had the lowest overall rating in fall 2023?"
    her = ask(asker_, conn_, lowest, "what's her feedback score across all terms?")
    assert her.scope is not None and "Hannah Lee" in her.scope.text, her.scope
    assert her.plan["kind"] == "average" and her.facts[0].value == 4.6, her.facts  # both subjects
    person = ask(asker_, conn_, lowest, "what are students saying about that person?")
    assert person.scope is not None and "Hannah Lee" in person.scope.text, person.scope
    assert {q.text for q in person.citations} <= {  # Lee's CS5800 and DS5110 comments only
        "Feedback on homework came back within days.",
        "Lectures went way too fast to keep up.",
        "Very organized course, everything was on Canvas.",
    }, person.citations
    taught = ask(asker_, conn_, "who taught EECE2322 in fall 2022?", "his overall number?")
    assert taught.scope is not None and "Priya Ramanathan" in taught.scope.text, taught.scope
    assert taught.facts[0].value == 4.1
    no_one = ask(asker_, conn_, lowest, "and in spring 2024?")  # no person asked about
    assert no_one.scope is not None and "Lee" not in no_one.scope.text, no_one.scope


def test_there_that_class_and_it_mean_the_course_a_ranking_put_first(
    asker_: Asker, conn_: Conn
) -> None:
    """After a ranking of courses, "there", "that class", "it" are its first, asked about anew
    (not ranked again); "is she good?" after a ranking of people is that person's rating; "and
    in spring 2024?" names no one and ranks again; "are there any..." refers to nothing."""
    best = "which course had the highest overall rating?"
    ranked = ask(asker_, conn_, best)
    top = ranked.facts[0].label.split()[1]
    for follow_up in ("how many students were enrolled there?", "how many took that class?"):
        there = ask(asker_, conn_, best, follow_up)
        assert there.plan["kind"] != "ranking", (follow_up, there.plan)
        assert there.plan["scope"]["courses"] == [top], (follow_up, there.plan)
    worth = ask(asker_, conn_, best, "is it worth taking?")
    ratings = worth.plan.get("ratings", worth.plan)
    assert ratings["kind"] != "ranking" and ratings["scope"]["courses"] == [top], worth.plan
    again = ask(asker_, conn_, best, "and in spring 2024?")
    assert again.plan["kind"] == "ranking" and not again.plan["scope"]["courses"], again.plan
    she = ask(
        asker_, conn_, "which prof had the lowest overall rating in fall 2023?", "is she good?"
    )
    assert she.plan.get("ratings", she.plan)["kind"] != "ranking", she.plan
    assert she.scope is not None and "Hannah Lee" in she.scope.text, she.scope


def test_comments_about_a_person_stored_once_per_subject_are_theirs_only(
    asker_: Asker, conn_: Conn
) -> None:
    """Hannah Lee teaches CS5800 and DS5110, so she is stored twice (one id per subject): her
    comments are those of both, and never those of Okafor's section in the same term."""
    said = ask(asker_, conn_, "what are students saying about Hannah Lee?")
    lees = {
        "Feedback on homework came back within days.",
        "Lectures went way too fast to keep up.",
        "Very organized course, everything was on Canvas.",
    }
    assert said.citations and {q.text for q in said.citations} <= lees, said.citations
    fall = ask(asker_, conn_, "what are students saying about Hannah Lee in fall 2023?")
    assert fall.citations and {q.text for q in fall.citations} <= lees, fall.citations


def test_ranking_idioms_and_english_words_are_read_as_written(asker_: Asker, conn_: Conn) -> None:
    """English words are never "corrected" into the readers' words ("charts" is no "cheats",
    "away" no "always", "tops" no surname after "prof"); idioms of a ranking rank, avoiding
    ranks lowest first; a spoken subject ending the question ("for psych", its one course where
    it has one) and a short code before "dept" are scopes."""
    tops = ask(asker_, conn_, "which prof tops the charts for overall rating?")
    assert tops.plan["kind"] == "ranking" and tops.plan["order"] == "desc", tops.plan
    for question in ("which course should I stay away from", "which prof should I steer clear of"):
        away = ask(asker_, conn_, question)
        assert away.plan["kind"] == "ranking" and away.plan["order"] == "asc", (question, away.plan)
    psych = ask(asker_, conn_, "best lecturer for psych")  # PSYC's one course here
    assert psych.plan["scope"]["courses"] == ["PSYC1101"], psych.plan
    cs = ask(asker_, conn_, "best lecturer for cs")  # CS has two: the subject
    assert cs.plan["scope"]["subjects"] == ["CS"], cs.plan
    dept = ask(asker_, conn_, "how many profs does the cs dept have")
    assert dept.plan["kind"] == "count" and dept.plan["what"] == "instructors", dept.plan
    assert dept.plan["scope"]["subjects"] == ["CS"], dept.plan
    count = dept.facts[0].value
    assert count > 1 and dept.answer.startswith(f"**{count}** instructors taught CS courses:")


def test_everyday_words_around_a_figure(asker_: Asker, conn_: Conn) -> None:
    """Words people put around what they ask are not what they ask: "did it" is no survey taken,
    "asked me to" no enrollment, "declines not counted" the responses without them, "clicked
    decline" the declines, "every section combined" one pooled figure, "side by side" and "next
    to the department" comparisons, a lower-case given name that is no English word a person
    ("hannah"), and "fair" a measure (here one no report prints), not an opinion."""
    scored = ask(asker_, conn_, "was CS5800 worth it in fall 2023? how did it score on clarity")
    assert scored.plan["metric"]["text"] == base.CLEAR and scored.plan["kind"] == "average"
    asked = ask(asker_, conn_, "my chair asked me to check: average clarity for DS5110?")
    assert asked.plan.get("metric", {}).get("text") == base.CLEAR, asked.answer
    net = ask(asker_, conn_, "how many students answered in PSYC1101? declines not counted")
    assert net.facts[0].value == 62, net.facts
    clicked = ask(asker_, conn_, "PSYC1101 F22: how many ppl clicked decline on trace")
    assert clicked.facts and clicked.facts[0].value == 4, clicked.answer
    pooled = ask(asker_, conn_, "declines across every fall 2023 section combined")
    assert pooled.plan["kind"] == "average" and pooled.facts[0].value == 2, pooled.plan
    likely = "whose students were least likely to agree they got sufficient feedback?"
    least = ask(asker_, conn_, likely)
    assert (least.plan["kind"], least.plan["entity"], least.plan["order"]) == (
        "ranking",
        "instructor",
        "asc",
    ), least.plan
    assert "feedback" in least.plan["metric"]["text"], least.plan
    counted = ask(asker_, conn_, "declines in fall 2023 altogether, every section counted")
    assert counted.plan["kind"] == "average" and counted.facts[0].value == 2, counted.plan
    side = ask(asker_, conn_, "clarity side by side: CS5800 vs DS5110")
    assert side.plan["kind"] == "comparison", side.plan
    dept = ask(asker_, conn_, "ramanathan's clarity in fall 2022 next to the dept and whole uni")
    assert dept.plan["between"] == "dept_univ", dept.plan
    hannah = ask(asker_, conn_, "hannah's feedback score in DS5110")
    assert hannah.facts[0].value == 4.7, hannah.facts
    fair = ask(asker_, conn_, "okafor vs lee on fair evaluation of students")  # a measure, not
    assert fair.route == "unanswerable" and "'fair'" in fair.answer, fair.answer  # an opinion
    assert fair.answer.count("Hannah Lee") == 2 and fair.scope is not None, fair.answer
    assert fair.scope.text == "Chinedu Okafor · Hannah Lee"  # one person, stored per subject


def test_a_follow_up_asks_the_same_figure_or_the_same_count_without_declines(
    asker_: Asker, conn_: Conn
) -> None:
    """ "same thing for f25" keeps the figure; "and excluding them?" after responses including
    declines is the responses without the declines."""
    same = ask(asker_, conn_, "declines in CS5800 fall 2023?", "same thing for spring 2024")
    assert same.route == "unanswerable" and "print no declines" in same.answer, same.answer
    net = ask(
        asker_,
        conn_,
        "how many responses did PSYC1101 get including declines",
        "and excluding them?",
    )
    assert net.facts[0].value == 62 and net.facts[0].label.startswith("responses excl"), net.facts


def test_an_aside_about_the_asker_names_context_not_the_measure() -> None:
    from rag.answer.entities.reading import split_aside

    assert split_aside("Is Okafor good? My son has him and says he's the best.") == (
        "My son has him and says he's the best.",
        "Is Okafor good?",
    )
    assert split_aside("For a senate memo I need one figure: the declines in Fall 2022.") == (
        "For a senate memo I need one figure:",
        "the declines in Fall 2022.",
    )
    assert split_aside("how many students did I have in CS5800?") == (
        "",
        "how many students did I have in CS5800?",
    )  # the question itself in the first person
    assert split_aside("as chair: what was the mean?")[0] == ""


def test_the_askers_own_department_scopes_only_what_names_no_course_or_person(
    asker_: Asker, conn_: Conn
) -> None:
    """ "I chair the EECE department." is who asks: it scopes "which course was best?" to EECE,
    but a question naming its own person or course is not narrowed by it, and "a CS student"
    next to CS5800 adds no second filter."""
    chair = ask(
        asker_,
        conn_,
        "I chair the CS department. What was Ramanathan's overall rating?",
    )
    assert chair.facts and "CS courses" not in chair.answer, chair.answer
    assert chair.plan["scope"]["subjects"] == [], chair.plan
    ranked = ask(
        asker_, conn_, "I chair the CS department. Which course had the best overall rating?"
    )
    assert ranked.plan["kind"] == "ranking" and ranked.plan["scope"]["subjects"] == ["CS"]
    assert {f.label.split()[1].rstrip(":") for f in ranked.facts} <= {"CS5800"}, ranked.facts
    parent = ask(asker_, conn_, "As a parent of a CS student, how is CS5800?")
    ratings = parent.plan.get("ratings", parent.plan)
    assert ratings["scope"]["courses"] == ["CS5800"] and not ratings["scope"]["subjects"]


def test_an_instructor_who_says_who_they_are_asks_about_their_own_reports(
    asker_: Asker, conn_: Conn
) -> None:
    """ "I'm Hannah Lee." or "Priya Ramanathan here." opens a question about the asker's own
    reports: "my", "I", "me" are that person; an introduction naming nobody the reports hold
    ("I'm a parent.") changes nothing."""
    from rag.answer.entities.reading import split_introduction

    assert split_introduction("Priya Ramanathan here. How did my sections go?") == (
        "Priya Ramanathan",
        "How did my sections go?",
    )
    assert split_introduction("how many students did I have in CS5800?")[0] == ""
    mine = ask(asker_, conn_, "Hi, I'm Hannah Lee. What was my overall rating in fall 2023?")
    assert mine.plan["kind"] == "average" and mine.plan["scope"]["instructor_names"], mine.plan
    assert mine.scope is not None and "Hannah Lee" in mine.scope.text, mine.scope
    here = ask(asker_, conn_, "Chinedu Okafor here. How did my CS5800 sections go overall?")
    scope = here.plan.get("ratings", here.plan)["scope"]
    assert scope["courses"] == ["CS5800"] and scope["instructor_names"] == ["Chinedu Okafor"]
    parent = ask(asker_, conn_, "I'm a parent. What was the overall rating of CS5800?")
    assert parent.plan["scope"]["instructor_names"] == [], parent.plan


def test_everyday_questions_of_second_language_speakers_parents_and_deans(
    asker_: Asker, conn_: Conn
) -> None:
    """Asides, first names next to surnames, "at least", "fewest", "a bigger share ... or",
    "neutral or below", "declines included", "per option", "what is that based on"."""
    son = ask(
        asker_,
        conn_,
        "Is Dr. Okafor a good teacher? My son has him for CS5800 and says he's the best he's had.",
    )
    ratings = son.plan.get("ratings", son.plan)
    assert ratings["kind"] == "overview", son.plan
    assert ratings["scope"]["courses"] == ["CS5800"] and ratings["scope"]["instructor_names"]
    assert "of those enrolled answered it" in son.answer, son.answer
    both = ask(asker_, conn_, "who gives more feedback, chinedu okafor or hannah?")
    assert both.plan["kind"] == "comparison" and both.plan["between"] == "instructors", both.plan
    least = ask(asker_, conn_, "is okafor at least clear?")
    assert least.plan["kind"] != "ranking", least.plan
    fewest = ask(asker_, conn_, "which prof's courses took the fewest hours per week in fall 2023")
    assert fewest.plan["kind"] == "ranking" and fewest.plan["order"] == "asc", fewest.plan
    share = ask(asker_, conn_, "did a bigger share of the class answer in DS5110 or PSYC1101?")
    assert share.plan["metric"]["text"] == "response rate", share.plan
    assert share.plan["kind"] in ("comparison", "ranking") and len(share.facts) >= 2, share.plan
    below = ask(asker_, conn_, "CS5800 spring 2024: how many were neutral or below on feedback?")
    assert below.plan["kind"] == "distribution" and below.plan["options"] == [3, 2, 1], below.plan
    included = ask(asker_, conn_, "how many responses came in for PSYC1101, declines included?")
    assert included.facts and included.facts[0].value == 66, included.answer
    option = ask(
        asker_, conn_, "break down the answers to feedback for CS5800 spring 2024, per option"
    )
    assert option.plan["kind"] == "distribution", option.plan
    based = ask(
        asker_, conn_, "CS5800 spring 2024 overall rating", "how many students is that based on?"
    )
    assert based.facts[0].value == 26, based.facts
    style = ask(asker_, conn_, "ratemyprof style summary of okafor pls")
    assert style.plan.get("ratings", style.plan)["kind"] == "overview", style.plan
    overall = ask(asker_, conn_, "how is professor lee as a teacher overall")
    assert overall.plan.get("ratings", overall.plan)["kind"] == "overview", overall.plan


def test_hours_and_rating_asked_in_one_breath_are_both_answered(asker_: Asker, conn_: Conn) -> None:
    """ "how many hrs a week and do people actually like it": the hours, then the overall rating
    over the same scope, each with its own lead sentence; one measure asked is one measure."""
    both = ask(asker_, conn_, "is CS5800 chill? how many hrs a week and do people actually like it")
    labels = [f.label for f in both.facts]
    assert "estimated mean hours per week" in labels, labels
    assert any(label.startswith("overall rating") for label in labels), labels
    assert "hours per week" in both.answer and "Overall rating in CS5800" in both.answer
    assert both.plan["also"]["kind"] == "average", both.plan
    rated = ask(asker_, conn_, "CS5800 overall rating by term, and is the workload creeping up?")
    assert rated.plan["kind"] == "trend" and rated.plan["also"]["kind"] == "trend", rated.plan
    kinds = {rated.plan["metric"]["kind"], rated.plan["also"]["metric"]["kind"]}
    assert kinds == {"hours", "question"}, rated.plan
    one = ask(asker_, conn_, "what was the overall rating of CS5800?")
    assert "also" not in one.plan and all("hours" not in f.label for f in one.facts), one.facts


def test_a_compared_course_whose_reports_print_no_value_is_named(
    asker_: Asker, conn_: Conn
) -> None:
    """EECE2322's reports print no hours per week: comparing it on hours says so, rather than
    showing CS5800 alone."""
    lighter = ask(asker_, conn_, "which is lighter, CS5800 or EECE2322?")
    assert lighter.plan["kind"] == "comparison", lighter.plan
    assert "EECE2322: no hours per week in the matching reports" in lighter.answer, lighter.answer
    both = ask(asker_, conn_, "compare CS5800 and DS5110 on feedback")
    assert "in the matching reports" not in both.answer, both.answer


def test_two_compared_with_no_measure_named_are_compared_as_wholes(
    asker_: Asker, conn_: Conn
) -> None:
    """ "compare CS5800 and DS5110": the overall rating, then every other rating question and
    hours per week side by side, the widest gaps in words; a named measure compares only it."""
    whole = ask(asker_, conn_, "compare CS5800 and DS5110")
    assert whole.plan["kind"] == "comparison" and whole.plan["whole"], whole.plan
    labels = [f.label for f in whole.facts]
    assert any(label.endswith(": provided sufficient feedback") for label in labels), labels
    assert sum(label.endswith(": hours per week") for label in labels) == 2, labels
    assert "Widest gaps: " in whole.answer and "Hours per week: " in whole.answer, whole.answer
    named = ask(asker_, conn_, "compare CS5800 and DS5110 on feedback")
    assert not named.plan["whole"] and len(named.facts) == 3, named.facts  # two and the gap
    overall = ask(asker_, conn_, "okafor vs lee overall")
    assert not overall.plan["whole"], overall.plan


def test_how_many_courses_and_people_count_each_once(asker_: Asker, conn_: Conn) -> None:
    """ "how many different courses has Lee taught": her courses, listed; a person stored once
    per subject (Lee in CS and DS) is one instructor."""
    courses = ask(asker_, conn_, "how many different courses has hannah lee taught")
    assert courses.plan["what"] == "courses" and courses.facts[0].value == 2, courses.facts
    assert courses.answer.startswith("Hannah Lee: **2** courses (2 sections): "), courses.answer
    people = ask(asker_, conn_, "how many instructors taught in the reports?")
    names = [f.label for f in people.facts if f.label.startswith("taught by ")]
    assert people.facts[0].value == len(names) == len(set(names)), people.facts


def test_a_number_question_that_goes_on_to_ask_what_students_say(
    asker_: Asker, conn_: Conn
) -> None:
    """ "which course had the most hours ... and what do students say about it?": the ranking
    leads, then what students wrote about its first, not about every course."""
    both = ask(
        asker_,
        conn_,
        "which course was rated lowest on clarity, and what do students say about it?",
    )
    assert both.route == "mixed" and both.plan["ratings"]["kind"] == "ranking", both.plan
    assert both.answer.startswith("EECE2322 "), both.answer
    assert both.plan["comments"]["filters"]["course"] == "EECE2322", both.plan
    assert both.citations and {q.citation.course_code for q in both.citations} == {"EECE2322"}


def test_one_season_or_no_summer_and_a_term_onwards(asker_: Asker, conn_: Conn) -> None:
    """ "every fall", "spring semesters only", "excluding the summer sessions" scope by season
    (any year); "fall 2023 and later" is from that term on; "in the spring of that year" is
    still the one spring a follow-up means."""
    falls = ask(asker_, conn_, "CS5800 overall rating every fall")
    assert falls.plan["scope"]["seasons"] == ["Fall"] and falls.facts[0].value == 4.35, falls.facts
    springs = ask(asker_, conn_, "CS5800 enrolment, spring semesters only")
    assert springs.facts[0].value == 40, springs.facts
    assert springs.scope is not None and "spring terms only" in springs.scope.text
    summer = ask(asker_, conn_, "okafor's overall rating excluding the summer sessions")
    assert summer.plan["scope"]["exclude_seasons"] == ["Summer 1", "Summer 2", "Full Summer"]
    assert "leaving out summer terms" in summer.answer, summer.answer
    later = ask(asker_, conn_, "okafor's overall rating fall 2023 and later")
    assert later.plan["scope"]["term_from"] is not None and later.facts[0].n == 56, later.facts
    every = ask(asker_, conn_, "okafor's overall rating in fall 2023", "and every fall?")
    assert every.plan["scope"]["terms"] == [] and every.plan["scope"]["seasons"] == ["Fall"]
    on = ask(asker_, conn_, "compare CS5800 fall 2023 and spring 2024 on feedback")
    assert on.plan["scope"]["term_from"] is None, on.plan  # "on feedback" is no "onwards"


def test_more_everyday_wording_of_follow_ups_and_declines(asker_: Asker, conn_: Conn) -> None:
    """ "what grade did most people get" is declined; "how many 4s and 5s" counts those two;
    "split that by section" ranks the sections; "on how many responses does that rest?" is N."""
    grade = ask(asker_, conn_, "What grade did most people get in Okafor's CS5800?")
    assert grade.route == "unanswerable" and "grades" in grade.answer, grade.answer
    tops = ask(asker_, conn_, "CS5800 spring 2024 overall: how many 4s and 5s?")
    assert tops.plan["options"] == [5, 4] and tops.facts[0].value == 22, tops.facts
    split = ask(asker_, conn_, "CS5800 fall 2023 overall rating", "split that by section")
    assert split.plan["kind"] == "ranking" and split.plan["entity"] == "section", split.plan
    rest = ask(asker_, conn_, "CS5800 spring 2024 overall", "on how many responses does that rest?")
    assert rest.facts[0].value == 26, rest.facts


def test_verdicts_on_two_compare_and_small_sections_can_be_left_out(
    asker_: Asker, conn_: Conn
) -> None:
    """ "okafor or lee? honest take" compares the two as wholes; "how many office hours" is a
    timetable; "and how did she rate overall" is the overall rating; "leaving out the small
    section" drops sections under 5 responses from a pooled figure."""
    two = ask(asker_, conn_, "CS5800: okafor or lee? honest take pls")
    ratings = two.plan.get("ratings", two.plan)
    assert ratings["kind"] == "comparison" and ratings["whole"], two.plan
    office = ask(asker_, conn_, "How many office hours per week does Okafor hold?")
    assert office.route == "unanswerable", office.answer
    overall = ask(asker_, conn_, "Lee's feedback in DS5110", "and how did she rate overall?")
    assert overall.plan["metric"]["text"] == base.OVERALL, overall.plan
    pooled = ask(asker_, conn_, "total enrollment across all reports")
    small = ask(
        asker_, conn_, "total enrollment across all reports, leaving out the small sections"
    )
    assert small.plan["scope"]["exclude_small"] and small.facts[0].value == pooled.facts[0].value


def test_the_wording_rules_read_the_spelling_corrected_question(asker_: Asker, conn_: Conn) -> None:
    """ "wich prof had the higest" is "which prof had the highest": a ranking, not an average;
    a word people use ("clearest", "profs") is never "corrected" into another."""
    typed = ask(asker_, conn_, "wich prof had the higest overall rating")
    assert typed.plan["kind"] == "ranking" and typed.plan["entity"] == "instructor", typed.plan
    clearest = ask(asker_, conn_, "who was the clearest instructor?")
    assert clearest.plan["kind"] == "ranking", clearest.plan
    assert "clearly" in clearest.plan["metric"]["text"].lower(), clearest.plan
    profs = ask(asker_, conn_, "how many different profs have taught CS5800?")
    assert profs.plan["kind"] == "count" and profs.plan["what"] == "instructors", profs.plan
    assert profs.answer.startswith("**2**") or "**2**" in profs.answer, profs.answer


def test_why_after_an_answer_is_what_students_say_behind_it(asker_: Asker, conn_: Conn) -> None:
    """ "why?" after a ranking: what students say about the one it put first, complaints after
    one from the bottom; "flip it" is the same ranking the other way round, not a course."""
    lowest = ask(asker_, conn_, "lowest rated course in fall 2022")
    assert lowest.plan["kind"] == "ranking" and lowest.facts[0].label.startswith("#1 EECE2322")
    why = ask(asker_, conn_, "lowest rated course in fall 2022", "why?")
    assert why.route == "qualitative" and why.plan["tone"] == "negative", why.plan
    assert why.citations and {c.citation.course_code for c in why.citations} == {"EECE2322"}
    assert why.themes[0].name == "workload", why.themes
    best = ask(asker_, conn_, "best overall rating by course in fall 2022")
    assert best.facts[0].label.startswith("#1 PSYC1101"), best.facts
    flipped = ask(asker_, conn_, "best overall rating by course in fall 2022", "why?", "flip it")
    assert flipped.plan["kind"] == "ranking" and flipped.plan["order"] == "asc", flipped.plan
    assert flipped.plan["entity"] == "course" and flipped.facts[0].label.startswith("#1 EECE2322")


def test_needing_support_poorest_participation_and_sending_the_survey_back(
    asker_: Asker, conn_: Conn
) -> None:
    """Everyday words for the lowest first, the response rate and enrollment."""
    poorest = ask(asker_, conn_, "which course had the poorest survey participation in fall 2022")
    assert poorest.plan["kind"] == "ranking" and poorest.plan["order"] == "asc", poorest.plan
    assert poorest.facts[0].label.startswith("#1 PSYC1101") and poorest.facts[0].value == 0.35
    needs = ask(asker_, conn_, "which course needs the most teaching support in fall 2022?")
    assert needs.plan["order"] == "asc" and needs.facts[0].label.startswith("#1 EECE2322")
    between = ask(asker_, conn_, "between CS5800 and DS5110, which needs more support?")
    assert between.plan["kind"] == "comparison", between.plan
    alone = ask(asker_, conn_, "does CS5800 need more support?")  # asks which of none: no ranking
    assert alone.plan.get("kind") != "ranking", alone.plan
    sent = ask(
        asker_, conn_, "Hannah Lee here. What percentage of my DS5110 students sent back the eval?"
    )
    assert sent.facts[0].value == 0.66 and "66%" in sent.answer, sent.answer
    them = ask(
        asker_, conn_, "psyc1101 fall 22 - what was enrollment", "ok and what % of them answered"
    )
    assert them.facts[0].value == 0.35, them.facts
    signed = ask(asker_, conn_, "how much students was sign up for psyc1101 in fall 2022")
    assert signed.facts[0].value == 175, signed.facts


def test_a_decline_in_a_rating_and_how_many_semesters(asker_: Asker, conn_: Conn) -> None:
    """ "the biggest decline in the clarity rating" is a ranking by change, not the declines
    figure; "how many semesters" counts terms with a report; "what students wrote" is comments."""
    drop = ask(asker_, conn_, "biggest decline in the clarity rating for any course")
    assert drop.plan["kind"] == "ranking" and drop.plan["by"] == "change", drop.plan
    assert drop.facts[0].label.startswith("#1 CS5800") and drop.facts[0].value == 0.1
    declines = ask(asker_, conn_, "how many students declined the survey in CS5800 fall 2023?")
    assert declines.facts[0].value == 2, declines.facts
    terms = ask(asker_, conn_, "in how many different semesters was CS5800 evaluated?")
    assert terms.plan["kind"] == "count" and terms.plan["what"] == "terms", terms.plan
    assert terms.facts[0].value == 2, terms.facts
    wrote = ask(asker_, conn_, "is CS5800 too fast? looking for what students wrote")
    assert wrote.route == "qualitative" and wrote.citations, wrote.answer
    who = ask(asker_, conn_, "which student wrote the comment about proofs in CS5800?")
    assert who.route == "unanswerable" and "anonymous" in who.answer


def test_a_chat_boxs_first_week_of_wording(asker_: Asker, conn_: Conn) -> None:
    """Wording from the seventh independent batch's DEV half, each read as what it asks."""
    turnout = ask(asker_, conn_, "which course had the poorest survey turnout in fall 2022")
    assert turnout.facts[0].label.startswith("#1 PSYC1101") and turnout.facts[0].value == 0.35
    collected = ask(
        asker_, conn_, "how many answers did the overall rating question collect for Okafor?"
    )
    assert collected.facts[0].value == 56, collected.facts  # that question's 30 + 26
    kept = ask(
        asker_, conn_, "cs5800 fall 2023 overall rating", "did okafor keep that up in spring 2024"
    )
    assert kept.facts[0].value == 4.38 and kept.route == "quantitative", kept.facts
    better = ask(asker_, conn_, "who's the better teacher in the CS department?")
    assert better.plan["kind"] == "ranking" and better.plan["scope"]["subjects"] == ["CS"]
    rumour = ask(asker_, conn_, "is it true okafor takes forever to grade? what are people writing")
    assert rumour.route == "qualitative", rumour.answer
    midterm = ask(asker_, conn_, "whats the class average on the cs5800 midterm")
    assert midterm.route == "unanswerable" and "exam scores" in midterm.answer, midterm.answer
    offered = ask(asker_, conn_, "best class to take from the fall 2022 offerings?")
    assert offered.facts[0].label.startswith("#1 PSYC1101"), offered.facts
    weakest = ask(asker_, conn_, "I'm Hannah Lee. Which item is my weakest?")
    assert "Rated highest" in weakest.answer and "lowest" in weakest.answer, weakest.answer
    explained = ask(asker_, conn_, "does okafor or lee explain the material more clearly?")
    assert explained.plan["metric"]["text"] == base.CLEAR, explained.plan
    clear = ask(asker_, conn_, "is hannah lee clear when she explains things?")
    assert clear.plan["kind"] == "comparison" and clear.plan["between"] == "dept_univ"
    assert clear.plan["metric"]["text"] == base.CLEAR, clear.plan


def test_a_new_course_keeps_the_person_where_they_taught_it(asker_: Asker, conn_: Conn) -> None:
    """ "Lee's clarity in DS5110" then "and in CS5800?": Lee's CS5800 sections, not the course's
    pooled mean; a course the person never taught starts afresh."""
    kept = ask(asker_, conn_, "Lee's clarity in DS5110", "and in CS5800?")
    assert set(kept.plan["scope"]["instructor_names"]) == {"Hannah Lee"}, kept.plan
    assert kept.facts[0].value == 4.0, kept.facts  # her section alone (the course pools 4.3)
    fresh = ask(asker_, conn_, "Lee's clarity in DS5110", "and in PSYC1101?")
    assert fresh.plan["scope"]["instructor_names"] == [] and fresh.facts[0].value == 4.4


def test_a_spoken_subject_before_a_term_or_after_or(asker_: Asker, conn_: Conn) -> None:
    """ "in psych fall 2022" and "CS5800 or psych?": the subject (its one course here)."""
    term = ask(asker_, conn_, "overall rating in psych fall 2022")
    assert term.plan["scope"]["courses"] == ["PSYC1101"] and term.facts[0].value == 4.5
    either = ask(asker_, conn_, "which has the better overall rating, EECE2322 or psych?")
    assert either.plan["kind"] == "comparison" and either.plan["between"] == "courses"
    assert sorted(either.plan["scope"]["courses"]) == ["EECE2322", "PSYC1101"], either.plan


def test_the_other_prof_a_jump_between_two_terms_and_each_option(
    asker_: Asker, conn_: Conn
) -> None:
    """ "CS5800 with Okafor or the other prof": both, side by side; "anne's" is Dubois typed in
    lower case; "vs her spring 2024 number" puts the two terms side by side and "how big a jump"
    is their change, not a class size; "how many students picked each option" asks for the
    answers per option, which a CollegeNET report does not print."""
    other = ask(asker_, conn_, "should i take CS5800 with okafor or hold out for the other prof")
    assert other.plan["kind"] == "comparison" and other.plan["between"] == "instructors"
    assert {"Chinedu Okafor", "Hannah Lee"} <= set(other.plan["scope"]["instructor_names"])
    jump = ask(
        asker_,
        conn_,
        "okafor's CS5800 overall fall 2023",
        "vs his spring 2024 number",
        "so how big a jump is that, both numbers pls",
    )
    assert jump.plan["kind"] == "trend", jump.plan
    assert [f.value for f in jump.facts[:2]] == [4.5, 4.38], jump.facts
    anne = ask(asker_, conn_, "anne's overall rating")  # "anne" is an English word too
    assert anne.plan["scope"]["instructor_names"] == ["Anne Dubois"], anne.plan
    assert anne.facts[0].value == 4.5, anne.facts
    options = ask(
        asker_, conn_, "how many students picked each option on clarity in CS5800 fall 2023?"
    )
    assert options.route == "unanswerable" and "per-option" in options.answer, options.answer


def test_a_whole_picture_sets_what_stands_out_against_the_department_and_by_term(
    asker_: Asker, conn_: Conn
) -> None:
    """ "is Okafor a good teacher?": the highest and lowest rated items with their department
    means, and the overall rating by term where the person has several."""
    whole = ask(asker_, conn_, "is Okafor a good teacher?")
    labels = {f.label: f.value for f in whole.facts}
    assert labels["clearly communicated ideas and information, department mean"] == 4.0, labels
    assert (
        labels["overall rating, Fall 2023"] == 4.5 and labels["overall rating, Spring 2024"] == 4.38
    )
    assert "(4.51, department 4)" in whole.answer, whole.answer
    assert (
        "By term, overall rating went from 4.5 (Fall 2023) to 4.38 (Spring 2024)." in whole.answer
    )
    once = ask(asker_, conn_, "is Ramanathan a good teacher?")  # one term: no by-term line
    assert "By term" not in once.answer and not any(", Fall 2022" in f.label for f in once.facts)


def test_how_am_i_doing_against_the_department_is_the_whole_picture(
    asker_: Asker, conn_: Conn
) -> None:
    """Against the department with no measure named: the whole picture (headline against the
    department, best and worst items); with a measure named, that measure against it."""
    doing = ask(asker_, conn_, "I'm Hannah Lee. How am I doing compared with the department?")
    assert "against 4 for the department" in doing.answer and "Rated highest" in doing.answer
    measured = ask(asker_, conn_, "how does Lee's clarity compare with the department?")
    assert measured.plan["kind"] == "comparison" and measured.plan["between"] == "dept_univ"
    assert measured.plan["metric"]["text"] == base.CLEAR, measured.plan


def test_a_light_semester_ranks_by_hours_and_the_heaviest_are_to_avoid(
    asker_: Asker, conn_: Conn
) -> None:
    """ "which class should I avoid if I want a light semester": hours per week, most first."""
    avoid = ask(asker_, conn_, "which class should I avoid if I want a light semester")
    assert avoid.plan["kind"] == "ranking" and avoid.plan["metric"]["kind"] == "hours"
    assert avoid.plan["order"] == "desc" and avoid.facts[0].label.startswith("#1 CS5800")
    rated = ask(asker_, conn_, "which course should I avoid?")  # no hours asked: lowest rated
    assert rated.plan["order"] == "asc" and rated.plan["metric"]["kind"] == "question"


def test_two_sections_of_a_course_that_term_are_set_side_by_side(
    asker_: Asker, conn_: Conn
) -> None:
    """ "tell me about CS5800 in fall 2023, there were two sections right?": each section's
    ratings and hours side by side, not the pooled course; asked for one measure, it pools."""
    two = ask(asker_, conn_, "tell me about CS5800 in fall 2023, there were two sections right?")
    assert two.plan["kind"] == "comparison" and two.plan["between"] == "sections", two.plan
    values = {f.label: f.value for f in two.facts}
    assert values["CS5800-01 Fall 2023: overall rating"] == 4.5, values
    assert values["CS5800-02 Fall 2023: overall rating"] == 4.2, values
    pooled = ask(
        asker_, conn_, "what was the overall rating of both sections of CS5800 in fall 2023?"
    )
    assert pooled.plan["kind"] == "average" and pooled.facts[0].value == 4.35, pooled.facts


def test_why_after_a_ranking_within_a_course_is_about_its_first(asker_: Asker, conn_: Conn) -> None:
    """ "who had the lowest feedback rating in CS5800? / why?": the comments on that person's
    CS5800 sections, not the whole course's."""
    why = ask(asker_, conn_, "who had the lowest feedback rating in CS5800?", "why?")
    assert why.route == "qualitative", why.answer
    assert why.citations and {c.citation.instructors[0] for c in why.citations} == {
        "Okafor, Chinedu"
    }, why.citations


def test_a_verdict_asked_after_a_ranking_is_the_whole_picture(asker_: Asker, conn_: Conn) -> None:
    """ "is Prof. Okafor a good teacher?" after a ranking (found in the UI): the whole picture,
    not a ranking of his courses nor the ranking's measure against the department; "what about
    Lee?" after a number still repeats that number."""
    verdict = ask(
        asker_, conn_, "lowest rated course in fall 2023", "is profesor okafor a good teacher?"
    )
    assert verdict.route == "mixed" and "Rated highest" in verdict.answer, verdict.answer
    again = ask(asker_, conn_, "okafor's overall rating in fall 2023", "what about lee?")
    assert again.plan["kind"] == "average" and again.facts[0].value == 4.2, again.plan
