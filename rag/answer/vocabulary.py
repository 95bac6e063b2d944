"""The words people use for what a report prints, and for scope that is not a metric.

A report prints, per section, the enrollment, the responses (with declines), the declines and
(per question) the responses, response rate, mean, median, standard deviation, distribution and
the department and university means and medians, and the hours-per-week bins. These patterns
name each of them in ordinary English ("class size", "took the survey", "how many 5s"), and the
phrases that set scope or a comparison ("across all terms", "each term", "vs the department"),
so that those words never reach the rating-question matcher as if they named a metric. The
readers that apply them are rag.answer.entities.reading."""

from __future__ import annotations

import re
from typing import Literal

Figure = Literal["enrollment", "responses", "respondents", "declines", "response_rate"]


Statistic = Literal["mean", "median", "std_dev", "responses", "response_rate", "distribution"]


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


_PEOPLE = r"(?:students?|people|ppl|kids|folks|learners|undergrads|grads|persons?|cohorts?)"


_SURVEY_NOUN = r"(?:survey|surveys|evals?|evaluations?|trace(?:\s+(?:survey|eval\w*))?|form)"
_SURVEY = r"(?:" + _SURVEY_NOUN + r"|it)"


FIGURES: tuple[tuple[Figure, re.Pattern[str]], ...] = (
    (
        "respondents",
        _re(r"\b(?:responses?|respondents?|answers?)\s+(?:excluding|without|not\s+counting|"
            r"minus|excl\.?|net\s+of)\s+(?:the\s+)?declines?\b"),
    ),
    (
        "responses",
        _re(r"\b(?:responses?|respondents?)\b[^.?!]{0,40}?\b(?:including|incl\.?|with|counting)"
            r"\s+(?:the\s+)?declines?\b"),
    ),
    (
        "respondents",
        _re(r"\b(?:responses?|respondents?|answers?|responded|answered)\b[^.?!]{0,40}?"
            r"\b(?:excluding|without|not\s+counting|minus|excl\.?|net\s+of)\s+(?:the\s+)?"
            r"declines?\b"),
    ),
    (
        "respondents",
        _re(r"\bdeclines?\s+(?:not\s+counted|excluded|left\s+out|removed|taken\s+out)\b"),
    ),
    (
        "responses",
        _re(r"\bdeclines?\s+(?:included|counted|too|as\s+well)\b"),
    ),
    (
        "declines",
        _re(r"\b(?:(?<!biggest\s)(?<!largest\s)(?<!greatest\s)(?<!sharpest\s)(?<!steepest\s)"
            r"(?<!most\s)(?<!a\s)declin(?:e|es|ed|ing)"
            r"(?!\s+(?:in|on|of)\s+(?:the\s+|their\s+|its\s+)?(?:\w+\s+){0,3}?"
            r"(?:ratings?|scores?|means?|averages?)\b)|opt(?:ed|s)?\s+out|refus(?:e|ed|es|ing|als?)|"
            r"(?:said|say|saying)\s+no|"
            r"chose\s+not\s+to\s+(?:respond|answer|take\s+(?:the\s+)?" + _SURVEY + r"))\b"
            r"(?:\s+(?:to\s+(?:take|fill\s+out|complete|respond|answer))?\s*(?:of\s+)?"
            r"(?:the\s+)?" + _SURVEY + r"\b)?"),
    ),
    (
        "response_rate",
        _re(r"\b(?:response|resp\.?|participation|completion|return)\s+rates?\b"
            r"|\b(?:percentage|percent|proportion)[\s-]*wise\b"
            r"|\bas\s+an?\s+(?:rate|percentage|percent|proportion|share|fraction)\b"
            r"|\b(?:what|which)\s+(?:%|percent(?:age)?|fraction|share|proportion)\s+(?:of\s+(?:them|"
            r"those|students)\s+)?(?:returned|responded|answered|completed|filled\s+(?:out|in)|"
            r"submitted|did|took)\b"
            r"|\bparticipation\s+(?:in|on|for)\s+(?:the\s+)?" + _SURVEY + r"\b"
            r"|\b(?:" + _SURVEY_NOUN + r"\s+)?(?:participation|turn\s*-?\s*out)\b"
            r"(?!\s+(?:in|at|during)\s+(?:the\s+)?(?:class|lectures?|discussions?|labs?)\b)"
            r"|(?:\b(?:percent(?:age)?|fraction|share|proportion|part|half|third|quarter)|%)\s+of\s+"
            r"(?:the\s+)?(?:(?:my|our|his|her|their)\s+)?(?:\w+\s+){0,2}?(?:" + _PEOPLE
            + r"|class|enrolled|enrollment|enrolment|headcount|them|those)\b(?:\s+\w+){0,4}?\s+"
            r"(?:responded|respond|filled\s+(?:out|in)|fill\s+(?:out|in)|answered|answer|"
            r"completed|took|did|submitted|sent\s+(?:back|in))\b"
            r"|\b(?:what|which)\s+(?:%|percent(?:age)?|fraction|share|proportion|part)\s+of\s+"
            r"(?:the\s+)?(?:class|enrolled|enrollment)\s+(?:is|was)\s+(?:that|this|it)\b"
            r"(?:\s+(?:the\s+)?" + _SURVEY + r"\b)?"
            # a likelihood is a rate: "whose students were most likely to fill out the survey"
            r"|\b(?:(?:most|least|more|less)\s+likely|likeliest)\s+to\s+(?:fill\s+(?:it\s+)?"
            r"(?:out|in)|respond|answer|complete|take|do|bother\s+with)\b"
            r"(?:\s+(?:the\s+|it|them)?\s*(?:" + _SURVEY + r")?\b)?"),
    ),
    (
        "enrollment",
        _re(r"\b(?:invited|eligible|asked(?!\s+(?:me|us|him|her|them|you)\b))\b(?:\s+(?:to\s+(?:fill\s+out|take|complete)|for)\s+"
            r"(?:the\s+)?" + _SURVEY + r"\b)?"),
    ),
    (
        "responses",
        _re(r"\b" + _SURVEY + r"\s+(?:came\s+back|were\s+(?:completed|submitted|returned|"
            r"filled\s+(?:out|in))|completed|submitted|returned)\b"
            r"|\b(?:came|come)\s+(?:back|in)\b|\breplies\b|\breplied\b"
            r"|\bparticipated\s+in\s+(?:the\s+)?" + _SURVEY + r"\b"
            r"|\b(?:number\s+of\s+|#\s*(?:of\s+)?)?(?:survey\s+|trace\s+)?(?:responses|respondents)\b"
            r"|\b(?:response|respondent)\s+(?:count|number|total)s?\b"
            r"|\bresponded\b(?:\s+to\s+(?:the\s+)?" + _SURVEY + r"\b)?"
            r"|\b(?:filled|fill)\s+(?:out|in)\b(?:\s+(?:the\s+)?" + _SURVEY + r"\b)?"
            r"|\b(?:took|take|taken|completed|complete|submitted|returned|answered)\s+(?:the\s+|an?\s+)?"
            + _SURVEY + r"\b|\b(?:did|doing)\s+(?:the\s+)?" + _SURVEY_NOUN + r"\b"
            r"|\bhow\s+many\s+(?:" + _PEOPLE + r"\s+)?(?:answered|responded)\b"
            r"|\bhow\s+many\s+(?:" + _SURVEY + r"|responses)\b(?:\s+(?:were|was|got|did|have"
            r"|had)?\s*(?:completed|submitted|returned|filled\s+(?:out|in)|c[ao]me\s+back|done)\b)?"),
    ),
    (
        "enrollment",
        _re(r"\benrol+(?:ment|ments|led|ed)?\b|\bclass\s+size\b|\bsize\s+of\b"
            r"|\bhow\s+(?:big|large)\b(?!\s+(?:of\s+)?(?:a|an|the|that|this)\s+(?:jump|change|"
            r"difference|gap|drop|increase|improvement|rise|fall|decline|deal|problem)\b)"
            r"|\bhead\s*-?\s*count\b"
            r"|\b(?:regist(?:ered|er|ration)|sign(?:ed)?\s+up|sign-?ups?)\b"
            r"|\bhow\s+many\s+" + _PEOPLE + r"\s+(?:were|are|was)\s+(?:there\s+)?in\b"
            r"(?![^?.!]{0,25}?\b(?:bracket|bin|band|bucket)s?\b)"  # an hours bin's count
            r"|\bhow\s+many\s+" + _PEOPLE + r"\b(?=.*\b(?:have|had|taught|teach)\b)"),
    ),
)  # fmt: skip
"""Most specific first: "how many of the responses were declines" asks for declines."""


