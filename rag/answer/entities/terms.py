"""Terms and sections in a question: "Fall 2023", "f24", "since 2020", "last three years",
"2023-24", "the other section that term"."""

from __future__ import annotations

import re

from core.report import SEASONS, parse_term
from rag.answer.entities.model import Catalog, Entities
from rag.answer.entities.text import QuestionText


def key_words(key: int) -> str:
    """A term sort key in words ("Summer 1 2025"), or the year alone."""
    year, index = divmod(key, 10)
    return f"{SEASONS[index]} {year}" if index < len(SEASONS) else str(year)


_SEASON_RE = r"(full\s+summer|summer\s*(?:1|2|i{1,2})?|fall|autumn|spring|winter)"


_EXPLICIT = re.compile(
    _SEASON_RE + r"\s*(?:(?:term|semester|session)\s+)?(?:of\s+)?('?\d{2}|\d{4})\b", re.I
)
"""'fall 2023', 'autumn term 2023', 'spring semester of 2024'."""


_TERM_NOUN = re.compile(r"\s+(?:session|term|semester|run|offering)\b", re.I)
"""A noun after a term that names the term again (not the in-class sessions rating)."""


_YEAR_FIRST = re.compile(r"\b((?:19|20)\d{2})\s+" + _SEASON_RE + r"(?!\s*['’]?\d)", re.I)


_ABBREV = re.compile(
    r"\b(fal|fa|fl|f|sp|spr|s|su1|su2|su|sum1|sum2|s1|s2|wi|wn|w)\s?['’]?(\d{4}|\d{2})\b", re.I
)


_RELATIVE = re.compile(r"\b(last|this|past|previous|most\s+recent)\s+" + _SEASON_RE + r"\b", re.I)


_FIRST_TO_LATEST = re.compile(
    r"\b(?:between|from)\s+(?:\w+\s+){0,2}?first\b[^?.;]{0,40}?\b"
    r"(?:and|to|until|through)\s+(?:its|their|his|her|the)?\s*(?:latest|last|most\s+recent|"
    r"newest)(?:\s+(?:terms?|semesters?|ones?|offerings?|reports?))?\b",
    re.I,
)
"""'between its first and latest term': each one's own first and last term with data (a
ranking by change reads these), never the newest term of all the reports."""


_LAST_TERM = re.compile(
    r"\b(?:last|latest|most\s+recent|newest|this|current)\s+(?:term|semester)\b"
    r"|\b(?:latest|most\s+recent|newest)\s+(?:reports?|offerings?|evaluations?|sections?|"
    r"(?:set\s+of\s+)?results)\b"
    r"|\blast\s+time\s+(?:it|she|he|they)\s+(?:ran|was\s+(?:offered|taught)|taught\s+it)\b",
    re.I,
)


_FIRST_TERM = re.compile(
    r"\b(?:the|its|his|her|their|my)\s+(?:very\s+)?(?:first|earliest)\s+"
    r"(?:terms?|semesters?|time|offerings?|reports?|run)\b"
    r"(?:\s+(?:it|she|he|they|i)\s+(?:was\s+|were\s+)?(?:offered|taught|ran|run|evaluated)\b"
    r"|\s+(?:you|we)\s+(?:hold|have)\s+(?:a\s+)?reports?(?:\s+for)?\b)?",
    re.I,
)
"""'the first term it was offered', 'her earliest semester': the oldest term of what is named."""


_YEAR = r"((?:19|20)\d{2})"


_RANGE = re.compile(
    r"\b(?:between|from)\s+" + _YEAR + r"\s+(?:and|to|through|until|-)\s+" + _YEAR + r"\b"
    r"|\b" + _YEAR + r"\s*(?:-|–|to|through)\s*" + _YEAR + r"\b",
    re.I,
)


_ACADEMIC_YEAR = re.compile(
    r"\b(?:(?:the\s+)?(?:academic|school)\s+year\s+)?((?:19|20)\d{2})\s*[-–/]\s*(\d{2})\b"
    r"(?:\s+(?:academic|school)\s+year)?",
    re.I,
)


