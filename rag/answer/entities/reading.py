"""Reading a question with the vocabulary (rag.answer.vocabulary): each reader consumes the words
it understood from the question's mask (rag.answer.entities.text), and misspelt words are read
as the closest word the readers, the questions or the names use."""

from __future__ import annotations

import difflib
import re

from rag.answer import vocabulary
from rag.answer.entities.model import Catalog, Entities
from rag.answer.entities.text import QuestionText, is_english
from rag.answer.vocabulary import (
    AGGREGATE,
    ALL_SECTIONS,
    ALL_TERMS,
    BIN_WORDS,
    BREAK_DOWN,
    BY_COURSE,
    BY_INSTRUCTOR,
    BY_SECTION,
    BY_TERM,
    COMPARATIVE,
    DIFFICULTY,
    DROP,
    EARLIER_RUNS,
    FIGURES,
    FIRST_TO_LAST,
    FUTURE,
    HOURS,
    HOURS_NUMBERS,
    LETTER_GRADE,
    LIKELY_TO,
    MODE,
    NARROW,
    NEEDS_HELP,
    NO_SUMMER,
    OFFICE_HOURS,
    OPEN,
    OPTION,
    OPTION_COUNTS,
    OR_BEYOND,
    OUT_OF_FIVE,
    OUTSIDE,
    OVERALL,
    PLANNED,
    QUESTION_WORD,
    RANK_IDIOMS,
    RATED_N,
    RATED_TOP,
    SAME_AGAIN,
    SCHEDULE,
    SEASON_ONLY,
    SMALL,
    STATISTICS,
    STUDENTS_ONLY,
    SUMMERS,
    SURVEY,
    THRESHOLD_WORDS,
    TIME_TEACHING,
    TREND_WORDS,
    UNPRINTED,
    VERSUS_DEPT,
    WEAKEST_ITEM,
    WITHOUT_THEM,
    hours_focus,
    season_named,
)

_HOW_MANY_BEFORE = re.compile(r"\bhow\s+many\s+(?:\w+\s+){0,2}$", re.I)
"""A figure asked for right after "how many" (up to two words between: "how many really")."""
_HOW_MANY = re.compile(r"how\s+many\b", re.I)