STUDENTS_ONLY = _re(
    r"\b(?:how\s+many|(?:total\s+)?number\s+of|#\s*(?:of)?|total|most|fewest|least|more|"
    r"fewer)\s+" + _PEOPLE + r"\b|\b" + _PEOPLE + r"\s+(?:in\s+)?total\b"
)
"""'How many students in CS5800 in Fall 2023?' with no verb: the students in the class."""


QUESTION_WORD = _re(r"\b(?:question|item|statement|prompt)\b")


STATISTICS: tuple[tuple[Statistic, re.Pattern[str]], ...] = (
    ("std_dev", _re(r"\b(?:std\.?\s*dev\.?|standard\s+deviations?|stdev|st\.?\s*dev|variance|"
                    r"sd)\b")),
    ("distribution", _re(r"\b(?:distributions?|breakdown|histogram|spread|split)\b"
                         r"(?!\s+(?:(?:it|that|this|them)\s+)?(?:up\s+)?(?:by|per)\b)"
                         r"(?:\s+of\s+(?:the\s+)?(?:answers|responses|ratings|scores))?"
                         r"|\bhow\s+many\s+(?:[1-5]s\b[\s,]*)+(?:etc\.?)?"
                         r"|\b(?:per|by|for\s+each|each)\s+(?:answer\s+)?(?:option|choice)s?\b"
                         r"|\b(?:across|over|among)\s+the\s+(?:answer\s+)?(?:options|choices)\b")),
    ("median", _re(r"\bmedians?\b")),
    ("responses", _re(r"\bthe\s+n\b|\bn\s+(?:for|of)\b|\bsample\s+size\b"
                      r"|\bwhat\s+n\b(?:\s+(?:sits?|lies|is|was)\s+(?:behind|under)\b)?"
                      r"|\bhow\s+many\s+(?:\w+\s+)?(?:is|was|are|were)\s+(?:that|this|it)\s+"
                      r"(?:based\s+on|from|out\s+of)\b"
                      r"|\bhow\s+many\s+(?:responses|students|people|answers|ratings)\s+(?:does|do|did|"
                      r"is|was)\s+(?:that|this|it)\s+(?:rest|rely|based|built|come|draw)\w*(?:\s+on)?"
                      r"|\bhow\s+many\s+(?:ratings|answers|responses|votes)\s+(?:on|to|for)\b"
                      r"|\bhow\s+many\s+(?:ratings|answers|responses|votes)\s+(?:did|does|has|had)"
                      r"\b(?=[^?.!]{0,60}?\b(?:question|item|statement|prompt)\s+"
                      r"(?:collect|get|got|receive|gather|draw|attract)\w*\b)"
                      r"|\bhow\s+many\s+(?:" + _PEOPLE + r"\s+)?(?:actually\s+|really\s+|even\s+)?"
                      r"(?:answered|responded\s+to|rated)\b"
                      r"(?!\s+(?:to\s+)?(?:the\s+)?(?:survey|surveys|evals?|evaluations?|trace|"
                      r"form|it|them|the\s+(?:course|class)\b))")),
    ("mean", _re(r"\b(?:mean|average|avg)\b")),
)  # fmt: skip


AGREEMENT = ("Strongly Agree", "Agree", "Neutral", "Disagree", "Strongly Disagree")


EFFECTIVENESS = (
    "Almost Always Effective",
    "Usually Effective",
    "Sometimes Effective",
    "Rarely Effective",
    "Never Effective",
)
"""The printed scales, option 5 first: effectiveness for the overall-effectiveness question."""


_OPTION_FORMS = {
    5: r"strongly\s+agree(?:d|s)?|almost\s+always\s+effective",
    4: r"agree(?:d|s)?|usually\s+effective",
    3: r"neutral|neither\s+agree\s+nor\s+disagree|sometimes\s+effective",
    2: r"disagree(?:d|s)?|rarely\s+effective",
    1: r"strongly\s+disagree(?:d|s)?|never\s+effective",
}


OPTION = _re(r"\b(?:" + "|".join(f"(?P<o{k}>{_OPTION_FORMS[k]})" for k in (1, 5, 3, 2, 4)) + r")\b")


