"""Questions that ask several things about one person or course at once: "realistic? how many hrs
and how tough is it", "summarise how my overall ratings have developed and what students say
about how clearly I explain things", "is CS7180 worth taking? does it build skills for a career".

The rules read one measure per question. Where the words ask more than one thing, the measure
read still leads, and the whole picture of the same sections follows it (every rating against the
department and university, the headline by term, hours per week, the class size): whatever else
was asked is among it. Of two people or courses, every measure is set side by side.
"""

from __future__ import annotations

import re

from rag.answer.answers import Evidence
from rag.answer.entities.scene import ASK_WORDS, OPENS_ASKING
from rag.answer.plans import Average, Comparison, Count, HoursPerWeek, Plan, Ranking, Trend
from rag.answer.second_measure import followed_by

_PARTS = re.compile(
    rf"\?+|;|[.!]\s+|\s[-–—]\s|,\s*(?={ASK_WORDS}\b)|\b(?:and|or|plus|also)\s+(?={ASK_WORDS}\b)"
    r"|\band\s+(?=on\s)",
    re.I,
)
"""Where one ask ends and another begins: a question mark, a dash, "and how", ", what"."""

_SUMMARY = re.compile(
    r"\bsummar(?:y|ies|i[sz]e)\b|\boverview\b|\btrajectory\b|\bquick\s+read\b"
    r"|\bhow\s+(?:did|has|have)\b[^?.!]{0,60}\b(?:go|gone|land|landed|develop\w*)\b"
    r"|\bworth\s+(?:it|taking)\b|\bstrengths?\s+and\s+weakness\w*|\bverdict\b",
    re.I,
)
"""Words that ask for a person's or course's picture, not one number ("summarise", "how did
my spring section land", "worth taking", "strengths and weaknesses": the highest and lowest rated
items beside what students say)."""

_MIN_WORDS = 2
"""An ask has at least this many words ("realistic?" alone is a remark, not an ask)."""


def asks_summary(question: str) -> bool:
    """Whether the question asks for a summary ("summarise", "worth taking", "how did … go")."""
    return _SUMMARY.search(question) is not None


def asks_several(question: str) -> bool:
    """Whether the question asks two things or more (parts that end in "?" or open as a
    question), or asks for a summary. A part that asks nothing ("advising a sophomore.") sets
    the scene and is no ask."""
    if asks_summary(question):
        return True
    marks = iter(m.group(0) for m in _PARTS.finditer(question))
    asks = 0
    for part in _PARTS.split(question):
        ended = next(marks, "")
        if len(part.split()) < _MIN_WORDS:
            continue
        if "?" in ended or part.rstrip().endswith("?") or OPENS_ASKING.search(part):
            asks += 1
    return asks >= 2


_TOP = r"(?:top|best|highest|most)"
_BOTTOM = r"(?:bottom|worst|lowest|least)"
_BOTH_ENDS = re.compile(
    rf"\b{_TOP}\b[^?.!;]{{0,40}}?\b(?:and|&|/|vs\.?|or|plus)\s+(?:the\s+)?{_BOTTOM}\b"
    rf"|\b{_BOTTOM}\b[^?.!;]{{0,40}}?\b(?:and|&|/|vs\.?|or|plus)\s+(?:the\s+)?{_TOP}\b"
    r"|\bdid\s+well\b[^?.!;]{0,40}?\b(?:didn[’']?t|did\s+(?:not|badly|poorly))",
    re.I,
)
"""A ranking asked from both ends: "top-rated and bottom-rated course", "best and worst"."""


def other_end(question: str, plan: Plan) -> Ranking | None:
    """The same ranking the other way round, where the question asks for both ends."""
    if not isinstance(plan, Ranking) or plan.by != "value" or not _BOTH_ENDS.search(question):
        return None
    return plan.model_copy(update={"order": "asc" if plan.order == "desc" else "desc"})


def one_scope(plan: Plan) -> bool:
    """A plan that measures or counts one set of sections (not a ranking or a comparison of
    two): "how many sections has he taught, and his overall average across them?"."""
    if isinstance(plan, Comparison):
        return plan.between == "dept_univ"
    return isinstance(plan, (Average, Trend, HoursPerWeek, Count))


def whole_too(first: Evidence, whole: Evidence) -> Evidence:
    """The first answer, then the whole picture's facts it does not already hold."""
    have = {(f.label, f.value) for f in first.facts}
    return followed_by(first, whole, [f for f in whole.facts if (f.label, f.value) not in have])