def _consume(text: QuestionText, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    found = text.finditer(pattern)
    for m in found:
        text.consume(m.start(), m.end())
    return found


PREAMBLE = re.compile(
    r"^\W*(?:(?:speaking|writing|asking)\s+)?as\s+(?:an?\s+|the\s+|my\s+|our\s+|one\s+)?"
    r"(?!(?:of|for|far|well|much|many|long|soon|good|far|to|per|if|though)\b)"
    r"[a-z][\w'&/-]*(?:\s+(?!(?:for|of|at|in|on)\b)[a-z][\w'&/-]*){0,3}"
    r"(?=\s*(?:[,:;(]|\s[-–—]|\s(?:for|of|at|in|on)\b))",
    re.I,
)
"""Who is asking, before the question ("as chair:", "as a new student,", "as associate dean
for ..."): the asker's role, never what to compute. "as of Fall 2023", "as for CS5800" and "as
far as clarity goes" are not roles."""


CO_TAUGHT = re.compile(
    r"\b(?:co|team)[\s-]?(?:taught|teach(?:es|ing)?|instructed|led)\b"
    r"|\btaught\s+(?:together|jointly)\b|\bjointly\s+taught\b",
    re.I,
)
"""Words that describe a section (taught by two people), never a rating: "co-taught" is not the
co-op question."""


_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|i'd|i'll|my|me|we|we're|our|us)\b", re.I)


_WHO_ASKS = re.compile(
    r"^\W*(?!as\b)(?:(?:for|from)\s+)?(?:the\s+|a\s+|an\s+|our\s+)?(?:[a-z][\w'&-]*\s+){0,3}?"
    r"(?:newspaper|paper|reporter|journalist|editor|chair|dean|provost(?:'s\s+office)?|office|staff|"
    r"committee|panel|board|parent|mom|dad|advis[oe]r|counsel(?:l)?or|registrar|admissions|"
    r"student|applicant|alum(?:nus|na|ni)?|government|senate|council|union)"
    r"(?:\s+(?:here|again|asking|question|q))?(?:\s*,\s*(?:[a-z][\w'-]*\s+){0,5}[a-z][\w'-]*)?\s*:$",
    re.I,
)
"""A lead-in naming who asks or for whom, with no first person ("For the student newspaper:",
"Reporter here:", "From the provost's office:", "Admitted student:", "Department chair,
assembling a tenure dossier:"): it computes nothing.
("as chair:" is the asker's role, which read_preamble reads.)"""


def split_aside(question: str) -> tuple[str, str]:
    """The question asked and the asker's aside about themselves ("My son has her for
    psychology and keeps saying she's the best.", "For a senate memo I need one figure:"):
    sentences in the first person that ask nothing, where another sentence asks (ends in "?"),
    and a first-person lead-in ending in a colon. The aside may name who or what is meant, never
    what to compute. ("", question) when nothing is aside. (Any sentence that asks nothing is
    too wide: "heard lin alg destroys people. accurate?", "fall 2023 number pls".)"""
    parts = [p for p in _SENTENCE_END.split(question.strip()) if p]
    asks = any(p.endswith("?") for p in parts)
    aside, asked = [], []
    for index, part in enumerate(parts):
        lead_in = part.endswith(":") and index < len(parts) - 1
        about_me = (asks and not part.endswith("?")) or lead_in
        who_asks = lead_in and _WHO_ASKS.match(part)  # "For the student newspaper:"
        if who_asks or (about_me and _FIRST_PERSON.search(part)):
            aside.append(part)
        else:
            asked.append(part)
    if not aside or not asked:
        return "", question
    return " ".join(aside), " ".join(asked)


_INTRODUCTION = re.compile(
    r"^\W*(?:(?:hi|hello|hey)\b[,!]?\s*)?(?:(?:i'?m|i\s+am|this\s+is|my\s+name\s+is)\s+"
    r"(?P<name>[^.,;:!?]{3,60}?)|(?P<named>[^.,;:!?]{3,60}?)\s+here)\s*[.,;:!-]+\s+(?P<rest>\S.*)$",
    re.I | re.S,
)

_FIRST_TO_THIRD = {
    "i": "she", "me": "her", "my": "her", "mine": "hers", "myself": "herself", "am": "is",
    "i'm": "she is", "im": "she is", "i've": "she has", "i'd": "she would", "i'll": "she will",
}  # fmt: skip
_FIRST_PERSON_WORD = re.compile(r"(?<![\w'])(?:" + "|".join(_FIRST_TO_THIRD) + r")(?![\w'])", re.I)


def split_introduction(question: str) -> tuple[str, str]:
    """("José Núñez", the rest) for a question that opens by saying who asks ("I'm José Núñez.
    How am I doing?", "Priya Ramanathan here. How have my sections gone?"); ("", question)
    otherwise. Whether the name is a person the reports hold is the caller's to check."""
    m = _INTRODUCTION.match(question.strip())
    if m is None:
        return "", question
    return (m.group("name") or m.group("named")).strip(), m.group("rest")


def about_them(name: str, text: str) -> str:
    """The asker's words about themselves as a question about the person they said they are:
    "how am I doing", "my sections" read as "José Núñez: how is she doing", "her sections" (an
    instructor asking about their own reports; the pronoun stands for any person)."""
    third = _FIRST_PERSON_WORD.sub(lambda m: _FIRST_TO_THIRD[m.group(0).lower()], text)
    return f"{name}: {third}"


AS_A_STUDENT = re.compile(
    r"\bas\s+(?:an?|my)\s+(?:[\w-]+\s+){0,2}?(?:non[\s-]?majors?|majors?|minors?|gen[\s-]?eds?|"
    r"electives?|requirements?|reqs?|freshm[ae]n|sophomores?|juniors?|seniors?|students?|"
    r"first[\s-]years?|transfers?)\b",
    re.I,
)
"""'is gen bio worth taking as a non-bio major', 'as an online gen-ed': who takes the course or
what for, which says nothing about what to compute ("as a teacher" is a verdict's words)."""


_WANTS_TO_KNOW = re.compile(
    r"^\W*(?:[\w'’-]+\s+){0,4}?(?:wants?|would\s+like|needs?|asked\s+me|asks)\s+to\s+know"
    r"(?:\s+(?:whether|if))?\b",
    re.I,
)
"""'The student senate wants to know which course …': who asks, not what to compute."""


_JUST_THE_NUMBER = re.compile(
    r"\b(?:just|only)\s+(?:give\s+me\s+)?(?:the\s+)?(?:number|figure|stat)s?\b"
    r"|\bno\s+(?:commentary|explanation|fluff|essay|chit-?chat)\b",
    re.I,
)
"""'Just the number, no commentary': how to answer, not what to compute."""


def read_preamble(text: QuestionText) -> None:
    """Reads past the asker's role at the start (PREAMBLE), words describing how a section
    was taught (CO_TAUGHT) and how short to answer: none says what to compute."""
    _consume(text, PREAMBLE)
    _consume(text, _WANTS_TO_KNOW)
    _consume(text, _JUST_THE_NUMBER)
    _consume(text, CO_TAUGHT)
    _consume(text, AS_A_STUDENT)


def read_early(text: QuestionText, ent: Entities) -> None:
    """Phrases read before names and terms: other sites, the future, "ignoring tiny sections"
    (whose words would otherwise read as a title, a term or a ranking of sections)."""
    if _consume(text, OUTSIDE):
        ent.outside = True
    if _consume(text, SURVEY):
        ent.source = "survey"
    for m in text.finditer(FUTURE):
        text.consume(m.start(), m.end())
        if not PLANNED.search(text.masked[: m.start()]):
            ent.future = True
    if _consume(text, SMALL):
        ent.small_excluded = True
    if _consume(text, FIRST_TO_LAST):  # before terms: "their latest semester" is no one term
        ent.breakdown = "term"
    if _consume(text, NO_SUMMER):  # before seasons: "excluding the summer sessions"
        ent.exclude_seasons = list(SUMMERS)
    for m in _consume(text, SEASON_ONLY):  # before terms: "every fall" is no one term
        ent.seasons += [s for s in season_named(m.group(0)) if s not in ent.seasons]
    if _consume(text, SCHEDULE[1]):  # "when are her office hours": a timetable, not a rating
        ent.leftover = [SCHEDULE[0]]
        ent.unprinted = True
    for m in OFFICE_HOURS.finditer(text.masked):  # availability, not hours of work per week
        width = m.end() - m.start()
        text.masked = (
            text.masked[: m.start()] + "availability".ljust(width) + text.masked[m.end() :]
        )
    if _consume(text, LETTER_GRADE):
        ent.leftover = ["letter grades"]
        ent.unprinted = True
    for words, pattern in UNPRINTED:
        if _consume(text, pattern):
            ent.leftover = [words]
            ent.unprinted = True


EXPLAINED = re.compile(
    r"\bexplain\w*\s+((?:the\s+|their\s+|his\s+|her\s+)?(?:course\s+)?(?:material|materials|"
    r"stuff|things|concepts|content|topics|ideas|subject)(?:\s+matter)?)\b",
    re.I,
)
"""What is explained ("explains the material more clearly") is no measure of its own."""


IN_THE_DEPARTMENT = re.compile(
    r"\b(?:in|within|inside|across|from|of|among)\s+(?:the|our|my|this|that|his|her)?\s*"
    r"(?:department|dept\.?)(?!\s*(?:'s\s+)?(?:average|mean|median|norm|benchmark))\b",
    re.I,
)
"""'who is the better teacher in the math department': the subject named is where to look."""


def read_vocabulary(text: QuestionText, catalog: Catalog, ent: Entities) -> None:
    """Set the figure, statistic, options, hours, comparison and scope flags the words name."""
    if text.finditer(DIFFICULTY):
        ent.difficulty = True
    _consume(text, LIKELY_TO)  # "least likely to agree": a ranking's words, not the option
    _consume(text, NEEDS_HELP)  # "needs the most support": the lowest first, no measure
    _consume(text, OUT_OF_FIVE)  # "rating out of 5": the scale, not the option 5
    options: set[int] = set()
    for m in _consume(text, OPTION_COUNTS):  # "how many 4s and 5s": those two, not all five
        options |= {int(d) for d in m.groups() if d}
    for statistic, pattern in STATISTICS:
        if _consume(text, pattern) and ent.statistic is None:
            ent.statistic = statistic
    for m in text.finditer(EXPLAINED):  # "explain the material clearly": clarity, not materials
        text.consume(m.start(1), m.end(1))
    if ent.subjects:  # "in the math department" (the subject read): where, not a comparison
        _consume(text, IN_THE_DEPARTMENT)
    if text.finditer(VERSUS_DEPT):
        ent.versus_dept = True
        _consume(text, VERSUS_DEPT)
    _consume(text, THRESHOLD_WORDS)
    for m in _consume(text, OPTION):
        options |= {int(k[1]) for k, v in m.groupdict().items() if v}
    for m in _consume(text, RATED_N):
        tail = m.group(0).split(None, 1)[-1]
        options |= {int(d) for d in re.findall(r"(?<![\d.])[1-5](?![\d.])", tail)}
    for m in _consume(text, RATED_TOP):
        options.add(5 if m.group("top") else 1)
    if options and (beyond := _consume(text, OR_BEYOND)):  # "neutral or below": 3, 2 and 1
        below = beyond[0].group("below") is not None
        options |= set(range(1, min(options))) if below else set(range(max(options) + 1, 6))
    ent.options = sorted(options, reverse=True)
    binned = bool(catalog.prompts and text.finditer(BIN_WORDS))  # only the hours block has bins
    before = text.masked
    hits = [(name, m.start()) for name, pattern in FIGURES for m in _consume(text, pattern)]
    if hits and ent.figure is None:
        # "of all those invited, how many really responded": the figure "how many" asks for
        asked = [
            name
            for name, at in hits
            if _HOW_MANY_BEFORE.search(before[:at]) or _HOW_MANY.match(before, at)
        ]
        ent.figure = asked[0] if len({n for n, _ in hits}) > 1 and asked else hits[0][0]
    only_students = _consume(text, STUDENTS_ONLY) if ent.figure is None else []
    if only_students and not (ent.options or binned) and ent.statistic != "distribution":
        ent.figure = "enrollment"  # not "how many students picked each option": the answers
    if text.finditer(ALL_TERMS):
        ent.all_terms = True
    if text.finditer(ALL_SECTIONS):
        ent.all_sections = True
    _consume(text, BREAK_DOWN)  # before 'by section': "split that by section"
    if _consume(text, BY_SECTION):
        ent.breakdown = "section"
    if _consume(text, BY_INSTRUCTOR):
        ent.breakdown = "instructor"
    if _consume(text, BY_COURSE):
        ent.breakdown = "course"
    if _consume(text, BY_TERM):
        ent.breakdown = ent.breakdown or "term"
    if catalog.prompts and (_consume(text, HOURS) or binned):
        ent.hours = True
        ent.hours_focus = hours_focus(text.original)
        _consume(text, HOURS_NUMBERS)
        _consume(text, BIN_WORDS)
    if _consume(text, AGGREGATE):
        ent.aggregate = True
    if _consume(text, OVERALL):
        ent.overall_word = True
    if _consume(text, EARLIER_RUNS):  # one term against the runs before it: a trend up to it
        ent.breakdown = "term"
        named = [t for t in catalog.terms if [t.label] == ent.terms]
        if named:
            ent.terms, ent.term_to = [], named[0].sort_key
    if _consume(text, FIRST_TO_LAST) or _consume(text, TREND_WORDS):
        ent.breakdown = ent.breakdown or "term"
    for m in DROP.finditer(text.original):
        for word in text.finditer(rf"\b{m.group(0)}\b"):
            text.consume(word.start(), word.end())
            ent.breakdown = ent.breakdown or "term"
    weakest = _consume(text, WEAKEST_ITEM)  # before "item" goes: "which item is her weakest"
    _consume(text, QUESTION_WORD)
    _consume(text, RANK_IDIOMS)
    _consume(text, TIME_TEACHING)
    if _consume(text, COMPARATIVE):
        ent.versus_previous = True
    if _consume(text, NARROW):
        ent.narrow = True
    if _consume(text, WITHOUT_THEM):
        ent.without_them = True
    if _consume(text, MODE) and not ent.hours and ent.statistic is None:
        ent.statistic = "distribution"  # the most common rating: the answers per option
    _consume(text, SAME_AGAIN)
    if _consume(text, OPEN) or weakest:
        ent.evaluative = True
    if weakest:  # the whole picture, which sets the headline against the department too
        ent.versus_dept = False


KNOWN_WORDS = frozenset(
    """enrollment enrolment enrolled enroll registered invited headcount size students student
    responses response respondents respondent responded respond answered answer survey surveys
    evaluation evaluations eval evals trace declines declined decline refused participation
    turnout rate rates percentage percent fraction share proportion median medians mean means
    average averages deviation standard variance distribution distributions breakdown histogram
    spread hours hour week weekly workload time overall rating ratings rated score scores
    department university compared compare comparison versus against trend trends semester
    semesters term terms year years instructor instructors professor professors teacher teachers
    course courses class classes section sections highest lowest best worst most least many much
    prof profs clearest lightest heaviest hardest easiest fairest toughest strongest weakest
    which what where when who whose how every each across total together since between before
    after during change changed improved improve better worse clarity feedback enthusiasm
    syllabus availability available inclusive inclusivity respectful prepared preparation
    materials assignments homework lectures sessions challenging difficulty fairness grading
    effective effectiveness organized organization learned learning career skills online
    community connection comments comment say think opinion strengths weaknesses complaints pace
    exams spring summer fall winter full good great teach taught one two three four five six
    seven eight nine ten first second third fourth fifth last past next previous recent latest
    newest oldest earliest january february march april june july august september october
    november december there their these those""".split()  # noqa: SIM905
)
"""Words the readers above and rating questions use; a close misspelling is read as one of them."""


EVERYDAY = frozenset(
    """grade grades graded gpa tuition salary salaries email emails phone office room rooms
    building textbook textbooks book books price cost costs credit credits major minor
    prerequisite prerequisites waitlist schedule drop drops dropped withdraw withdrew pass
    passed fail failed failing curve tenure tenured parking food cafeteria housing dorm campus
    weather make makes made paid pay""".split()  # noqa: SIM905
)
"""Everyday words near the readers' words ("grade" near "grader"): never "corrected"."""


def _pattern_words() -> frozenset[str]:
    """Every word spelled out in the vocabulary's patterns ("worth", "participation", ...)."""
    patterns = [p for _, p in FIGURES] + [p for _, p in STATISTICS] + [p for _, p in UNPRINTED]
    patterns += [v for v in vars(vocabulary).values() if isinstance(v, re.Pattern)]
    sources = [re.sub(r"\\[a-zA-Z]|\(\?[:!=<]+|\?P<\w+>", " ", p.pattern) for p in patterns]
    # a stem a character class or group goes on ("summari[sz]e", "improv(?:e|ed)") is no word
    return frozenset(w for source in sources for w in re.findall(r"[a-z]{3,}(?![a-z\[(])", source))


def correct_spelling(text: str, *tiers: frozenset[str], keep: frozenset[str] = frozenset()) -> str:
    """Misspelt words ("clairty", "responce", "overal") replaced by the known word they are
    closest to, when that is close (same first letter, difflib ratio 0.8, 0.75 for short words);
    words with digits, known words and short words are left alone. Tiers are tried in order:
    everyday words before names, so "mnay" is "many", not "Mary". Words in `keep` (filler words,
    which no tier holds as a target) are left as written: "trying" is no misspelt "ting"."""
    tiers = (tiers[0] | PATTERN_WORDS | EVERYDAY, *tiers[1:]) if tiers else (PATTERN_WORDS,)
    known = frozenset().union(*tiers)

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        low = word.lower()
        if len(low) < 4 or low in known or low in keep or not low.isalpha():
            return word
        if match.string[match.end() : match.end() + 2] in ("'t", "’t"):  # "didn't", "wasn't"
            return word
        if is_english(low):  # "charts" is no misspelt "cheats", "away" no "always"
            return word
        if not _VOWEL.search(low):  # texting: "nrllmnt", "clrty" are the known word unvowelled
            return _unvowelled(low, tiers) or word
        cutoff = 0.8 if len(low) >= 6 else 0.75
        for tier in tiers:
            pool = [k for k in tier if k[:1] == low[:1] and abs(len(k) - len(low)) <= 2]
            found = difflib.get_close_matches(low, pool, n=1, cutoff=cutoff)
            if found:
                return found[0]
        return word

    return re.sub(r"[A-Za-z]+", fix, text)


_VOWEL = re.compile(r"[aeiouy]")


def _skeleton(word: str) -> str:
    """The consonants of a word with doubled letters once ("enrollment": "nrlmnt")."""
    return re.sub(r"(.)\1+", r"\1", _VOWEL.sub("", word))


def _unvowelled(word: str, tiers: tuple[frozenset[str], ...]) -> str | None:
    """The known word a vowel-less one spells (the first tier that holds one), or None where
    none or several different words do ("enrollment" and "enrolment" are one word here)."""
    shape = _skeleton(word)
    for tier in tiers:
        found = sorted(k for k in tier if len(k) > len(word) and _skeleton(k) == shape)
        if found and all(k[:4] == found[0][:4] for k in found):
            return found[0]
    return None


PATTERN_WORDS = _pattern_words()