RATED_N = _re(
    r"\b(?:rated|rating|gave|give|gives|giving|chose|picked|scored|selected|answered|marked)\s+"
    r"(?:\w+\s+){0,3}?(?:(?:it|them|a|an)\s+)?"
    r"[1-5]s?(?:\s*(?:or|and|,|/|&)\s*(?:a\s+)?[1-5]s?)*\b"
)
"""'rated it a 5', 'gave the overall 4 or 5': scale points chosen."""


OUT_OF_FIVE = _re(
    r"\b(?:out\s+of|on\s+a\s+scale\s+of(?:\s+(?:1|one)\s*(?:-|–|to))?)\s*(?:5|five)\b"
    r"|\bon\s+a\s+(?:1\s*(?:-|–|to)\s*5|five[- ]point|5[- ]point)\s+scale\b"
    r"|(?<![\d.])/\s*5\b"
)
"""'rating out of 5', 'on a 1-5 scale': the scale the number is on, not a point chosen."""


OPTION_COUNTS = _re(
    r"\bhow\s+many\s+([1-5])'?s(?:\s*(?:and|or|&|\+|,|/)\s*([1-5])'?s)?\b"
    r"(?![\s,]*(?:(?:and\s+)?[1-5]'?s\b|etc))"
)
"""'how many 4s and 5s': those scale points (not 'how many 5s 4s 3s etc', every one)."""


OR_BEYOND = _re(
    r"\b(?:or|and)\s+(?:(?P<below>below|lower|worse|less|under)|(?P<above>above|higher|better|"
    r"more|over))\b"
)
"""'neutral or below', 'agree or above': the options named and every one past them."""


RATED_TOP = _re(
    r"\b(?:rated|gave|give|gives|giving|chose|picked|selected|marked)\s+(?:\w+\s+){0,3}?"
    r"(?:the\s+)?(?:(?P<top>top|highest|best|max(?:imum)?)|(?P<bottom>lowest|bottom|worst|"
    r"min(?:imum)?))(?:\s+possible)?(?=\s+(?:\w+\s+)?(?:rating|score|mark|option|answer|box)s?\b)"
)
"""'what share gave her the top effectiveness rating': the scale's end chosen (5 or 1), the
words after it still naming the question."""


def scale_of(question_text: str) -> tuple[str, ...]:
    """The option names a question prints, 5 first."""
    return EFFECTIVENESS if "effective" in question_text.lower() else AGREEMENT


WORKLOAD = _re(
    r"\b(?:a\s+)?(?:lot|lots|ton|tons|bunch)\s+of\s+(?:home\s*)?work\b|\bbusy\s*-?\s*work\b"
    r"|\b(?:much|more|less|little)\s+(?:home\s*)?work\b|\bwork\s*-?\s*heavy\b"
)
""""is CS5800 a lot of work", "how much work is EECE2322", "busywork": the workload, which the
hours-per-week block prints (and workload comments say where it is not printed)."""


HOURS = _re(
    r"\b(?:hours?|hrs?)(?:\s*(?:-|per|a|/|each)\s*(?:week|wk))?\b|\bper\s+(?:week|wk)\b"
    r"|\ba\s+week\b|\bweekly\b"
    r"|\btime\s+(?:sink|commitment|investment|spent|needed)\b|\bhomework\s+time\b"
    r"|\bhow\s+much\s+(?:\w+\s+)?(?:time|work|homework)\b|\boutside\s+work\b"
    r"|\bout[\s-]+of[\s-]+class\s+(?:work|time|hours?|load)\b"
    r"|\b(?:time|work|hours?)\b(?:\s+[a-z]+){0,3}?\s+outside\s+(?:of\s+)?(?:the\s+)?"
    r"(?:class|lectures?)\b"
    r"|\bhow\s+long\b|\bstudy(?:ing)?\s+(?:time|hours)\b|\bstudying\b|\btime[\s-]*(?:consuming|intensive)\b"
    r"|\b(?:heaviest|lightest|heavier|lighter)\b(?:\s+(?:work\s*load|course\s*load))?"
    r"|\b(?:easier|lighter|harder|heavier|easy|light|hard|heavy)\s+on\s+(?:my\s+|your\s+|the\s+)?"
    r"(?:time|schedule)\b"
    r"|\b(?:light|lighter|easy|easier|heavy|heavier|chill|manageable)\s+(?:semester|term|"
    r"schedule|course\s*load|quarter)\b"
    r"|\bwork\s*loads?\b|" + WORKLOAD.pattern
)
"""Time outside class: the frequency block that prints hours-per-week bins."""


HOURS_NUMBERS = _re(
    r"\b\d{1,2}\s*(?:\+|-|–|to)\s*(?:\d{1,2})?\s*(?=hours?|h\b|a\s+week)"
    r"|\b(?:more|less|fewer)\s+than\s+\d{1,2}\b|\b\d{1,2}\s*\+|\b\d{1,2}-\d{1,2}\b"
)


_BIN = _re(r"\b(\d{1,2})\s*(?:-|–|to)\s*(\d{1,2})\s*(?:hours?|hrs?|h)\b")


BIN_WORDS = _re(
    r"\b(?:lowest|highest|bottom|top|smallest|largest|first|last)\s+(?:hours?\s+)?"
    r"(?:bracket|bin|band|range|category|bucket|group)s?\b"
)
"""'the lowest hours bracket (1-4 hrs)': which bin, not a ranking."""


_AT_LEAST = _re(r"\b(?:at\s+least\s+)?(\d{1,2})\s*(?:\+|or\s+more)|\bat\s+least\s+(\d{1,2})\b")


_MORE_THAN = _re(r"\b(?:more\s+than|over)\s+(\d{1,2})\b")


_PRINTED_BIN = _re(
    r"\b(1\s*(?:-|–|to)\s*4|5\s*(?:-|–|to)\s*8|9\s*(?:-|–|to)\s*12|"
    r"13\s*(?:-|–|to)\s*16|17\s*(?:-|–|to)\s*20)\b"
)
"""A printed hours bin named without "hours" ("the top bracket, 17 to 20")."""