_SINCE = re.compile(r"\b(since|after|from|before|until|through)\s+" + _YEAR + r"\b", re.I)


_BARE_YEAR = re.compile(r"\b" + _YEAR + r"\b")


_AND_LATER = re.compile(
    r"\s*(?:(?:and|or)\s+(?:later|after|beyond|since|onwards?|up)|onwards?)\b",
    re.I,
)
"""After a term: "Fall 2023 and later", "f23 onwards"."""


_BOUNDS = {"since", "from", "after", "before", "until", "through"}


_ONE_TERM = (
    r"(?:(?:full\s+summer|summer\s*(?:1|2|i{1,2})?|fall|autumn|spring|winter)\s*(?:of\s+)?"
    r"(?:'?\d{2}|\d{4})|(?:fa|fl|f|sp|spr|s|su1|su2|su|sum1|sum2|s1|s2|wi|wn|w)\s?['’]?"
    r"(?:\d{4}|\d{2}))\b"
)


_TERM_SPAN = re.compile(
    r"\b(?:between|from)\s+(" + _ONE_TERM + r")\s+(?:and|to|through|until|-)\s+"
    r"(" + _ONE_TERM + r")",
    re.I,
)
"""'between F22 and F24', 'from spring 2023 to fall 2024': every term from one to the other."""


def _seasons_of(word: str) -> list[str]:
    """Season names a spoken season means; a plain "summer" means every summer session."""
    w = " ".join(word.lower().split())
    if w.startswith("full"):
        return ["Full Summer"]
    if w.startswith("summer") or w in ("su",):
        tail = w.removeprefix("summer").strip()
        if tail in ("1", "i"):
            return ["Summer 1"]
        if tail in ("2", "ii"):
            return ["Summer 2"]
        return ["Summer 1", "Summer 2", "Full Summer"]
    return {
        "fall": ["Fall"],
        "autumn": ["Fall"],
        "fal": ["Fall"],  # a typo of "fall", too short for spelling correction
        "fa": ["Fall"],
        "fl": ["Fall"],
        "f": ["Fall"],
        "spr": ["Spring"],
        "s": ["Spring"],
        "w": ["Winter"],
        "sum1": ["Summer 1"],
        "sum2": ["Summer 2"],
        "spring": ["Spring"],
        "sp": ["Spring"],
        "winter": ["Winter"],
        "wi": ["Winter"],
        "wn": ["Winter"],
        "su1": ["Summer 1"],
        "s1": ["Summer 1"],
        "su2": ["Summer 2"],
        "s2": ["Summer 2"],
    }.get(w, [])


def _year(text: str) -> int:
    digits = text.lstrip("'")
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


def _add_terms(ent: Entities, seasons: list[str], year: int, catalog: Catalog) -> None:
    """Add the labels; of several summer sessions keep those with data (all if none has)."""
    labels = [f"{s} {year}" for s in seasons]
    present = {t.label for t in catalog.terms}
    if len(labels) > 1 and any(label in present for label in labels):
        labels = [label for label in labels if label in present]
    ent.terms += [label for label in labels if label not in ent.terms]


_THAT_TERM = re.compile(r"\b(?:that|the\s+same|this)\s+(?:term|semester)\b", re.I)


_SEASON_OF_THAT_YEAR = re.compile(
    r"\b(?:the\s+)?" + _SEASON_RE + r"\s+(?:(?:section|term|semester|session|run|one)\s+)?"
    r"(?:(?:earlier|later)\s+)?(?:of\s+|in\s+)?(?:that|the\s+same)\s+year\b",
    re.I,
)
"""'the spring of that year', 'the summer 1 section earlier that year': that season, that year."""


_SEASON_NEXT_TO = re.compile(
    r"\b(?:the\s+)?(following|previous|preceding|prior)\s+" + _SEASON_RE + r"\b", re.I
)
"""'the following autumn', 'the previous spring': the nearest such season after (before)."""


