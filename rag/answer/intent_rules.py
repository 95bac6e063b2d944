"""What computation the wording asks for (detect_intent): a count, a ranking and what it ranks,
a trend, a comparison, an average; read by word rules from the spelling-corrected question
(rag.answer.planning then picks the measure and fills the plan)."""

from __future__ import annotations

import re
from typing import Literal

from rag.answer.entities.model import Entities, Intent
from rag.answer.vocabulary import (
    BIN_WORDS,
    FLIPPED,
    LIKELY_TO,
    MODE,
    NEEDS_HELP,
    SMALL,
    WEAKEST_ITEM,
)

_COUNT = re.compile(
    r"\b(?:how\s+many|number\s+of|count(?:\s+of)?|total)\s+(?:\w+\s+){0,2}?"
    r"(sections?|classes|offerings|instructors?|professors?|profs|teachers?|lecturers|faculty|"
    r"comments?|courses|reports)\b"
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


_WHO_TAUGHT = re.compile(
    r"\bwho\s+(?:taught|teaches|teach|is\s+teaching|was\s+teaching|instructed|ran|was\s+the"
    r"\s+(?:instructor|professor|prof|teacher))\b"
    r"|\b(?:which|what)\s+(?:prof|profs|professors?|instructors?|teachers?|lecturers?)\s+"
    r"(?:had|taught|teaches|ran|was\s+teaching|did)\b(?!.*\b(?:highest|lowest|best|worst|top|"
    r"most|least|rat\w+|scores?|\w+est|well|badly|poorly)\b)",
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
    r"(?:declin(?:e|ed|es|ing)|dropped|fell|fallen|rose|risen|gained|slipped|sank|sunk)\s+(?:the\s+)?most|"
    r"progressed|"
    r"(?:get|gets|getting|got|gotten|grew|grown|become|became)\s+(?:\w+\s+)?(?:better|worse)|"
    r"(?:gone|went|go(?:es)?)\s+(?:up|down|downhill|uphill)(?:\s+(?:the\s+)?most)?)"
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


_CHANGE_DOWN = re.compile(
    r"\b(?:worse|declin\w*|drop\w*|fell|fallen|down|downhill|decreas\w*|slipped|sank|sunk)\b", re.I
)


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
    r"fairest|greatest|toughest|trail(?:ed|s|ing)|(?!earliest\b)\w{3,}iest)\b",
    re.I,
)


_WHICH_SHOULD = re.compile(
    r"\bwhich\s+(?:\w+\s+)?(?:course|class|professor|prof|instructor|teacher|section)\b.*"
    r"\b(?:should|would\s+you\s+recommend|to\s+take|is\s+worth)\b"
    r"|\b(?:any|some)\s+good\s+(?:professors|profs|instructors|teachers|courses|classes)\b"
    r"|\bwho(?:m)?\s+(?:should|would|do\s+you\s+think)\s+(?:i|we|you)\s+(?:take|pick|choose|"
    r"get|go\s+with)\b"
    r"|\bwhich\s+(?:\w+\s+)?(?:courses?|class(?:es)?|professors?|profs?|instructors?|teachers?|"
    r"sections?)\s+(?:did|do|does|went|were\s+doing|are\s+doing)\s+(?:well|best|great|badly|poorly)\b",
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
    r"lighter|easier|smaller|less|avoid\w*|stay(?:ing)?\s+away|steer(?:ing)?\s+clear|badly|poorly|trail(?:ed|s|ing))\b",
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


SMALL_SECTIONS = re.compile(
    r"\b(?:includ\w*\s+(?:small|all|every)|even\s+small|small)\s+sections?\b"
    r"|\binclud\w*\s+(?:small|all|every)\b",
    re.I,
)


_WHICH_OR_WHO = re.compile(r"\b(?:which|who|whose)\b", re.I)


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
    r"\b(?:of|among|out\s+of)\s+(?:all\s+)?(?:the|these|those|our)?\s*"
    r"(?:(?:[a-z]{2,6}|\d{4})\s+){0,2}(?:"  # "among the fall 2022 courses"
    + "|".join(f"(?P<{k}>{v})\\b" for k, v in _ENTITY_NOUNS.items())
    + ")"
)


_POOLED_SECTIONS = re.compile(
    r"\b(?:all|both)\s+(?:of\s+)?(?:(?:their|the|his|her|its)\s+)?sections?\b"
    r"|\bpool\w*\s+(?:\w+\s+){0,3}?sections?\b"
)
"""Sections pooled ("when you pool all their sections"): what is ranked is someone else."""


def ranked_entity(question: str) -> Literal["instructor", "course", "section", "term"] | None:
    """What a ranking ranks, from its words; None when they name nothing (a follow-up). The noun
    after "which" decides ("which instructor had the best section"), and "which one" is one of
    the nouns it picks from ("of the courses with online sections, which one")."""
    q = SMALL_SECTIONS.sub(" ", SMALL.sub(" ", question.lower()))
    which = _WHICH_NOUN.search(q)
    if (which is None or which.group("one")) and re.search(r"\b(?:which|what|whose)\b", q):
        which = _AMONG.search(q)  # "among CS courses, which had the best instructor rating"
    if which is not None and which.lastgroup in _ENTITY_NOUNS:
        return which.lastgroup  # type: ignore[return-value]
    if re.search(r"\b(?:which|what)\s+(?:terms?|semesters?|years?)\b", q):
        return "term"
    if re.search(r"\bsections?\b", _POOLED_SECTIONS.sub(" ", q)):
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


_MOST_RECENT = re.compile(r"\b(?:the\s+)?most\s+recent(?:ly)?\b", re.I)


def detect_intent(question: str, entities: Entities) -> Intent | None:
    """The computation the wording asks for; None when it names none (a bare follow-up)."""
    question = MODE.sub(" ", question)  # "the most common answer" ranks nothing
    question = _MOST_RECENT.sub(" ", question)  # nor does "the most recent fall"
    question = BIN_WORDS.sub(" ", question)  # nor does "the lowest hours bracket"
    if WEAKEST_ITEM.search(question) and not entities.names_measure():
        return None  # "which item is her weakest": the whole picture, every item's mean
    count = _COUNT.search(question) or _COUNT_TERMS.search(question)
    if count and not entities.figure:
        return Intent(kind="count", what=_count_what(count.group(1)))
    if _WHO_TAUGHT.search(question) and not entities.names_measure():
        return Intent(kind="count", what="instructors")
    likely = LIKELY_TO.search(question)
    if likely is not None and _WHICH_OR_WHO.search(question):
        # "whose students were least likely to agree ...": ranked by that question's mean
        low = likely.group(1).lower() in ("least", "less")
        order = "asc" if low != (likely.group(2).lower() == "disagree") else "desc"
        return Intent(kind="ranking", entity=ranked_entity(question) or "instructor", order=order)
    if entities.statistic == "distribution" or entities.options:
        return Intent(kind="distribution")
    needs_help = NEEDS_HELP.search(question) is not None and _WHICH_OR_WHO.search(question)
    ranked = _RANK.search(question) is not None or bool(needs_help)
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
        low = bool(ASCENDING.search(question) or needs_help)
        ranks_anew = _RANK.search(FLIPPED.sub(" ", question))  # not "flip that ranking"
        if flipped and previous is not None and not low and not ranks_anew:
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
    if not entities.measure_named:  # "is Dubois a good teacher?" after a ranking: the whole picture
        return False
    return not (entities.figure or entities.statistic or entities.options or entities.hours)


def _change_ranking(question: str, entities: Entities, several: bool) -> Intent | None:
    """Who (or which course) changed most, when the words ask which one and none is named."""
    if several or not _CHANGE_RANK.search(question):
        return None
    entity = ranked_entity(question) or "instructor"
    # "which of Okafor's ... improved": her trend; a person or course only carried from the last
    # turn is not named ("how has Okafor changed?" then "which instructor improved the most?")
    if entity == "instructor" and entities.instructors and "instructors" not in entities.carried:
        return None
    if entity == "course" and entities.courses and "courses" not in entities.carried:
        return None
    if entity not in ("instructor", "course"):
        return None
    down = _CHANGE_DOWN.search(question) is not None
    least = re.search(r"\b(?:least|smallest|fewest)\b", question, re.I) is not None
    order = "asc" if down != least else "desc"
    return Intent(kind="ranking", entity=entity, order=order, by="change")