def hours_focus(question: str) -> str | None:
    """The bin ("17-20") or threshold ("13+") an hours question names, to answer first."""
    if m := _BIN.search(question) or _PRINTED_BIN.search(question):
        low, high = re.findall(r"\d+", m.group(0))[:2]
        return f"{int(low)}-{int(high)}"
    if m := _MORE_THAN.search(question):
        return f"{int(m.group(1)) + 1}+"
    if m := _AT_LEAST.search(question):
        return f"{int(m.group(1) or m.group(2))}+"
    return None


AGGREGATE = _re(
    r"\b(?:across|over|for|in)\s+(?:all\s+(?:(?:the|its|of\s+(?:the|his|her|its|their))\s+)?"
    r"(?:terms?|semesters?|sems?|years?|sections?|courses?|classes|offerings|time|reports)|"
    r"(?:every|each)\s+(?:term|semester|section)\s+combined|everything|the\s+data)\b"
    r"|\b(?:every|each|all)\s+(?:term|semester|section)s?\s+(?:counted|included)\b"
    r"|\b(?:across|over)\s+every\s+(?:term|semester|section|course|class|year)\b"
    r"|\bacross\s+all\s+(?:his|her|their)\s+(?:courses?|classes|sections?|terms?|semesters?)\b"
    r"|\b(?:all|both)\s+(?:(?:his|her|their|the|of\s+(?:his|her|their|the))\s+)?"
    r"(?:sections?|courses?|classes|terms?|semesters?|sems?)(?:\s+(?:together|combined))?\b"
    r"|\bacross\s+the\s+(?:whole|entire)\s+(?:list|board|lot|data(?:set)?|set)\b"
    r"|\b(?:in\s+total|total(?:led)?|tot|altogether|all\s+together|together|combined|"
    r"all[\s-]time|ever|in\s+the\s+data|adding\s+up|added\s+up|sum(?:med|ming)|pool(?:ed|ing)?|cumulative)\b"
)


OVERALL = _re(
    r"\boverall\b(?!\s+(?:instructor\s+|teaching\s+|course\s+)?(?:rating|ratings|score|scores|"
    r"effectiveness|evaluation|mean|average|median|picture|view|impression|quality))"
)
""""overall" as scope ("best instructor overall"), not the overall-rating question's name."""
"""Words that say "every matching section, pooled": the default scope, never a metric."""


_POOLED_EVERY = r"(?<!across\s)(?<!over\s)"
"""Not after "across" or "over": "across every course and term" pools them (AGGREGATE)."""


BY_TERM = _re(
    r"\b(?:(?:for\s+)?" + _POOLED_EVERY + r"(?:each|every|per)\s+(?:term|semester|year)"
    r"|by\s+(?:term|semester|year)|"
    r"term[\s-]+(?:to|by|over)[\s-]+term|semester[\s-]+(?:to|by)[\s-]+semester|"
    r"year[\s-]+(?:over|to|by)[\s-]+year|across\s+(?:the\s+)?(?:terms|semesters|years)|"
    r"over\s+(?:the\s+)?(?:years|terms|semesters|time)|through\s+the\s+years|trend(?:s|ing)?|"
    r"history|historically)\b"
)


BY_SECTION = _re(
    r"\b(?:(?:for\s+)?(?:each|every|per)\s+section|by\s+section|section\s+by\s+section)\b"
    r"(?!\s+(?:combined|together|pooled|added\s+up|summed|counted|included))"
)


BY_INSTRUCTOR = _re(
    r"\b(?:(?:for\s+)?(?:each|every|per)\s+(?:instructor|professor|prof|teacher)|"
    r"by\s+(?:instructor|professor|prof|teacher))\b"
)


BY_COURSE = _re(
    r"\b(?:(?:for\s+)?" + _POOLED_EVERY + r"(?:each|every|per)\s+(?:course|class)"
    r"|by\s+(?:course|class))\b"
)


ALL_TERMS = _re(
    r"\b(?:all\s+(?:the\s+)?(?:terms|semesters|sems|years|time)|all[\s-]time|every\s+(?:term|"
    r"semester|year))\b"
)


ALL_SECTIONS = _re(r"\b(?:all|both)\s+(?:the\s+)?sections\b")
"""In a follow-up these drop the inherited term or section ("and across all terms?")."""


VERSUS_DEPT = _re(
    r"\b(?:(?:next\s+to|alongside|beside)\s+)?(?:the\s+)?(?:\w+\s+)?"
    r"(?:department(?:al)?|dept\.?|university|univ\.?|uni|college|school|"
    r"institution|nu)(?:'s)?(?:\s+(?:wide|overall))?(?:\s+(?:average|mean|median|norm|"
    r"benchmark|score|rating))?s?\b"
)


SMALL = _re(
    r"\b(?:ignor\w*|exclud\w*|leav\w*\s+out|skip\w*|without|drop\w*|no)\s+(?:the\s+)?"
    r"(?:tiny|small|little|low[\s-]n)\s+(?:sections?|classes|ones)\b"
)
""""ignoring tiny sections" restates the default of rankings (which skip sections under 5
responses); for a pooled figure it leaves those sections out ("enrolled, leaving out the small
section")."""


EXCLUDE = _re(
    r"\b(?:leave|leaving|left)\s+out\b|\b(?:excluding|exclude|except(?:\s+for)?|"
    r"without|ignoring|ignore|apart\s+from|other\s+than|not\s+counting|minus)\b"
)


_SEASON = r"(?:fall|autumn|spring|summer|winter)s?"
_TERM_NOUN = r"(?:semesters?|terms?|sessions?|sections?|offerings?|runs?)"

SEASON_ONLY = _re(
    r"\b(?:every|each|all(?:\s+(?:the|her|his|their|its))?|only(?:\s+(?:the|her|his|their|its))?|"
    r"just(?:\s+the)?|in\s+the)\s+" + _SEASON + r"(?:\s+" + _TERM_NOUN + r")?(?:\s+only)?\b"
    r"(?!\s*'?\d|\s+of\b)"
    r"|\b" + _SEASON + r"(?:\s+" + _TERM_NOUN + r")?\s+only\b"
    r"|\b(?:the|her|his|their|its)\s+"
    + _SEASON
    + r"\s+(?:semesters|terms|sessions|sections|offerings|runs)\b(?!\s*'?\d|\s+of\s+'?\d)"
)
"""'every fall', 'spring semesters only', 'in the spring', 'the spring offerings': the terms of
one season, any year."""