_SEASON_SHIFT = re.compile(
    r"\b(?:the\s+)?" + _SEASON_RE + r"\s+(?:(?:a|one|the)\s+year\s+)?(before|after|earlier|prior|"
    r"later)(?!\s+'?\d)(?:\s+(?:that|it|then))?\b",
    re.I,
)


_YEAR_SHIFT = re.compile(
    r"\b(?:the|a|one|(two|three|four))\s+years?\s+(before|earlier|prior|after|later)\b"
    r"|\b(?:the\s+)?(previous|prior|preceding|following)\s+year\b",
    re.I,
)


_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "2": 2, "3": 3, "4": 4,
                 "5": 5, "6": 6}  # fmt: skip


_LAST_YEARS = re.compile(
    r"\b(?:(?:in|over|during|for)\s+)?(?:the\s+|its\s+|his\s+|her\s+|their\s+|my\s+)?"
    r"(?:last|past|previous|recent)\s+"
    r"(two|three|four|five|six|[2-6])\s+(years|terms|semesters)\b",
    re.I,
)


_NEXT_TERM = re.compile(r"\bnext\s+(?:term|semester|year)\b", re.I)


_TERM_STEP = re.compile(
    r"\b(?:the\s+)?(?:(?:term|semester|sem)\s+(?:straight\s+|right\s+|immediately\s+|directly\s+)?"
    r"(after|before|earlier|later)(?:\s+(?:that|it|then))?"
    r"|(following|previous|prior|preceding)\s+(?:term|semester|sem))\b",
    re.I,
)
"""'the term after that', 'the previous semester': the term next to the one read (where the
course or person has a section)."""


_THIS_YEAR = re.compile(r"\b(?:this|current)\s+(?:academic\s+|school\s+)?year\b", re.I)


_PAST_YEAR = re.compile(r"\b(?:the\s+)?past\s+(?:year|12\s+months|twelve\s+months)\b", re.I)


_LAST_YEAR = re.compile(r"\blast\s+year\b", re.I)


SINCE_THEN = re.compile(
    r"\b(?:since\s+(?:then|that\s+(?:term|semester|time|point)|I\s+(?:took|had)\s+(?:it|him|her|them))"
    r"|from\s+then\s+on|still\b[^?.!]{0,40}?\b(?:now|today|these\s+days|nowadays|anymore))\b",
    re.I,
)
"""'since then', 'is she still as good now' after one term named: every term from that one on,
as a trend."""


def _newest_note(newest: str) -> str:
    return f"the newest term in the reports is {newest}"


def _term_keys(words: str) -> list[int]:
    """The sort keys one written term names ("fall 2024", "F24")."""
    for regex in (_EXPLICIT, _ABBREV):
        if m := regex.search(words):
            return [_year(m.group(2)) * 10 + SEASONS.index(s) for s in _seasons_of(m.group(1))]
    return []


