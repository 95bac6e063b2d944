"""The rules that pick a plan from the wording: the intent, the measure, the defaults."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

from rag.answer.entities.model import Entities, Intent
from rag.answer.entities.reading import EVERYDAY
from rag.answer.plans import (
    FIGURE_WORDS,
    Average,
    Comparison,
    Count,
    Distribution,
    HoursPerWeek,
    Metric,
    Overview,
    Plan,
    Ranking,
    Scope,
    Trend,
    Unanswerable,
    metric_of,
    scope_of,
)
from rag.answer.vocabulary import (
    BIN_WORDS,
    FLIPPED,
    JUDGEMENT,
    LIKELY_TO,
    MODE,
    NEEDS_HELP,
    SMALL,
    WEAKEST_ITEM,
)

_COUNT = re.compile(
    r"\b(?:how\s+many|number\s+of|count(?:\s+of)?|total)\s+(?:\w+\s+){0,2}?"
    r"(sections?|classes|offerings|instructors?|professors?|profs|teachers?|lecturers|faculty|"
    r"comments?|courses)\b"
    r"(?!\s+(?:per|a|each)\s+week)",
    re.I,
)


_COUNT_TERMS = re.compile(
    r"\b(?:how\s+many|number\s+of)\s+(?:different\s+|distinct\s+|separate\s+)?(terms|semesters)"
    r"\b(?!\s+(?:per|a|each)\s+week)",
    re.I,
)
"""'in how many semesters was DS5110 evaluated': the terms with a report (not 'how many students
across terms', which counts students)."""


_HOURS_WORDS = re.compile(r"\bhours?\b", re.I)


_WHO_TAUGHT = re.compile(
    r"\bwho\s+(?:taught|teaches|teach|is\s+teaching|was\s+teaching|instructed|ran|was\s+the"
    r"\s+(?:instructor|professor|prof|teacher))\b"
    r"|\b(?:which|what)\s+(?:prof|profs|professors?|instructors?|teachers?|lecturers?)\s+"
    r"(?:had|taught|teaches|ran|was\s+teaching|did)\b(?!.*\b(?:highest|lowest|best|worst|top|"
    r"most|least|rat\w+|scores?|\w+est)\b)",
    re.I,
)


_TREND = re.compile(
    r"\b(trend|trends|trending|over\s+time|over\s+the\s+years|by\s+term|each\s+term|per\s+term|"
    r"term\s+(?:by|to)\s+term|by\s+semester|by\s+year|year\s+over\s+year|history|changed?|"
    r"evolved?|across\s+(?:the\s+)?(?:terms|semesters|years)|improv(?:e|ed|ing|ement)|"
    r"(?:get|gets|getting|got|gotten)\s+(?:better|worse)|gone\s+(?:up|down)|went\s+(?:up|down)|"
    r"moved)\b",
    re.I,
)


_CHANGE_VERB = (
    r"(?<!could\s)(?<!should\s)(?<!can\s)(?<!to\s)(?:improv(?:e|ed|es|ing)|"
    r"(?:declin(?:e|ed|es|ing)|dropped|fell|fallen|rose|risen|gained)\s+(?:the\s+)?most|"
    r"progressed|"
    r"(?:get|gets|getting|got|gotten|grew|grown|become|became)\s+(?:\w+\s+)?(?:better|worse)|"
    r"(?:gone|went|go(?:es)?)\s+(?:up|down))"
)


_CHANGE_RANK = re.compile(
    r"\b(?:which|who|whose|whom)\b(?:(?!\b(?:or|than)\b)[^?])*?\b" + _CHANGE_VERB + r"\b"
    r"|\b(?:most|least)[\s-]+improved\b"
    r"|\b(?:biggest|largest|greatest|sharpest|steepest|most|least)\s+(?:improvement|gain|rise|"
    r"drop|decline|fall|dip)s?\b",
    re.I,
)
"""'which instructors improved the most', 'who got better over the years', 'the most improved
course': a ranking by the change from the first term with data to the last."""


_CHANGE_DOWN = re.compile(r"\b(?:worse|declin\w*|drop\w*|fell|fallen|down|decreas\w*)\b", re.I)


_COMPARE = re.compile(
    r"\b(compare[sd]?|comparison|versus|vs\.?|relative\s+to|against|stack\s+up|differences?|"
    r"(?:more|less|higher|lower|better|worse|heavier|lighter|harder|easier)\s+than|"
    r"(?:better|worse|more|less|higher|lower|heavier|lighter|bigger|smaller|larger)\b(?=.*\bor\b)|"
    r"\bor\b(?=.*\b(?:better|worse|more|less|higher|lower|heavier)\b)|between\b(?=.*\band\b))\b",
    re.I,
)


_RANK = re.compile(
    r"\b(highest|lowest|best|worst|tops?|bottom|rank(?:ed|ing|s)?|most|(?<!at\s)least|leading|"
    r"fewest|poorest|"
    r"strongest|weakest|clearest|heaviest|lightest|hardest|easiest|largest|smallest|biggest|"
    r"fairest|greatest|toughest|\w{3,}iest)\b",
    re.I,
)


_WHICH_SHOULD = re.compile(
    r"\bwhich\s+(?:\w+\s+)?(?:course|class|professor|prof|instructor|teacher|section)\b.*"
    r"\b(?:should|would\s+you\s+recommend|to\s+take|is\s+worth)\b"
    r"|\b(?:any|some)\s+good\s+(?:professors|profs|instructors|teachers|courses|classes)\b"
    r"|\bwho(?:m)?\s+(?:should|would|do\s+you\s+think)\s+(?:i|we|you)\s+(?:take|pick|choose|"
    r"get|go\s+with)\b",
    re.I,
)
"""'which course should I take', 'any good professors in CS': a ranking by the headline."""


_WHICH_MORE = re.compile(
    r"\b(?:which|who|whose)\b.*\b(?:better|worse|higher|lower|heavier|lighter|harder|easier|"
    r"more|less|bigger|smaller)\b",
    re.I,
)


_AVERAGE = re.compile(r"\b(average|mean|avg|score|rating|rated|how\s+(?:did|does|was|is))\b", re.I)


ASCENDING = re.compile(
    r"\b(lowest|worst|poorest|bottom|(?<!at\s)least|weakest|lightest|easiest|smallest|fewest|lower|worse|"
    r"lighter|easier|smaller|less|avoid\w*|stay(?:ing)?\s+away|steer(?:ing)?\s+clear)\b",
    re.I,
)


_TWO_SECTIONS = re.compile(
    r"\b(?:two|2|both|the\s+two|several|multiple)\s+sections?\b"
    r"|\bsections?\s+(?:with|by|under)\s+different\s+(?:profs?|professors|instructors|teachers)\b"
    r"|\bsection\s+and\s+(?:\S+\s+){0,3}?section\b",
    re.I,
)
"""'there were two sections right?', 'the co-taught section and Haddad's solo section': the
course's sections that term, side by side."""


_AVOID = re.compile(r"\b(?:avoid\w*|stay(?:ing)?\s+away|steer(?:ing)?\s+clear)\b", re.I)


_LIMIT = re.compile(r"\b(?:top|bottom|best|worst)\s+(\d{1,2})\b|\b(\d{1,2})\s+(?:best|worst)", re.I)


_SMALL = re.compile(
    r"\b(?:includ\w*\s+(?:small|all|every)|even\s+small|small)\s+sections?\b"
    r"|\binclud\w*\s+(?:small|all|every)\b",
    re.I,
)


_PERSON_NOUN = re.compile(
    r"\b(?:instructors?|professors?|profs?|teachers?|faculty|lecturers?)\b", re.I
)


_ENTITY_NOUNS = {
    "term": r"terms?|semesters?|years?",
    "section": r"sections?",
    "instructor": r"instructors?|professors?|profs?|teachers?|faculty|lecturers?",
    "course": r"courses?|class(?:es)?|subjects?",
}
_WHICH_NOUN = re.compile(
    r"\b(?:which|what)\s+(?:(?P<one>one|of\s+(?:the|them|these|those))\b|"
    + "|".join(f"(?P<{k}>{v})\\b" for k, v in _ENTITY_NOUNS.items())
    + ")"
)
_AMONG = re.compile(
    r"\b(?:of|among|out\s+of)\s+(?:all\s+)?(?:the|these|those|our)?\s*(?:[a-z]{2,5}\s+)?(?:"
    + "|".join(f"(?P<{k}>{v})\\b" for k, v in _ENTITY_NOUNS.items())
    + ")"
)


def ranked_entity(question: str) -> Literal["instructor", "course", "section", "term"] | None:
    """What a ranking ranks, from its words; None when they name nothing (a follow-up). The noun
    after "which" decides ("which instructor had the best section"), and "which one" is one of
    the nouns it picks from ("of the courses with online sections, which one")."""
    q = _SMALL.sub(" ", SMALL.sub(" ", question.lower()))
    which = _WHICH_NOUN.search(q)
    if (which is None or which.group("one")) and re.search(r"\b(?:which|what)\b", q):
        which = _AMONG.search(q)  # "among CS courses, which had the best instructor rating"
    if which is not None and which.lastgroup in _ENTITY_NOUNS:
        return which.lastgroup  # type: ignore[return-value]
    if re.search(r"\b(?:which|what)\s+(?:terms?|semesters?|years?)\b", q):
        return "term"
    if re.search(r"\bsections?\b", q):
        return "section"
    if re.search(
        r"\b(instructors?|professors?|profs?|teachers?|faculty|lecturers?|who|whom|whose)\b", q
    ):
        return "instructor"
    if re.search(r"\b(courses?|class(?:es)?|subjects?)\b", q):
        return "course"
    return None


def _count_what(
    word: str,
) -> Literal["sections", "instructors", "courses", "terms", "responses", "comments"]:
    w = word.lower()
    if w.startswith(("term", "semester")):
        return "terms"
    if w.endswith("courses"):
        return "courses"
    if w.startswith(("instructor", "prof", "teacher", "lecturer", "faculty")):
        return "instructors"
    if w.startswith("comment"):
        return "comments"
    return "sections"


def detect_intent(question: str, entities: Entities) -> Intent | None:
    """The computation the wording asks for; None when it names none (a bare follow-up)."""
    question = MODE.sub(" ", question)  # "the most common answer" ranks nothing
    question = BIN_WORDS.sub(" ", question)  # nor does "the lowest hours bracket"
    if WEAKEST_ITEM.search(question) and not entities.names_measure():
        return None  # "which item is her weakest": the whole picture, every item's mean
    count = _COUNT.search(question) or _COUNT_TERMS.search(question)
    if count and not entities.figure:
        return Intent(kind="count", what=_count_what(count.group(1)))
    if _WHO_TAUGHT.search(question) and not entities.names_measure():
        return Intent(kind="count", what="instructors")
    likely = LIKELY_TO.search(question)
    if likely is not None and re.search(r"\b(?:which|who|whose)\b", question, re.I):
        # "whose students were least likely to agree ...": ranked by that question's mean
        low = likely.group(1).lower() in ("least", "less")
        order = "asc" if low != (likely.group(2).lower() == "disagree") else "desc"
        return Intent(kind="ranking", entity=ranked_entity(question) or "instructor", order=order)
    if entities.statistic == "distribution" or entities.options:
        return Intent(kind="distribution")
    ranked = _RANK.search(question) is not None or NEEDS_HELP.search(question) is not None
    people = {p.name for p in entities.instructors}  # one name may be two ids (two subjects)
    several = len(people) > 1 or len(entities.courses) > 1 or len(entities.sections) > 1
    change = _change_ranking(question, entities, several)
    if change is not None:
        return change
    two = _TWO_SECTIONS.search(question) is not None and bool(entities.courses)
    if two and not several and not entities.names_measure():
        return Intent(kind="comparison", entity="sections")  # each section side by side
    if entities.versus_dept and not ranked:
        if entities.evaluative and not entities.names_measure() and not several:
            return None  # "how am I doing compared with the department": the whole picture
        return Intent(kind="comparison", entity="dept_univ")
    if len(entities.terms) > 1 and not entities.aggregate:
        return Intent(kind="trend")
    if entities.breakdown == "term" or (_TREND.search(question) and not several):
        return Intent(kind="trend")
    if several and not entities.aggregate and not (ranked and not _COMPARE.search(question)):
        if len(people) > 1:
            between = "instructors"
        elif len(entities.courses) > 1:
            between = "courses"
        else:
            between = "sections"
        return Intent(kind="comparison", entity=between)
    previous = entities.intent
    flipped = previous is not None and previous.kind == "ranking" and FLIPPED.search(question)
    ranked = ranked or _WHICH_SHOULD.search(question) is not None or bool(flipped)
    by = entities.breakdown if entities.breakdown in ("section", "instructor", "course") else None
    if ranked or _WHICH_MORE.search(question) or by:
        entity: str | None = ranked_entity(question)
        loose = entity is None or (entity == "instructor" and not _PERSON_NOUN.search(question))
        if loose and previous is not None and previous.kind == "ranking":
            entity = previous.entity  # "who was at the bottom?" after a ranking of courses
        if by:
            entity = by
        low = bool(ASCENDING.search(question) or NEEDS_HELP.search(question))
        if flipped and previous is not None and not low and not _RANK.search(question):
            low = previous.order == "desc"  # "flip it": the other order
        return Intent(kind="ranking", entity=entity or "instructor", order="asc" if low else "desc")
    if _YES_NO.match(question) and not _AVERAGE.search(question) and _one_rating_asked(entities):
        return Intent(kind="comparison", entity="dept_univ")  # a yes or no needs a yardstick
    if _AVERAGE.search(question):
        return Intent(kind="average")
    if re.search(r"\bhow\s+many\s+hours\b", question, re.I):
        return Intent(kind="hours")
    return None


_YES_NO = re.compile(r"^\W*(?:[^:?]{1,60}:\s*)?(?:is|are|was|were|does|do|did)\b", re.I)
"""'is Núñez approachable outside of class?': asked yes or no (an introduction's name first)."""


def _one_rating_asked(entities: Entities) -> bool:
    """A rating question's mean of a named person or course, and nothing else asked of it: "is
    Núñez approachable outside of class?" is answered against the department and university."""
    ref = entities.metric
    if ref is None or ref.kind != "question" or not (entities.instructors or entities.courses):
        return False
    return not (entities.figure or entities.statistic or entities.options or entities.hours)


def _change_ranking(question: str, entities: Entities, several: bool) -> Intent | None:
    """Who (or which course) changed most, when the words ask which one and none is named."""
    if several or not _CHANGE_RANK.search(question):
        return None
    entity = ranked_entity(question) or "instructor"
    if entity == "instructor" and entities.instructors:
        return None  # "has Okafor improved?": her trend
    if entity == "course" and entities.courses:
        return None
    if entity not in ("instructor", "course"):
        return None
    down = _CHANGE_DOWN.search(question) is not None
    least = re.search(r"\b(?:least|smallest|fewest)\b", question, re.I) is not None
    order = "asc" if down != least else "desc"
    return Intent(kind="ranking", entity=entity, order=order, by="change")


class Defaults(BaseModel):
    """What the catalogue offers when the words name no metric: the headline rating question
    (the one about the overall rating) and the hours-per-week block."""

    headline: Metric | None = None
    hours: Metric | None = None


def _measure(entities: Entities, intent: Intent | None, defaults: Defaults) -> Metric | None:
    """What to compute, from the figure, statistic, hours and rating-question words read."""
    ref = entities.metric
    question = ref if ref is not None and ref.kind == "question" else None
    if entities.hours or (ref is not None and ref.kind == "hours"):
        if ref is not None and ref.kind == "hours":
            return metric_of(ref)
        return defaults.hours
    if entities.figure:
        if question is not None and entities.figure in ("responses", "respondents"):
            return Metric(kind="question", question_id=question.question_id, text=question.text,
                          statistic="responses")  # fmt: skip
        if question is not None and entities.figure == "response_rate":
            return Metric(kind="question", question_id=question.question_id, text=question.text,
                          statistic="response_rate")  # fmt: skip
        figure = entities.figure
        return Metric(kind="section", text=FIGURE_WORDS[figure], figure=figure)
    base = metric_of(question) if question is not None else None
    if (
        base is None
        and entities.statistic in ("responses", "response_rate")
        and not entities.options
    ):
        figure = entities.statistic  # "how many responded": the section's, not a question's
        return Metric(kind="section", text=FIGURE_WORDS[figure], figure=figure)
    if base is None and entities.metric_phrase and entities.leftover:
        return None  # words that name nothing the reports print
    if base is None and entities.metric_phrase and not entities.statistic:
        return None
    ranks = intent is not None and intent.kind in ("ranking", "comparison", "trend")
    if base is None and entities.challenge is not None and ranks:
        base = metric_of(entities.challenge)  # "the hardest course": ranked by challenge
    if base is None:
        overall = entities.overall_word and not entities.evaluative  # not "how is she overall"
        named = entities.statistic or entities.options or overall
        kinds = ("ranking", "trend", "comparison") + (() if entities.evaluative else ("average",))
        asks = intent is not None and intent.kind in kinds
        if not (named or asks or entities.versus_dept):
            return None
        base = defaults.headline
        if base is None:
            return None
    statistic = entities.statistic
    if statistic in ("median", "std_dev", "responses", "response_rate"):
        return base.model_copy(update={"statistic": statistic})
    return base


def plan_question(
    question: str,
    entities: Entities,
    defaults: Defaults | None = None,
    *,
    intent: Intent | None = None,
) -> Plan | Unanswerable:
    """Choose and fill a plan; Unanswerable says what is missing instead of guessing.
    `intent`: what to compute when it was read otherwise (by meaning), not from the rules."""
    defaults = defaults or Defaults()
    if entities.unknown_courses or entities.unknown_instructors:
        names = [f"course {c}" for c in entities.unknown_courses]
        names += [f"instructor {p}" for p in entities.unknown_instructors]
        return Unanswerable(reason=f"no reports for {', '.join(names)}")
    if entities.outside:
        return Unanswerable(reason="the reports hold TRACE evaluations only, not other sites")
    if entities.future:
        return Unanswerable(reason="the reports describe terms already taught, not future ones")
    if entities.unprinted:
        words = " ".join(entities.leftover)
        return Unanswerable(reason=f"evaluation reports print no {words}", searched=words)
    intent = intent or detect_intent(question, entities)
    inherited = entities.intent
    if intent is None and inherited is not None and inherited.kind == "count" and entities.metric:
        # "who taught it?" then "his overall number that semester?": the rating, not a count
        inherited = Intent(kind="average")
    intent = intent or inherited
    scope = scope_of(entities)
    if intent is not None and intent.kind == "count":
        return Count(what=intent.what or "sections", scope=scope)
    if intent is not None and intent.kind == "qualitative":
        intent = None
    m = _measure(entities, intent, defaults)
    if m is None:
        if entities.leftover or (entities.metric_phrase and entities.metric is None):
            if _verdict_asked(question, entities, intent) and about_someone(scope):
                # "hannah lee - good prof or one to avoid?": the whole picture, saying which
                # words were read as no rating
                return overview_of(entities, scope, defaults, unread=_unread(entities))
            phrase = entities.metric_phrase or " ".join(entities.leftover)
            unknown = " ".join(entities.leftover)
            note = f" ({unknown!r} is in none)" if unknown and unknown != phrase else ""
            return Unanswerable(
                reason=f"no rating question in the reports matches {phrase!r}{note}",
                searched=f"the reports' rating questions for {phrase!r} in {scope.describe()}",
            )
        if entities.evaluative and defaults.headline is not None and about_someone(scope):
            # "is EECE2322 hard?": the challenge rating leads, the other ratings follow
            return overview_of(entities, scope, defaults)
        if intent is None and not _HOURS_WORDS.search(question):
            return Unanswerable(reason="the question names no rating, count or hours to compute")
        return Unanswerable(reason="the question names no rating to compute")
    whole = entities.versus_dept and entities.evaluative and not entities.names_measure()
    if intent is None and whole and defaults.headline is not None and about_someone(scope):
        # "how am I doing compared with the department?": the whole picture, which sets the
        # headline (and the best and worst items) against the department
        return overview_of(entities, scope, defaults)
    if entities.leftover and entities.metric is None and m.kind == "section":
        words = " ".join(entities.leftover)
        return Unanswerable(
            reason=f"nothing the reports print matches {words!r}",
            searched=f"the reports for {words!r} in {scope.describe()}",
        )
    kind = intent.kind if intent is not None else "average"
    if m.statistic == "std_dev":
        kind = "average" if kind not in ("trend", "ranking") else kind
    if entities.options or entities.statistic == "distribution":
        kind = "distribution"
    if m.kind == "hours" and kind in ("average", "hours", "distribution"):
        return HoursPerWeek(prompt=m.text, scope=scope, focus=entities.hours_focus)
    if (
        m.kind == "hours"
        and kind == "comparison"
        and (intent is None or intent.entity == "dept_univ")
    ):
        return Unanswerable(reason="the reports print no department figures for hours")
    if kind == "ranking":
        limit = _LIMIT.search(question)
        order = intent.order if intent and intent.order else "desc"
        if m.kind == "hours" and _AVOID.search(question):  # "avoid for a light semester"
            order = "desc"  # the heaviest are the ones to avoid
        return Ranking(
            entity=(intent.entity if intent and intent.entity else "instructor"),
            metric=m,
            scope=scope,
            order=order,
            limit=int(next(g for g in limit.groups() if g)) if limit else 5,
            include_small=bool(_SMALL.search(question)) and not entities.small_excluded,
            by="change" if intent is not None and intent.by == "change" else "value",
        )
    if kind == "comparison":
        between = intent.entity if intent and intent.entity else "dept_univ"
        if between == "dept_univ" and m.kind == "section":
            return Unanswerable(reason=f"the reports print no department figure for {m.label}")
        named = entities.names_measure() and not (entities.overall_word and not entities.metric)
        whole = between != "dept_univ" and m == defaults.headline and not named
        return Comparison(metric=m, scope=scope, between=between, whole=whole)
    if kind == "trend":
        return Trend(metric=m, scope=scope)
    if kind == "distribution":
        if m.kind != "question":
            return Average(metric=m, scope=scope)
        base = m.model_copy(update={"statistic": "mean"})
        return Distribution(metric=base, scope=scope, options=list(entities.options))
    return Average(metric=m, scope=scope)


def about_someone(scope: Scope) -> bool:
    return bool(scope.courses or scope.subjects or scope.instructor_ids)


def overview_of(
    entities: Entities, scope: Scope, defaults: Defaults, *, unread: list[str] | None = None
) -> Overview | Comparison | Unanswerable:
    """The whole picture of a person or course; the challenge rating leads when asked how hard.
    Of two people or courses ("nunez or kowalczyk? honest take"), both side by side."""
    if defaults.headline is None:
        return Unanswerable(reason="the reports hold no overall rating question")
    challenge = metric_of(entities.challenge) if entities.challenge else None
    headline = challenge or defaults.headline
    people = set(scope.instructor_names)
    if len(people) > 1 or len(scope.courses) > 1:
        between: Literal["instructors", "courses"] = "instructors" if len(people) > 1 else "courses"
        return Comparison(metric=headline, scope=scope, between=between, whole=True)
    return Overview(scope=scope, headline=headline, unread=unread or [])


def _verdict_asked(question: str, entities: Entities, intent: Intent | None) -> bool:
    """An opinion of a person or course as a whole, in words no rating question holds ("avoid",
    "honest take", "destroys people"): no measure, count or ranking asked, and none of the
    words left over is a fact the reports lack ("tenured", "textbook", "salary")."""
    if entities.figure or entities.statistic or entities.options or entities.hours:
        return False
    if entities.unprinted or entities.future or entities.outside:
        return False
    if intent is not None and intent.kind not in ("average", "comparison"):
        return False  # "okafor or lee? honest take": the two compared as wholes (overview_of)
    unread = {w.lower() for phrase in entities.leftover for w in phrase.split()}
    if unread & EVERYDAY:
        return False
    return JUDGEMENT.search(question) is not None


def _unread(entities: Entities) -> list[str]:
    if entities.leftover:
        return list(entities.leftover)
    return [entities.metric_phrase] if entities.metric_phrase else []


def intent_of(plan: Plan) -> Intent:
    """What a follow-up without intent words should compute again."""
    if isinstance(plan, Ranking):
        by = "change" if plan.by == "change" else None
        return Intent(kind="ranking", entity=plan.entity, order=plan.order, by=by)
    if isinstance(plan, Count):
        return Intent(kind="count", what=plan.what)
    if isinstance(plan, Comparison):
        return Intent(kind="comparison", entity=plan.between)
    if isinstance(plan, (HoursPerWeek, Overview)):
        return Intent(kind="average")
    return Intent(kind=plan.kind)


def defaults_of(questions: list[tuple[int, str]], prompts: list[str]) -> Defaults:
    """The headline question is the one whose text speaks of an overall rating (else of
    overall effectiveness); the hours block is the frequency prompt that speaks of hours."""
    headline = None
    for words in (("overall", "rating"), ("overall",), ("effectiveness",)):
        found = [(i, t) for i, t in questions if all(w in t.lower() for w in words)]
        if found:
            headline = Metric(kind="question", question_id=found[0][0], text=found[0][1])
            break
    hours = next((p for p in prompts if "hour" in p.lower()), prompts[0] if prompts else None)
    return Defaults(headline=headline, hours=Metric(kind="hours", text=hours) if hours else None)