NO_SUMMER = _re(
    r"\b(?:excluding|exclude|without|except(?:\s+for)?|leaving\s+out|leave\s+out|ignoring|ignore|"
    r"not\s+counting|minus|but\s+not|apart\s+from|other\s+than)\s+(?:the\s+|any\s+|her\s+|"
    r"his\s+|their\s+|its\s+|my\s+|all\s+)?(?:small\s+|tiny\s+|short\s+)?summers?"
    r"(?:\s+(?:" + _TERM_NOUN + r"|courses?|classes|ones?))?\b"
    r"|\b(?:leaving|leave|putting|put|setting|set)\s+(?:the\s+|any\s+|all\s+)?summers?"
    r"(?:\s+(?:" + _TERM_NOUN + r"|courses?|classes|ones?))?\s+(?:aside|to\s+one\s+side)\b"
    r"|\bregular[\s-]+(?:semesters?|terms?)(?:\s+sections?)?\b"
    r"|\b(?:fall\s+and\s+spring|spring\s+and\s+fall)\s+(?:semesters?|terms?)\s+only\b"
)
"""'excluding the summer sessions', 'leaving the summer sessions aside', 'her regular-semester
sections': no summer term."""


SUMMERS = ("Summer 1", "Summer 2", "Full Summer")


def season_named(words: str) -> list[str]:
    """The stored seasons a phrase names ("falls" is Fall, "summer" every summer session)."""
    word = re.search(r"fall|autumn|spring|summer|winter", words.lower())
    if word is None:
        return []
    return {"fall": ["Fall"], "autumn": ["Fall"], "spring": ["Spring"], "winter": ["Winter"]}.get(
        word.group(0), list(SUMMERS)
    )


OTHER_SECTION = _re(r"\b(?:the\s+)?other\s+(?:sections?|one)\b")


FUTURE = _re(
    r"\b(?:next|upcoming|coming|future)\s+(?:term|semester|year|fall|spring|summer|"
    r"winter|session)\b|\bwill\s+(?:be|get|have|teach|there)\b|\bgoing\s+to\s+be\b"
    r"|\bpredict\w*\b|\bforecast\w*\b"
)


OUTSIDE = _re(
    r"\b(?:rate\s*my\s*prof\w*|ratemyprof\w*)\b(?!\W{0,2}(?:style|like|format|type)\b)|\breddit\b|\bglassdoor\b"
    r"|\blinked\s*in\b|\bwikipedia\b|\bgoogle\s+reviews?\b"
    r"|\b(?:mit|harvard|stanford|yale|princeton|berkeley|tufts|brandeis|boston\s+university)"
    r"(?:['’]s)?\b|\b(?:other|another|different)\s+(?:universit(?:y|ies)|colleges?|schools?)\b"
)
"""Other sources of opinion, which the reports are not, and other universities' courses (the
reports are this university's: "the university mean" is one of its printed figures)."""


SURVEY = _re(
    r"\b(?:mid-?\s?term|mid-?\s?semester|mid-?\s?course|early|end-of-\w+|own|feedback|"
    r"instructors?'?s?|google\s+forms?|qualtrics|microsoft\s+forms?)\s+(?:feedback\s+)?"
    r"(?:surveys?|questionnaires?|forms?)\b|\bsurvey\s+exports?\b"
)
"""An instructor's own survey (uploaded as an export), not the TRACE survey: "the mid-term
survey". A bare "survey" is how people name TRACE itself ("how many took the survey")."""


OPEN = _re(
    r"\b(?:good|great|bad|decent|ok|okay|fine|nice|solid|strong|weak|poor|worth(?:while)?|"
    r"recommend\w*|recommendable|like|liked|hard|harder|hardest|easy|easier|easiest|tough|"
    r"tougher|toughest|"
    r"difficult|heavy|light|chill|fun|boring|interesting|useful|"
    r"teacher|lecturer|prof|instructor|teach|teaches|teaching|taught|class|course|"
    r"tell\s+me\s+(?:more\s+)?about|what\s+about|how\s+about|overview|summary|summari[sz]e|"
    r"(?:full|whole|big|overall)\s+(?:picture|view|impression)|stands?\s+out|"
    r"(?:can|could|would|will|please)\s+(?:you\s+)?(?:evaluate|assess|appraise|review)|"
    r"think|thought|opinion|opinions|feel|feelings|reputation|know|take|taking|took|before|"
    r"should|would|could|improv\w*|changed?|changing|evolv\w*|better|worse|best|worst|"
    r"how\s+(?:is|was|are|were|does|did|do)|how's|hows|really|actually|"
    r"generally|in\s+general|since\s+covid|covid|pandemic|big|huge|small|"
    r"large|enough|lot|lots|really|need|needs|needed|require[sd]?|put|doing|spend|spent|"
    r"thoughts?|reviews?|opinions?|impressions?|verdict|vibes?|atmosphere|too|fast|slow|"
    r"quick|quickly|rushed|deal|things|go|goes|going|went|pros|cons|known|expect|expected|"
    r"expectations?|worth|happy|happier|happiest|satisf\w*)\b"
)
"""Words of a question about a person or a course as a whole ("is Okafor a good teacher")."""


JUDGEMENT = _re(
    r"\b(?:good|bad|great|decent|solid|fine|terrible|awful|horrible|amazing|excellent|poor|"
    r"worth(?:while)?|rec+om+end\w*|avoid\w*|skip|honest\w*|verdict|accurate|true|legit|"
    r"overrated|underrated|reputation|hype\w*|well|overview|summary|summari[sz]e|"
    r"strengths?|weakness(?:es)?|strong|weak|(?:teaching\s+)?review|"
    r"(?:full|whole|big|overall)\s+picture|tell\s+me\s+about|what\s+about|how\s+about|"
    r"how\s+(?:is|was|are|were|did|does|do)|how's|how'd|hows|experiences?|impressions?|"
    r"thoughts?|opinions?|vibes?|hard|easy|tough|difficult|heavy|light|chill|fun|boring|"
    r"destroy\w*|kill\w*|brutal|nightmare|rough|painful|unhappy|happy|satisf\w*|"
    r"lectures?\s+like|(?:should|would|do|can)\s+(?:i|you|we)\s+(?:take|recommend|pick|"
    r"choose|go\s+with|sign\s+up|register)|(?:registering|enrolling|signing\s+up)\s+for)\b"
)
"""Words asking for a verdict on a person or a course as a whole ("good prof or one to avoid?",
"honest take", "does he do it well?", "give me the full picture"): with a course or person
named and no measure, words nothing else reads still get the whole picture (rag.answer.planning),
where a question for a fact the reports lack ("is Okafor tenured") has none of these."""