def read_terms(text: QuestionText, catalog: Catalog, ent: Entities) -> None:
    newest = catalog.newest
    for m in text.finditer(_NEXT_TERM):
        ent.future = True
        text.consume(m.start(), m.end())
    for m in text.finditer(_TERM_STEP):
        word = (m.group(1) or m.group(2)).lower()
        ent.term_step = 1 if word in ("after", "later", "following") else -1
        text.consume(m.start(), m.end())
    for m in text.finditer(_SEASON_OF_THAT_YEAR):
        seasons = _seasons_of(m.group(1))
        ent.season_of_that_year = seasons[0] if seasons else None
        text.consume(m.start(), m.end())
    for m in text.finditer(_SEASON_NEXT_TO):  # "the following autumn"
        seasons = _seasons_of(m.group(2))
        ent.season_of_that_year = seasons[0] if seasons else None
        ent.season_step = 1 if m.group(1).lower() == "following" else -1
        text.consume(m.start(), m.end())
    for m in text.finditer(_SEASON_SHIFT):  # "and the spring a year before that?"
        seasons = _seasons_of(m.group(1))
        ent.season_of_that_year = seasons[0] if seasons else None
        step = 1 if m.group(2).lower() in ("after", "later") else -1
        if " year " in f" {m.group(0).lower()} ":
            ent.year_shift = step
        else:  # "the fall before that": the nearest one
            ent.season_step = step
        text.consume(m.start(), m.end())
    for m in text.finditer(_YEAR_SHIFT):
        word = (m.group(2) or m.group(3)).lower()
        years_shifted = _NUMBER_WORDS[m.group(1).lower()] if m.group(1) else 1  # "two years later"
        ent.year_shift = (
            years_shifted if word in ("after", "later", "following") else -years_shifted
        )
        text.consume(m.start(), m.end())
    for m in text.finditer(_THAT_TERM):
        ent.same_term = True
        text.consume(m.start(), m.end())
    for m in text.finditer(_LAST_YEARS):
        count = _NUMBER_WORDS[m.group(1).lower()]
        if newest is not None and m.group(2).lower() == "years":
            ent.term_from = (newest.year - count + 1) * 10
        elif newest is not None:  # of what is named (named_terms), once it is all read
            ent.last_terms = count
        text.consume(m.start(), m.end())
    for m in text.finditer(_RELATIVE):
        if newest is not None:
            before = list(ent.terms)
            for season in _seasons_of(m.group(2)):
                year = newest.year
                if SEASONS.index(season) > SEASONS.index(newest.season):
                    year -= 1
                _add_terms(ent, [season], year, catalog)
            read = ", ".join(t for t in ent.terms if t not in before)
            words = " ".join(m.group(0).split())
            ent.read_as.append(f"“{words}” is {read} ({_newest_note(newest.label)})")
        text.consume(m.start(), m.end())
    if newest is not None:  # the data's newest term is "now": reports come after a term ends
        for regex, shift in ((_THIS_YEAR, 0), (_PAST_YEAR, None), (_LAST_YEAR, -1)):
            for m in text.finditer(regex):
                words = " ".join(m.group(0).split())
                if shift is None:  # the twelve months up to the newest term
                    ent.term_from, ent.term_to = newest.sort_key - 9, newest.sort_key
                    read = f"{key_words(ent.term_from)} to {newest.label}"
                else:
                    year = newest.year + shift
                    ent.term_from, ent.term_to = year * 10, year * 10 + 9
                    read = str(year)
                ent.read_as.append(f"“{words}” is {read} ({_newest_note(newest.label)})")
                text.consume(m.start(), m.end())
    for m in text.finditer(_FIRST_TO_LATEST):
        text.consume(m.start(), m.end())
    for m in text.finditer(_LAST_TERM):  # the newest term of what is named (named_terms)
        ent.latest = True
        text.consume(m.start(), m.end())
    for m in text.finditer(_FIRST_TERM):  # the oldest term of what is named (named_terms)
        ent.earliest = True
        text.consume(m.start(), m.end())
    for m in text.finditer(_TERM_SPAN):
        ends = [_term_keys(m.group(1)), _term_keys(m.group(2))]
        if all(ends):
            ent.term_from, ent.term_to = min(ends[0]), max(ends[1])
            text.consume(m.start(), m.end())
    for m in text.finditer(_YEAR_FIRST):  # "2023 fall"
        _add_terms(ent, _seasons_of(m.group(2)), int(m.group(1)), catalog)
        text.consume(m.start(), m.end())
    for regex in (_EXPLICIT, _ABBREV):
        for m in text.finditer(regex):
            seasons, year = _seasons_of(m.group(1)), _year(m.group(2))
            before = text.masked[: m.start()].split()
            bound = before[-1].lower() if before else ""
            if bound in _BOUNDS and seasons:
                keys = [year * 10 + SEASONS.index(s) for s in seasons]
                if bound in ("since", "from", "after"):
                    ent.term_from = min(keys) + (1 if bound == "after" else 0)
                else:
                    ent.term_to = max(keys) - (1 if bound == "before" else 0)
                prefix = text.masked[: m.start()].rstrip()
                text.consume(len(prefix) - len(before[-1]), m.end())
                continue
            later = _AND_LATER.match(text.masked, m.end())
            if later is not None and seasons:  # "fall 2023 and later": from that term on
                ent.term_from = min(year * 10 + SEASONS.index(s) for s in seasons)
                text.consume(m.start(), later.end())
                continue
            _add_terms(ent, seasons, year, catalog)
            noun = _TERM_NOUN.match(text.masked, m.end())  # "the full summer 2023 session"
            text.consume(m.start(), noun.end() if noun else m.end())
    for m in text.finditer(_ACADEMIC_YEAR):  # "2023-24": Fall 2023 through the summer of 2024
        first = int(m.group(1))
        if int(m.group(2)) == (first + 1) % 100:
            ent.term_from, ent.term_to = first * 10 + SEASONS.index("Fall"), (first + 1) * 10 + 3
            text.consume(m.start(), m.end())
    for m in text.finditer(_RANGE):
        years = sorted(int(y) for y in m.groups() if y)
        ent.term_from, ent.term_to = years[0] * 10, years[-1] * 10 + 9
        text.consume(m.start(), m.end())
    for m in text.finditer(_SINCE):
        word, year = m.group(1).lower(), int(m.group(2))
        if word in ("since", "from"):
            ent.term_from = year * 10
        elif word == "after":
            ent.term_from = (year + 1) * 10
        elif word == "before":
            ent.term_to = year * 10 - 1
        else:
            ent.term_to = year * 10 + 9
        text.consume(m.start(), m.end())
    for m in text.finditer(_BARE_YEAR):
        year = int(m.group(1))
        ent.term_from, ent.term_to = year * 10, year * 10 + 9
        text.consume(m.start(), m.end())
    since_then = text.finditer(SINCE_THEN)
    if since_then and len(ent.terms) == 1 and ent.term_from is None:
        term = parse_term(ent.terms[0])  # "took it in fall 2021. has it gotten better since then"
        if term is not None:
            ent.terms, ent.term_from, ent.breakdown = [], term.sort_key, ent.breakdown or "term"
            for m in since_then:
                text.consume(m.start(), m.end())
    for label in ent.terms:  # keep labels canonical for exact filtering
        assert parse_term(label) is not None, label


