"""Courses and subjects in a question: codes (one letter off, or a bare number), titles,
spoken subject abbreviations ("psych", "bio")."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from rag.answer.entities.metric_index import STOP
from rag.answer.entities.model import Catalog, Entities
from rag.answer.entities.text import SEASON_WORDS, QuestionText, fold

_CODE = re.compile(r"\b([A-Za-z]{2,8})[ \-]?(\d{4})(?:-(\d{1,2})\b)?\b")


_NOT_LETTERS = SEASON_WORDS | {"in", "of", "to", "for", "from", "and", "since", "the", "spring"}


GENERIC_TITLE_WORDS = frozenset(
    [
        "introduction",
        "intro",
        "fundamentals",
        "foundations",
        "principles",
        "topics",
        "special",
        "general",
        "advanced",
        "computer",
        "science",
        "management",
        "processing",
        "technology",
        "organization",
        "organisation",
        "design",
        "values",
        "human",
        "data",
        "systems",
        "theory",
        "methods",
        "applied",
        "seminar",
        "research",
        "project",
        "studies",
    ]
)
"""Words of course titles too common to name one course on their own."""


_NOT_A_CODE = r"(?!\s*-?\d{4})"


ABBREVIATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), full)
    for pattern, full in (
        (r"\b(?:micro\s*-?\s*econ(?:omics)?|econ(?:omics)?\s+micro)\b", "microeconomics"),
        (r"\b(?:macro\s*-?\s*econ(?:omics)?|econ(?:omics)?\s+macro)\b", "macroeconomics"),
        (r"\bmicro\b", "microeconomics"),
        (r"\bmacro\b", "macroeconomics"),
        (r"\b(?:mgmt|mgt|mngmt)\b", "management"),
        (r"\bdev\b", "development"),
        (r"\bpsych?\b" + _NOT_A_CODE, "psychology"),
        (r"\bbio\b" + _NOT_A_CODE, "biology"),
        (r"\bchem\b" + _NOT_A_CODE, "chemistry"),
        (r"\bphys\b" + _NOT_A_CODE, "physics"),
        (r"\bphilo\b", "philosophy"),
        (r"\bsocio?\b" + _NOT_A_CODE, "sociology"),
        (r"\bcalc\b", "calculus"),
        (r"\balgos?\b", "algorithms"),
        (r"\blin(?:ear)?\s*alg\b", "linear algebra"),
        (r"\bgen\b(?!\s+eds?\b)(?=\s+[a-z])", "general"),
        (r"\bintro\b", "introduction"),
        (r"\btech\b", "technology"),
        # "Fundies" is Northeastern's name for Fundamentals of Computer Science (1 and 2)
        (r"\bfundies\b(?!\s*\d)", "fundamentals of computer science"),
        (r"\bfundies\b", "fundamentals"),
        (r"\s&\s", " and "),
    )
)
"""How students shorten course titles ("intro psych", "gen bio", "micro econ", "fundies 1").
Each is written out only where a title the reports hold uses the full word(s)."""


def _title_words(words: Sequence[str]) -> str:
    """A pattern for title words as people write them: a plural also singular ("the algorithm
    class" is Algorithms), any punctuation or space between the words."""
    forms = [
        re.escape(w[:-1]) + "s?" if len(w) > 4 and w.endswith("s") else re.escape(w) for w in words
    ]
    return r"\b" + r"\W+".join(forms) + r"\b"


def expand_abbreviations(text: str, titles: Sequence[str]) -> str:
    """The question with short forms of title words written out, towards the catalogue's
    titles only ("psych" stays a subject where no title says "psychology")."""
    words = {w for t in titles for w in re.findall(r"[a-z0-9]+", fold(t).lower())}
    for pattern, full in ABBREVIATIONS:
        if all(w in words for w in full.split()):
            text = pattern.sub(full, text)
    return text


def subject_of(word: str, subjects: Sequence[str]) -> str | None:
    """The subject a spoken abbreviation means: "psych" is PSYC, "bio" is BIOL, "econ" ECON."""
    w = fold(word).upper()
    if w in subjects:
        return w
    if len(w) < 3:
        return None
    found = [s for s in subjects if s.startswith(w) or (w.startswith(s) and len(s) >= 3)]
    return found[0] if len(found) == 1 else None


def _spells(code: str, words: Sequence[str]) -> bool:
    """Whether a subject code abbreviates the words in order, each word giving its first letter
    and then any of its later ones: CS "computer science", EECE "electrical and computer
    engineering" ("and" left out), DS "data science"."""
    if not words:
        return not code
    word = words[0]
    for k in range(1, len(code) - len(words) + 2):
        chunk, rest = code[:k], code[k:]
        if chunk[0] != word[0]:
            return False
        letters = iter(word[1:])
        if all(c in letters for c in chunk[1:]) and _spells(rest, words[1:]):
            return True
    return False


def subject_named(words: Sequence[str], subjects: Sequence[str]) -> str | None:
    """The subject a written-out name means: one word by subject_of ("psychology" is PSYC,
    "mathematics" MATH), two or more by the one catalogue code that abbreviates them
    ("computer science" is CS, "data science" DS); None when none or several do."""
    content = [fold(w).lower() for w in words if w.lower() not in ("and", "of", "the", "&")]
    if len(content) == 1:
        return subject_of(content[0], subjects)
    if len(content) < 2:
        return None
    found = [s for s in subjects if _spells(s.lower(), content)]
    return found[0] if len(found) == 1 else None


def read_courses(text: QuestionText, catalog: Catalog, ent: Entities) -> None:
    known = {c.code for c in catalog.courses}
    for m in text.finditer(_CODE):
        letters, number = m.group(1), m.group(2)
        if letters.lower() in _NOT_LETTERS:
            continue
        subject = subject_of(letters, catalog.subjects) if len(letters) > 4 else None
        code = (subject or letters.upper()) + number
        if code in known:
            ent.courses.append(code)
        elif (near := _near_code(letters, number, catalog)) is not None:
            ent.courses.append(near)  # "ECE 2322" for EECE2322: one course with that number
        elif subject is None and (alias := subject_of(letters, catalog.subjects)) is not None:
            if alias + number not in known:
                ent.unknown_courses.append(alias + number)
            else:
                ent.courses.append(alias + number)
        elif len(letters) <= 4 and (
            letters.isupper() or (letters.upper() in catalog.subjects and " " not in m.group(0))
        ):
            ent.unknown_courses.append(code)
        else:
            continue
        if m.group(3):
            ent.sections.append(m.group(3).zfill(2))
        text.consume(m.start(), m.end())
    titles = sorted(catalog.courses, key=lambda c: -len(c.title))
    for course in titles:
        words = re.findall(r"[a-z0-9]+", fold(course.title).lower())
        pattern = re.compile(_title_words(words), re.I)
        for m in text.finditer(pattern):
            if course.code not in ent.courses:
                ent.courses.append(course.code)
            text.consume(m.start(), m.end())
    _title_parts(text, catalog, ent)
    _initials(text, catalog, ent)
    _bare_numbers(text, catalog, ent)
    for m in text.finditer(re.compile(r"\b([A-Z]{2,4})\b")):
        if m.group(1) in catalog.subjects and m.group(1) not in ent.subjects:
            if not any(c.startswith(m.group(1)) for c in ent.courses):  # "CS5800, a CS course"
                ent.subjects.append(m.group(1))
            text.consume(m.start(), m.end())
    # "any good professors in cs", "best lecturer for econ", "in econ fall 2025", "psych or
    # econ?": a subject code or spoken abbreviation ending the question or before a term; the
    # course itself where the subject has only one
    after = r"\b(?:in|of|for)" if not ent.courses else r"(?:\b(?:or|and|vs|versus)|,)"
    for m in text.finditer(
        re.compile(after + r"\s+(?:the\s+)?([a-z]{2,12})\b" + _ENDS_OR_TERM, re.I)
    ):
        subject = subject_of(m.group(1), catalog.subjects)
        if subject is None or subject in ent.subjects:
            continue
        only = [c.code for c in catalog.courses if c.code.startswith(subject)]
        if len(only) == 1 and len(m.group(1)) > 2:  # "econ" where ECON1116 is the one
            if only[0] not in ent.courses:
                ent.courses.append(only[0])
        else:
            ent.subjects.append(subject)
        text.consume(m.start(1), m.end(1))


_ENDS_OR_TERM = (
    r"(?=\s*[?.!,]?\s*$|\s+(?:fall|spring|summer|winter|fa|sp|su|f|s)\s*'?\d{2}\b"
    r"|\s+(?:fall|spring|summer|winter)\b)"
)


def title_initials(title: str) -> set[str]:
    """The initials a title is written as: "THV" for Technology and Human Values, "FCS" and
    "FOCS" for Fundamentals of Computer Science 1 (function words left out or kept)."""
    words = [w for w in re.findall(r"[a-z]+", fold(title).lower())]
    content = [w for w in words if w not in _EDGE_STOP]
    return {"".join(w[0] for w in content).upper(), "".join(w[0] for w in words).upper()}


def _initials(text: QuestionText, catalog: Catalog, ent: Entities) -> None:
    """ "spring 2026 THV": a capitalised word of 3-5 letters that is one title's initials and no
    subject code."""
    by_initials: dict[str, set[str]] = {}
    for course in catalog.courses:
        for initials in title_initials(course.title):
            if len(initials) >= 3:
                by_initials.setdefault(initials, set()).add(course.code)
    for m in text.finditer(re.compile(r"\b([A-Z]{3,5})\b")):
        codes = by_initials.get(m.group(1), set())
        if len(codes) == 1 and m.group(1) not in catalog.subjects:
            code = next(iter(codes))
            if code not in ent.courses:
                ent.courses.append(code)
            text.consume(m.start(), m.end())


def _near_code(letters: str, number: str, catalog: Catalog) -> str | None:
    """The one known course with this number whose letters are one edit away ("ECE", "EECE")."""
    found = [c for c in catalog.courses if c.number == number]
    if len(found) != 1 or len(letters) < 2:
        return None
    want, have = letters.upper(), found[0].subject
    close = difflib.SequenceMatcher(None, want, have).ratio() >= 0.75 or want in have
    return found[0].code if close and want != have else None


def _bare_numbers(text: QuestionText, catalog: Catalog, ent: Entities) -> None:
    """ "the 5800 class": a four-digit number that is one course's number and no year."""
    if ent.courses:
        return
    for m in text.finditer(re.compile(r"(?<![\w'’-])(\d{4})(?![\w-])")):
        number = int(m.group(1))
        if 1900 <= number <= 2099:
            continue
        found = [c for c in catalog.courses if c.number == m.group(1)]
        if len(found) == 1:
            ent.courses.append(found[0].code)
            text.consume(m.start(), m.end())


_EDGE_STOP = frozenset({"of", "and", "the", "to", "in", "for", "a", "an", "on", "with", "at"})
"""Words a run of title words may not start or end with."""


_GENERIC_BEFORE = (
    r"(?:\b(?:" + "|".join(sorted(GENERIC_TITLE_WORDS)) + r")\W+(?:(?:to|of|the)\W+)?)?"
)


def _title_parts(text: QuestionText, catalog: Catalog, ent: Entities) -> None:
    """A run of title words that names one course only: "digital design", "biology", "data
    management", or a title's first word with its closing number ("fundamentals 1").

    Runs of two or more words, or one long word, that no other title shares (one generic word
    such as "fundamentals" or "introduction" alone never counts; a generic word before a run is
    part of it: "intro psych"). Once a course is named, only runs of two or more words name
    another ("algorithms vs data management")."""
    asked = {w for q in catalog.questions for w in re.findall(r"[a-z]+", fold(q.text).lower())}
    titled: dict[str, set[str]] = {}  # word -> the courses whose titles use it
    for course in catalog.courses:
        for word in re.findall(r"[a-z0-9]+", fold(course.title).lower()):
            titled.setdefault(word, set()).add(course.code)
    runs: dict[str, set[str]] = {}
    for course in catalog.courses:
        words = re.findall(r"[a-z0-9]+", fold(course.title).lower())
        if len(words) > 2 and words[-1].isdigit():  # "Fundamentals of Computer Science 1"
            runs.setdefault(f"{words[0]} {words[-1]}", set()).add(course.code)
        for size in (3, 2, 1):
            if size == 1 and ent.courses:
                continue
            for start in range(len(words) - size + 1):
                run = words[start : start + size]
                content = [w for w in run if w not in STOP and w not in GENERIC_TITLE_WORDS]
                if run[0] in _EDGE_STOP or run[-1] in _EDGE_STOP or (size == 1 and not content):
                    continue
                if not content and any(len(titled[w]) > 1 for w in run):
                    continue  # "computer science": generic words another title shares too
                if size == 1 and (len(run[0]) < 7 or run[0] in asked):
                    continue
                runs.setdefault(" ".join(run), set()).add(course.code)
    for words_run in sorted(runs, key=lambda r: (-len(r.split()), -len(r))):
        codes = runs[words_run]
        if len(codes) != 1:
            continue
        pattern = re.compile(_GENERIC_BEFORE + _title_words(words_run.split()), re.I)
        for m in text.finditer(pattern):
            code = next(iter(codes))
            if code not in ent.courses:
                ent.courses.append(code)
            text.consume(m.start(), m.end())
    if not ent.courses:
        _title_starts(text, catalog, ent)


def _title_starts(text: QuestionText, catalog: Catalog, ent: Entities) -> None:
    """The opening words of titles ("fundamentals", "fundamentals of computer science"), the
    longest the question holds: of two words or more and one title's only, that course; of
    several titles, ambiguous (settled by a person or term, or declined naming them)."""
    starts: dict[str, set[str]] = {}
    for course in catalog.courses:
        words = re.findall(r"[a-z0-9]+", fold(course.title).lower())
        if not words or len(words[0]) < 4:
            continue
        for size in range(1, len(words) + 1):
            if words[size - 1] not in _EDGE_STOP:
                starts.setdefault(" ".join(words[:size]), set()).add(course.code)
    found = [
        (start, m)
        for start in sorted(starts, key=lambda w: -len(w.split()))
        for m in text.finditer(re.compile(_title_words(start.split()), re.I))
    ]
    if not found:
        return
    start, m = found[0]
    codes = starts[start]
    if len(codes) == 1 and " " in start:
        ent.courses.append(next(iter(codes)))
        text.consume(m.start(), m.end())
    elif len(codes) > 1:
        ent.ambiguous_courses.append(start)


def settle_ambiguous(text: QuestionText, catalog: Catalog, ent: Entities) -> None:
    """A title word several courses start with ("fundies") names the one course among them
    that the named people taught, or that ran in the named terms ("fundies with Okafor",
    "fundies fall 2021"); with nothing that tells them apart it stays ambiguous (declined)."""
    if ent.courses or not ent.ambiguous_courses:
        return
    people = {p.id for p in ent.instructors}
    keys = {t.sort_key for t in catalog.terms if t.label in ent.terms}
    low = ent.term_from if ent.term_from is not None else -1
    high = ent.term_to if ent.term_to is not None else 10**9
    if not (people or keys or ent.term_from is not None or ent.term_to is not None):
        return

    def fits(code: str) -> bool:
        return any(
            c == code
            and (not people or person in people)
            and (not keys or key in keys)
            and low <= key <= high
            for c, key, person in catalog.offerings
        )

    for word in list(ent.ambiguous_courses):
        starts = [c.code for c in catalog.courses if fold(c.title).lower().startswith(word)]
        fitting = [code for code in starts if fits(code)]
        if len(fitting) == 1:
            ent.courses.append(fitting[0])
            ent.ambiguous_courses.remove(word)
            for m in text.finditer(re.compile(rf"\b{re.escape(word)}\b", re.I)):
                text.consume(m.start(), m.end())