DIFFICULTY = _re(
    r"\b(?:hard|harder|hardest|difficult|tough|tougher|toughest|easy|easier|easiest)\b"
)
"""How hard a course is: ranked or compared, the question about challenge (rag.answer.planning)."""


FIRST_TO_LAST = _re(
    r"\b(?:from|between|comparing|at)\s+(?:(?:their|his|her|its|the|my)\s+)?(?:very\s+)?"
    r"(?:first|earliest)"
    r"(?:\s+(?:semester|term|offering|section|class|course|year)s?)?(?:\s+here)?\s+"
    r"(?:to|and|until|through|vs\.?|versus|with)\s+(?:(?:their|his|her|its|the|my)\s+)?"
    r"(?:latest|last|most\s+recent|newest|current)"
    r"(?:\s+(?:one|semester|term|offering|section|class|course|year)s?)?\b"
)
"""'from their first semester here to their latest one': the change a ranking by change takes."""


EARLIER_RUNS = _re(
    r"\b(?:compared?|comparing|against|vs\.?|versus|relative|next\s+to)\s+(?:with|to)?\s*"
    r"(?:all\s+)?(?:(?:my|his|her|their|its|the)\s+)?(?:own\s+)?(?:earlier|previous|prior|past|older)"
    r"\s+(?:runs?|terms?|semesters?|offerings?|sections?|years?|times?|iterations?|cohorts?)"
    r"(?:\s+(?:of|teaching)\s+(?:it|this|that|the\s+course))?\b"
)
"""'my Spring 2026 section compared with my earlier runs of it': every term up to that one."""


TREND_WORDS = _re(
    r"\b(?:improv(?:e|ed|ing|ement)|(?:get|gets|getting|got|gotten)\s+(?:any\s+)?"
    r"(?:better|worse|more|less)|"
    r"gone\s+(?:up|down|downhill|uphill)|"
    r"went\s+(?:up|down|downhill|uphill)|go(?:es)?\s+(?:up|down|downhill|uphill)|risen|rise|rising|rose|fallen|fell|falling|"
    r"dropping|climb(?:ing|ed)?|sinking|gain(?:ed|s)?|"
    r"trajectory|trajectories|increas\w*|decreas\w*|jump(?:s|ed)?|"
    r"(?:biggest|largest|greatest|sharpest|steepest|smallest)\s+(?:improvement|gain|rise|drop|"
    r"decline|fall|dip)s?|"
    r"changed?|changing|evolv\w*|moved?|progress\w*|since\s+covid|"
    r"(?:held|hold|holds|holding)\s+up|slip(?:s|ped|ping)?|slid|onwards?|lately|"
    r"(?:always|consistently)\s+(?:been|stayed)|bec(?:ome|ame|oming)|track(?:ed|ing)?|"
    r"over\s+(?:his|her|their|its|the)\s+(?:terms|semesters|years|offerings)|steady|stable)\b"
)


COMPARATIVE = _re(
    r"\b(?:more|less|higher|lower|better|worse|bigger|smaller|heavier|lighter|harder|easier|"
    r"greater|fewer)\s+than\b|\bcompared\s+(?:to|with)\b|\bvs\.?\b|\bversus\b"
    r"|\bstacks?\s+up\b|\bmeasures?\s+up\b|\bdifferences?\s+(?:between|in)\b|\bgap\s+between\b"
    r"|\bside\s+by\s+side\b|\bhead\s+to\s+head\b"
    r"|\b(?:next\s+to|beside|alongside)\b(?!\s+(?:the\s+)?(?:\w+\s+)?(?:department|dept|university|univ))"
)


RANK_IDIOMS = _re(
    r"\b(?:tops?\s+(?:the\s+)?(?:charts?|list|rankings?)|(?:at\s+)?the\s+top\s+of\s+the\s+"
    r"(?:charts?|list|rankings?)|stay(?:ing)?\s+away(?:\s+from)?|steer(?:ing)?\s+clear"
    r"(?:\s+of)?)\b"
)
"""'who tops the charts', 'which course to stay away from': a ranking's words (its order is read
by rag.answer.planning), not a measure."""


TIME_TEACHING = _re(
    r"\b(?:time|stint|years?|semesters?)\s+(?:(?:spent\s+)?teaching|as\s+(?:the\s+|an?\s+)?"
    r"(?:instructor|professor|prof|teacher|lecturer))\b"
)
"""'how did Okafor's time teaching Fundies go': the period taught, not the time-use question."""


DROP = _re(
    r"\b(?:drop|drops|dropped)\b(?=\s+(?:off|between|from|since|over|after|(?:the\s+)?most)\b)"
)
"""'did the response rate drop between F22 and F24': a trend (read on the unmasked question, since
the terms after it are read first); "how many students dropped CS5800" is no trend."""


THRESHOLD_WORDS = _re(
    r"\b(?:above|below|over|under|more\s+than|less\s+than|at\s+least|at\s+most|higher\s+than|"
    r"lower\s+than)\s+\d+(?:\.\d+)?\s*(?:%|percent)?"
)
"""'above 50%': a threshold a person compares the answer with; the answer is the value."""


MODE = _re(r"\b(?:the\s+)?most\s+(?:common|frequent|popular|typical|usual)\b|\btypical\b")


WITHOUT_THEM = _re(r"\b(?:excluding|exclude|without|not\s+counting|minus)\s+(?:them|those|these)\b")
"""'how many responses including declines?' then 'and excluding them?': without the declines."""


NARROW = _re(
    r"\b(?:only|just|specifically|limit(?:ed)?\s+to|restrict(?:ed)?\s+to|narrow(?:ed)?\s+to)\b"
)
"""'only in CS2500': the follow-up narrows the previous scope rather than starting over."""


BREAK_DOWN = _re(
    r"\b(?:break(?:ing)?|broken|split(?:ting)?)\s+(?:(?:it|that|this|them)\s+)?down\b"
    r"|\b(?:break(?:ing)?|split(?:ting)?)\s+(?:(?:it|that|this|them)\s+)?(?:up\s+|out\s+)?"
    r"(?=(?:by|per)\b)"
)


OFFICE_HOURS = _re(r"\boffice\s+hours?\b")