def read_sections(text: QuestionText, ent: Entities) -> None:
    for m in text.finditer(r"\bsec(?:tion)?s?\.?\s+(one|two|three|four|five|six)\b"):
        index = ("one", "two", "three", "four", "five", "six").index(m.group(1).lower())
        ent.sections.append(f"{index + 1:02d}")
        text.consume(m.start(), m.end())
    for m in text.finditer(
        r"\bsec(?:tion)?s?\.?\s*#?\s*(\d{1,3})(?:\s*(?:and|&|or|vs\.?|versus|,)\s*"
        r"(?:sec(?:tion)?\.?\s*#?\s*)?(\d{1,3}))?\b"
    ):
        for number in (g for g in m.groups() if g):
            label = number.zfill(2) if len(number) < 2 else number
            if label not in ent.sections:
                ent.sections.append(label)
        text.consume(m.start(), m.end())
    for m in text.finditer(r"\b(?:the\s+)?other\s+(?:sections?|one)\b"):
        ent.other_section = True
        text.consume(m.start(), m.end())
    for m in text.finditer(r"\b(?:the|his|her|their)\s+other\s+(?:courses?|class(?:es)?)\b"):
        ent.other_course = True
        text.consume(m.start(), m.end())


def previous_terms(new: Entities, previous: Entities) -> list[str] | None:
    """ "that term" is the previous turn's term; "the spring of that year" its year's spring."""
    if new.same_term and previous.terms:
        return list(previous.terms)
    if new.season_of_that_year and previous.terms:
        season, year = previous.terms[0].rsplit(" ", 1)
        shift = new.year_shift
        if new.season_step:  # the nearest such season before (or after) that term
            order = [str(s) for s in SEASONS]
            asked, then = order.index(new.season_of_that_year), order.index(season)
            crossed = asked >= then if new.season_step < 0 else asked <= then  # into another year
            shift = new.season_step if crossed else 0
        return [f"{new.season_of_that_year} {int(year) + shift}"]
    if new.year_shift and previous.terms and not new.terms:
        shifted = []
        for label in previous.terms:
            season, year = label.rsplit(" ", 1)
            shifted.append(f"{season} {int(year) + new.year_shift}")
        return shifted
    return None