SCHEDULE: tuple[str, re.Pattern[str]] = (
    "schedules (when or where a class, an exam or office hours is)",
    _re(
        r"\bhow\s+many\s+office\s+hours?\b"
        r"|\b(?:when|where|what\s+time)\s+(?:are|is|do|does|will)\b(?![^?.!]{0,40}\bspen[dt]\b)"
        r"(?=[^?.!]{0,40}\b(?:office"
        r"\s+hours?|meet|meets|meeting|lectures?|labs?|exams?|finals?|midterms?)\b)"
    ),
)
"""'when are Okafor's office hours': a timetable, which no report prints (read before "office
hours" is read as the availability rating)."""


UNPRINTED: tuple[tuple[str, re.Pattern[str]], ...] = (
    SCHEDULE,
    (
        "attendance",
        _re(r"\battendance\b|\bshow(?:ed|s)?\s+up\s+(?:to|for)\s+(?:class|lectures?)\b"),
    ),
    (
        "rooms or facilities",
        _re(r"\b(?:lab|lecture|seminar|class)\s+rooms?\b|\bfacilit(?:y|ies)\b|\brooms?\b(?=[^?.!]{0,30}"
            r"\b(?:big|small|crowded|cramped|cold|hot|size|capacity|space)\b)"),
    ),
    (
        "exam scores",
        _re(r"\b(?:class\s+)?(?:average|mean|median|avg|typical)\s+(?:score\s+|grade\s+|mark\s+)?"
            r"(?:on|for|in)\s+(?:the\s+|a\s+|an\s+)?(?:[\w-]+\s+){0,3}?(?:midterms?|finals?|"
            r"exams?|quiz(?:zes)?|tests?)\b(?!\s+(?:difficulty|fairness))"
            r"|\b(?:midterm|final|exam|quiz|test)\s+(?:scores?|averages?|results?|marks?|grades?)\b"),
    ),
    (
        "ratings of teaching assistants",
        _re(r"\b(?:teaching\s+assistants?|(?<![\w-])(?-i:TAs?)(?![\w-])(?=[^?.!]{0,40}\b(?:"
            r"reviews?|ratings?|rated|scores?|best|worst|better|worse|good|bad)\b)|(?:reviews?|"
            r"ratings?|scores?)\s+(?:of|for)\s+(?:the\s+)?(?:(?-i:TAs?)|teaching\s+assistants?))\b"),
    ),
    (
        "academic integrity cases",
        _re(r"\b(?:cheat|cheats|cheated|cheating|plagiarism|plagiarized|plagiarised|"
            r"academic\s+(?:integrity|dishonesty|misconduct))\b"),
    ),
    (
        "grades students received",
        _re(r"\b(?:average|mean|median|typical|class|final|course|letter|overall)\s+grades?\b"
            r"|\bgrades?\s+(?:distribution|breakdown|average|curve)\b|\bgpas?\b"
            r"|\bwhat\s+grades?\s+(?:did|do|does|will|would)\b"
            r"|\bgrades?\s+(?:did|do)\s+(?:most\s+)?(?:people|students|ppl)\s+(?:get|receive|earn)"
            r"|\b(?:how\s+many|most|more|fewest|fewer|number\s+of|percent(?:age)?\s+of|share\s+of"
            r"|%\s+of)\s+(?:the\s+)?(?:students\s+)?(?:(?:got|get|getting|earned|received?)\s+)?"
            r"(?-i:[ABCDF][+-]?'?s)\b"),
    ),
    (
        "who wrote what (responses are anonymous)",
        _re(r"\b(?:which\s+students?|what\s+student)\b[^?.!]{0,40}\b(?:wrote|said|gave|left|posted|"
            r"complained)\b|\bwho\s+(?:wrote|said|posted|left|made)\s+(?:th(?:e|at|is)|those|"
            r"these)\s+(?:\w+\s+){0,2}?(?:comments?|reviews?|remarks?|complaints?|quotes?)\b|\b(?:students?'?s?|respondents?'?s?|reviewers?'?s?)\s+"
            r"(?:names?|identit(?:y|ies))\b|\bnames?\s+of\s+(?:the\s+)?(?:students?|"
            r"respondents?|reviewers?)\b"),
    ),
)  # fmt: skip
"""What no evaluation report holds, in words, and how people ask for it."""


PLANNED = _re(r"\b(?:take|taking|enrol\w*|register\w*|sign\w*\s+up|plan|planning)\b[^?.!]{0,40}$")
""""taking algorithms with Lee next spring": a plan of the asker's, not a future term asked about
(read just before a FUTURE phrase)."""


LETTER_GRADE = re.compile(
    r"\b(?:[Gg]ot|[Gg]et|[Gg]etting|[Rr]eceived?|[Ee]arned)\s+(?:an?\s+)?[A-F][+-]?(?![\w'])"
)
"""'got an A': a letter grade, which no evaluation report prints."""


FUNCTION_WORDS = frozenset(
    """a an the of in on for to at by with and or vs versus than about from into over per
    which who whom whose what whats when where how many much is are was were be been being did
    do does done had has have get got show give tell list me my i we our us their them they it
    its this that these those there here please can could would should will all any each
    every some etc eg ie just also only still yet so then same s t re ve ll d m o
    his her him she he one ones out up down use used uses using eval evals survey surveys
    questionnaire form forms across both together anyone anybody someone everyone people ppl
    kids folks above below rate rates rated rating ratings rating-wise wise score scores scored
    well share percent percentage proportion fraction number answer answers among now having
    way more less since added introduced asked question questions item as you your yours
    yourself im i'm ive i've id i'd ok okay yes no not any exactly approximately roughly around
    please thanks thank hey hi hello curious wondering wonder want wanted know knew kinda sorta
    basically quick stats statistics stat info information figure figures numbers value values
    data result results details detail look see find check pull tell care cares didn doesn
    isn wasn weren aren hasn haven hadn don won wouldn couldn shouldn didn't doesn't isn't
    wasn't weren't aren't hasn't haven't hadn't don't won't wouldn't couldn't shouldn't""".split()  # noqa: SIM905
)