def named_terms(ent: Entities, catalog: Catalog) -> None:
    """Terms said relative to what is named, read once the courses and people are known: "its
    latest report" is the newest term in which the courses and people named (or inherited) have a
    section (else the newest of all the reports), "the first term it was offered" the oldest, and
    "its last three terms" start at the third newest."""
    if not (ent.latest or ent.earliest or ent.last_terms):
        return
    ids = {p.id for p in ent.instructors}
    taught = catalog.terms_of(ent.courses, ent.subjects, ids) or list(catalog.terms)
    if not taught:
        return
    newest = catalog.newest
    if ent.last_terms:  # "its last three terms"
        first = taught[-ent.last_terms :][0]
        ent.term_from = first.sort_key
        if newest is not None and taught[-1].label != newest.label:
            ent.read_as.append(
                f"the last {ent.last_terms} terms of {_named(ent)} begin in {first.label}"
            )
    if ent.latest:
        term, said = taught[-1], "latest"
    elif ent.earliest:
        term, said = taught[0], "first"
    else:
        return
    ent.terms, ent.term_from, ent.term_to = [term.label], None, None
    if ent.earliest or (newest is not None and term.label != newest.label):
        ent.read_as.append(f"the {said} term of {_named(ent)} in the reports is {term.label}")


def _named(ent: Entities) -> str:
    names = [*ent.courses, *(f"{s} courses" for s in ent.subjects)]
    names += [p.name for p in ent.instructors]
    return ", ".join(dict.fromkeys(names)) or "the reports"


_SWITCH = r"(?:switch(?:ed)?|move|moved|change|changed|migration|transition)\s+to"
_AFTER_SWITCH = re.compile(
    rf"\b(?:after|since|following|post)\s+the\s+{_SWITCH}\s+(?:blue|the\s+new\s+\w+)\b"
    r"|\b(?:on|in|with|using)\s+the\s+new\s+(?:blue\s+)?(?:forms?|system|surveys?|evals?|reports?)\b"
    r"|\b(?:on|in)\s+blue\b|\bblue\s+(?:era|forms?|reports?|surveys?)\b",
    re.I,
)
_BEFORE_SWITCH = re.compile(
    rf"\bbefore\s+the\s+{_SWITCH}\s+(?:blue|the\s+new\s+\w+)\b"
    r"|\b(?:on|in|with|using)\s+the\s+old\s+(?:collegenet\s+)?(?:forms?|system|surveys?|evals?|"
    r"reports?)\b|\b(?:on|in)\s+collegenet\b|\bcollegenet\s+(?:era|forms?|reports?|surveys?)\b",
    re.I,
)
"""The university's move from CollegeNET reports to Blue ones, as a time: "after the switch to
Blue", "on the new forms", "before the switch", "on the old CollegeNET forms"."""


def read_layout_switch(text: QuestionText, catalog: Catalog, ent: Entities) -> None:
    """ "after the switch to Blue": from the first term with a Blue report; "before" it: up to the
    term before. A term named as well ("spring 26, after the switch to blue") decides alone."""
    after, before = text.finditer(_AFTER_SWITCH), text.finditer(_BEFORE_SWITCH)
    for m in [*after, *before]:
        text.consume(m.start(), m.end())
    named = ent.terms or ent.term_from is not None or ent.term_to is not None
    if catalog.blue_from is None or named or not (after or before):
        return
    if after:
        ent.term_from = catalog.blue_from
    else:
        ent.term_to = catalog.blue_from - 1