FILLER_WORDS = frozenset(
    """pls plz w w/ gets who've true awful terrible tiny seminar if why higher lower say says
    said picked pick chose choose selected select gave give marked thinking
    considering planning plan trying relevance gen ed eds elective yo but lol btw fyi tbh
    imo ngl hmm um uh yeah yep ya anyway anyways giving gives given providing provides
    offering offers bother bothered bothering feeling run runs click clicked clicking hit
    getting comes same thing stuff chair dean advisor adviser boss supervisor colleague
    meeting try tried trying right different grad undergrad electives picking i'll i'd i've
    style own under below above beneath bigger larger greater next beside alongside two rest
    person persons ran looking rumours rumors freshman freshmen sophomore junior senior
    transfer first account counted makes everyone tho though khoury k kk flip associate
    assistant provost interim offerings lineup eff based collect collected collects gather
    gathered receive received draw drew attract attracted solo notable noteworthy anything
    perfect read land landed lands fared fare pattern patterns fluke off
    something thx thnx ty tysm cheers new old blue collegenet full complete entire
    signing signed registering poorly badly separate
    seperate distinct exist exists existed everybody trail trailed trails
    trailing fwiw iirc wrt afaik ok okay nah printed line row back recorded logged""".split()  # noqa: SIM905
)
"""Words that say nothing about what to measure ("number pls", "who've taught it", "if I care
about"), left out of the metric phrase; unlike FUNCTION_WORDS never a target of spelling
correction (else "pulse" became "pls")."""
"""Words that carry no measure: what is left of a question once these go must be understood."""


COMMENTS_TOO = _re(
    r"(?:\s*(?:,|;|\band\b|\balso\b)\s*)+(?=(?:what|how)\s+(?:do|did|are|were)\s+"
    r"(?:the\s+|that\s+|this\s+|those\s+|my\s+|his\s+|her\s+)?"
    r"(?:students|people|they|commenters|cohorts?|class)\s+(?:still\s+|most\s+)?(?:like|love|enjoy|say|saying|"
    r"said|think|complain\w*|unhappy|happy|praise|hate|feel|tell|telling|write|writing)\b|(?:do|does|did)\s+(?:the\s+)?"
    r"comments\s+(?:back|agree|support|match|say|confirm)|what\s+(?:do|did)\s+(?:the\s+)?"
    r"comments\s+say|what\s+(?:the\s+)?(?:students|people)\s+(?:said|wrote|say|write|"
    r"complained|complain|liked|loved|disliked|hated|praised|critici[sz]ed)\b"
    r"|(?:can\s+you\s+|could\s+you\s+)?back\s+(?:it|that|this)\s+up\s+with\s+(?:student\s+)?"
    r"(?:comments|quotes)|(?:is\s+there|are\s+there|any|which|some)\s+(?:positive\s+|negative\s+)?"
    r"(?:student\s+)?(?:quotes|comments|feedback\s+to\s+(?:cite|quote)))"
)
"""Where a number question goes on to ask what students say ("which course was best rated in
Fall 2024 and what did students like about it?"): the comments follow the number, about the
ranking's first or the scope."""


LIKED = _re(
    r"\bwhat\s+(?!(?:is|are|was|were|will)\b)(?:\w+\s+){0,3}?(?:like[ds]?|love[ds]?|enjoy(?:s|ed)?|appreciat\w*|prais\w*|"
    r"hate[ds]?|dislike[ds]?|complain(?:s|ed)?\s+about|criticis\w*|criticiz\w*)\b"
    r"(?:\s+(?:the\s+)?(?:most|best|least))?"
)
""""what do students like most about the math department", "what do people hate about CS5800":
an opinion of one tone (themes and quotes), not a ranking ("most" ranks nothing here). "What are
his lectures like" asks what they are, not what anyone liked."""


SAME_AGAIN = _re(
    r"\b(?:keep|keeps|kept|keeping)\s+(?:that|it|this|those|them)\s+up\b"
    r"|\b(?:repeat|repeated|match|matched)\s+(?:that|it|this)\b"
    r"|\b(?:the\s+)?same\s+(?:topic|theme|subject|question|line|item|measure|metric|figure|stat)\b"
)
""""did Okafor keep that up in fa25", "and for Lee, same topic": the same figure or theme, in the
scope named (no measure of its own)."""


WEAKEST_ITEM = _re(
    r"\b(?:which|what)\s+(?:item|question|area|aspect|part|rating|score)s?\s+(?:is|was|are|were)"
    r"\s+(?:(?:my|his|her|their|its|the)\s+|[^\s?]*'s\s+|\s+)(?:weakest|strongest|lowest|"
    r"highest|worst|best)\b"
    r"|(?:\b(?:my|his|her|their|its)|'s)\s+(?:weakest|strongest|lowest|highest|worst|best)\s+"
    r"(?:items?|questions?|areas?|aspects?|ratings?|scores?|points?|spots?)\b"
    r"|\bwhat\s+(?:should|could|can|do|must)\s+(?:i|we|they|he|she)\s+(?:fix|improve|work\s+on|"
    r"change|focus\s+on)(?:\s+first)?\b"
    r"|\bwhere\s+(?:should|could|can|do)\s+(?:i|we|they|he|she)\s+(?:improve|focus)\b"
)
""""which item is my weakest", "what should we fix first": the whole picture of the named
person or course, whose every rating question's mean shows the weakest (rag.answer.planning)."""


FLIPPED = _re(
    r"\b(?:flip|reverse|invert|turn)\s+(?:it|that|this|the)(?:\s+(?:order|list|ranking))?"
    r"(?:\s+(?:around|round|over))?\b|\b(?:the\s+)?other\s+way\s+a?round\b"
    r"|\b(?:from\s+)?the\s+other\s+end\b"
)
""""flip it", "the other way round" after a ranking: the same ranking in the other order (never
"it" as the course it put first)."""


NEEDS_HELP = _re(
    r"\b(?:needs?|needing|needed|could\s+use|would\s+benefit\s+from)\s+(?:the\s+)?"
    r"(?:most|more|extra|additional|some|any)?\s*(?:teaching\s+|instructional\s+)?"
    r"(?:support|attention|help|improvement|improving)\b"
)
""""which of our courses most needs attention", "which needs more teaching support": the lowest
rated first (rag.answer.planning), and no measure named."""


LIKELY_TO = _re(
    r"\b(most|least|more|less)\s+likely\s+to\s+(?:strongly\s+)?(agree|disagree)"
    r"(?:\s+(?:with|that))?\b"
)
""""whose students were least likely to agree 'I learned a lot'": a ranking by that question's
mean (rag.answer.planning), never a count of the "agree" option."""
