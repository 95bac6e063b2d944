"""Entity resolution for the quantitative route: which course, who, when and which metric,
and what a follow-up inherits from the turn before."""

from __future__ import annotations

import re
from typing import cast

from rag.answer.entities.courses import (
    GENERIC_TITLE_WORDS,
    expand_abbreviations,
    read_courses,
    settle_ambiguous,
    subject_named,
    subject_of,
)
from rag.answer.entities.metric_index import STOP, SYNONYMS, MetricIndex, metric_words
from rag.answer.entities.model import Catalog, Entities, MetricRef
from rag.answer.entities.people import read_instructors
from rag.answer.entities.reading import (
    EVERYDAY,
    KNOWN_WORDS,
    PATTERN_WORDS,
    about_them,
    correct_spelling,
    read_early,
    read_preamble,
    read_vocabulary,
    split_aside,
    split_introduction,
)
from rag.answer.entities.scene import scene_words
from rag.answer.entities.spoken import said_as_written
from rag.answer.entities.terms import (
    SINCE_THEN,
    named_terms,
    previous_terms,
    read_layout_switch,
    read_sections,
    read_terms,
)
from rag.answer.entities.text import WORD, QuestionText, fold
from rag.answer.vocabulary import (
    EXCLUDE,
    FILLER_WORDS,
    FLIPPED,
    FUNCTION_WORDS,
    WEAKEST_ITEM,
)


def resolve(
    question: str,
    catalog: Catalog,
    *,
    metric_index: MetricIndex | None,
    previous: Entities | None = None,
) -> Entities:
    """Read every entity the question names; `previous` fills what a follow-up leaves out."""
    known = _known_words(catalog)
    titles = [c.title for c in catalog.courses]
    text = QuestionText(said_as_written(question, titles, known[0] | known[1] | PATTERN_WORDS))
    text.masked = expand_abbreviations(text.masked, titles)
    text.masked = correct_spelling(text.masked, *known, keep=FILLER_WORDS)
    corrected = text.masked
    read_preamble(text)
    spelled = text.masked
    ent = Entities(spelled=corrected)
    read_early(text, ent)
    _survey_titles(text, catalog, ent)
    _exclusions(text, catalog, ent)
    read_courses(text, catalog, ent)
    _named_titles(text, catalog, ent)
    read_terms(text, catalog, ent)
    read_layout_switch(text, catalog, ent)
    read_sections(text, ent)
    vocabulary = known[0] | PATTERN_WORDS | EVERYDAY | FILLER_WORDS
    other = text.finditer(_OTHER_PERSON)  # "the other prof": no title before a name
    for m in other:
        text.consume(m.start(), m.end())
    read_instructors(text, catalog, ent, vocabulary=vocabulary)
    if other:
        _the_other_person(catalog, ent)
    ent.refers_to_person = PERSON_REFERENCE.search(text.masked) is not None  # names masked
    for m in text.finditer(FLIPPED):  # "flip it": the ranking's order, not the course it put first
        text.consume(m.start(), m.end())
    ent.refers_to_course = COURSE_REFERENCE.search(text.masked) is not None
    settle_ambiguous(text, catalog, ent)
    _descriptors(text, catalog, ent)
    ent.plain = names_masked(text.original, spelled, text.masked)
    read_vocabulary(text, catalog, ent)
    phrase = " ".join(
        w for w in metric_words(text.masked).split() if w not in FUNCTION_WORDS | FILLER_WORDS
    )
    whole_asked = ent.evaluative and not _RATING_WORD.search(WEAKEST_ITEM.sub(" ", text.original))
    if not phrase and ent.overall_word and not (ent.figure or ent.hours or whole_asked):
        phrase = "overall"  # "okafor vs lee overall": the overall rating (not "how is she overall")
    if ent.difficulty and metric_index is not None:
        ent.challenge = metric_index.match("challenging")
    if ent.hours and catalog.prompts:  # time outside class: the hours block, whatever else
        prompt = next((p for p in catalog.prompts if "hour" in p.lower()), catalog.prompts[0])
        ent.metric = MetricRef(kind="hours", text=prompt, phrase="hours", similarity=1.0)
    elif phrase:
        quoted = _quoted_item(question, metric_index)
        matched = quoted or (metric_index.match(phrase) if metric_index is not None else None)
        if metric_index is not None and matched is None:
            unscened = _without_scene(phrase, corrected, metric_index, ent)
            if unscened != phrase:
                phrase, matched = unscened, metric_index.match(unscened) if unscened else None
        ent.metric_phrase = phrase or None
        if metric_index is not None and phrase:
            ent.metric = matched
            if ent.metric is None and not ent.unprinted:
                ent.leftover = metric_index.unknown_words(phrase) or phrase.split()
                if not (ent.future or ent.outside):
                    ent.by_meaning = metric_index.by_meaning(phrase)
    ent.measure_named = ent.names_measure()
    ent.names_someone = bool(ent.instructors or ent.courses or ent.sections or ent.subjects)
    if previous is not None:
        ent = _follow_up(ent, previous)
        ent = _same_person_elsewhere(ent, previous, catalog)
    if ent.term_step and len(ent.terms) == 1:  # "the term after that"
        ids = {p.id for p in ent.instructors}
        term = catalog.stepped(ent.terms[0], ent.term_step, ent.courses, ids)
        if term is not None:
            ent.terms = [term.label]
        elif ent.term_step > 0:  # after the newest term taught
            ent.future = True
        else:
            ent.leftover, ent.unprinted = [f"term before {ent.terms[0]} in this scope"], True
    named_terms(ent, catalog)
    return ent


_OTHER_PERSON = re.compile(
    r"\b(?:the\s+)?other\s+(?:prof|profs|professors?|instructors?|teachers?|lecturers?|guy|"
    r"lady|person|people)\b",
    re.I,
)


def _without_scene(phrase: str, question: str, index: MetricIndex, ent: Entities) -> str:
    """The phrase less the words that only set the scene (rag.answer.entities.scene), where what
    is left still names something to compute ("advising a sophomore. how many were enrolled?");
    else the phrase."""
    scene = scene_words(question, index.unknown_words(phrase))
    rest = " ".join(w for w in phrase.split() if w not in scene)
    if not scene:
        return phrase
    if ent.figure or ent.statistic or ent.options:
        return rest
    if not rest and ent.evaluative and ent.breakdown == "term":
        return rest  # "been on exchange for a year, how has fundies been going lately?"
    if len(rest.split()) >= _MEASURE_WORDS and index.match(rest) is not None:
        return rest
    return phrase


_MEASURE_WORDS = 2
"""Fewest words left that may name a rating without the scene: one ("accurate", after "heard lin
alg destroys people."; "verdict", after "her online ethics class -") is a verdict, not a rating
question."""


def _the_other_person(catalog: Catalog, ent: Entities) -> None:
    """ "lin alg with Núñez or hold out for the other prof": the named person and whoever else
    taught the named course, side by side."""
    people = {p.name for p in ent.instructors}
    if len(people) != 1 or not ent.courses:
        return
    named = {p.id for p in ent.instructors}
    taught = {i for code, _, i in catalog.offerings if code in ent.courses and i is not None}
    others = [p for p in catalog.instructors if p.id in taught - named and p.name not in people]
    ent.instructors = [*ent.instructors, *others]


def _same_person_elsewhere(ent: Entities, previous: Entities, catalog: Catalog) -> Entities:
    """ "Kowalczyk's clarity in lin alg" then "and in digital design?": a new course asked
    about a person keeps the person where they taught it (a course they never taught starts
    afresh, as any new course does)."""
    people = {p.name for p in previous.instructors}
    if len(people) != 1 or not previous.courses or ent.instructors or not ent.courses:
        return ent
    if set(ent.courses) & set(previous.courses) or ent.versus_previous or ent.narrow:
        return ent
    ids = {p.id for p in previous.instructors}
    taught = {code for code, _, person in catalog.offerings if person in ids}
    if not set(ent.courses) <= taught:
        return ent
    return ent.model_copy(update={"instructors": list(previous.instructors)})


def resolve_asked(
    question: str,
    catalog: Catalog,
    *,
    metric_index: MetricIndex | None,
    previous: Entities | None = None,
) -> tuple[str, Entities]:
    """The question without the asker's aside (reading.split_aside), and its entities read with
    the people, courses and terms the aside names as context, the way a follow-up reads the turn
    before: "Is Dr. O'Brien-Smith a good teacher? My son has her for psychology and keeps saying
    she's the best" asks about O'Brien-Smith in psychology, and "the best" ranks nothing."""
    name, rest = split_introduction(question)
    if name and _only_a_name(name, catalog):  # "I'm José Núñez. How am I doing?": their reports
        question = about_them(name, rest)
    aside, asked = split_aside(question)
    if aside:
        said = resolve(aside, catalog, metric_index=None, previous=previous)
        bare = resolve(asked, catalog, metric_index=None, previous=previous)
        # (not a figure: "I'm signed up for it", "I enrolled" describe the asker)
        since_then = len(said.terms) == 1 and SINCE_THEN.search(asked) is not None
        if since_then or (not bare.names_measure() and (said.hours or said.statistic)):
            # "I'm picking a course to TA and want the one with the least out-of-class work.
            # which is it?": what to measure is in the aside, so the aside is part of the ask;
            # so is its term before "still … now" ("I had her in Spring 2021. still as good now?")
            return question, resolve(
                question, catalog, metric_index=metric_index, previous=previous
            )
        if said.names_scope():
            scope = {
                "seasons": said.seasons,
                "exclude_seasons": said.exclude_seasons,
                "courses": said.courses,
                # "I chair the EECE dept": the asker's department scopes "which course is best?"
                # but not a question that names its own course or person
                "subjects": (previous.subjects if previous else [])
                if bare.courses or bare.instructors
                else said.subjects,
                "instructors": said.instructors,
                "terms": said.terms,
                "term_from": said.term_from,
                "term_to": said.term_to,
                "sections": said.sections,
            }
            previous = (previous or Entities()).model_copy(update=scope)
    return asked, resolve(asked, catalog, metric_index=metric_index, previous=previous)


_TITLE = frozenset({"prof", "professor", "dr", "doctor", "mr", "mrs", "ms", "mx"})


def _only_a_name(words: str, catalog: Catalog) -> bool:
    """Whether the words are an instructor's name and nothing else ("Hannah Lee", "Prof. Lee"),
    not "Okafor's TA" or "taking Okafor next fall"."""
    said = resolve(words, catalog, metric_index=None)
    if not said.instructors or said.courses or said.terms:
        return False
    parts = {w.lower() for p in said.instructors for w in re.findall(r"[\w'-]+", fold(p.name))}
    asked = [w.lower() for w in re.findall(r"[\w'-]+", fold(words))]
    return all(w in parts or w.rstrip(".") in _TITLE for w in asked)


_RATING_WORD = re.compile(r"\b(?:rat(?:e|ed|es|ing|ings)|scored?|scores|numbers?)\b", re.I)
"""'how did she rate overall' asks for the overall rating, 'how is she overall' for all of it."""


PERSON_REFERENCE = re.compile(
    r"\b(?:he|she|him|his|her|hers|(?:that|this|the\s+same)\s+(?:persons?|profs?|"
    r"professors?|instructors?|teachers?|lecturers?|guy|woman|man|one)(?:'s)?)\b",
    re.I,
)
"""'his overall number', 'that person's explanations': someone an earlier turn named (used only
in a follow-up, and only when the last answer singled someone out). "persons": spelling
correction's reading of "person"."""

COURSE_REFERENCE = re.compile(
    r"\b(?:(?<!\bis\s)(?<!\bare\s)(?<!\bwas\s)(?<!\bwere\s)there|it|its|(?:that|this|the\s+same|"
    r"the\s+(?:top|first|winning))\s+(?:course|class|module|one))\b",
    re.I,
)
"""'how many students there said 13-16 hours?', 'is it worth taking?': the course an earlier
ranking put first (used only in a follow-up that names no course, after a ranking of courses;
"is there", "are there" ask whether something exists)."""


def names_masked(original: str, spelled: str, masked: str) -> str:
    """The question with each run of names read (courses, people, terms, sections) as "X", the
    way the intent examples are written ("how has X changed", "X vs X"), in the asker's own
    words where spelling correction kept their count ("goat", not "got")."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", spelled)]
    asked = original.split()
    own = len(asked) == len(spans)
    out: list[str] = []
    for index, (start, end) in enumerate(spans):
        if masked[start:end].strip() != spelled[start:end]:  # a name read in it
            if not out or out[-1] != "X":
                out.append("X")
        else:
            out.append(asked[index] if own else spelled[start:end])
    return " ".join(out)


def _known_words(catalog: Catalog) -> tuple[frozenset[str], frozenset[str]]:
    """Words a question may use, for spelling correction: the readers', the function words and
    the catalogue's texts (question texts, headings, prompts, titles), then its names."""
    texts = [q.text for q in catalog.questions] + [q.heading or "" for q in catalog.questions]
    texts += list(catalog.prompts) + [c.title for c in catalog.courses]
    words = {w for t in texts for w in re.findall(r"[a-z]+", fold(t).lower())}
    words |= {s.lower() for s in catalog.subjects}
    names = {
        w
        for p in catalog.instructors
        for w in re.findall(r"[a-z]+", fold(f"{p.first} {p.last}").lower())
    }
    general = KNOWN_WORDS | FUNCTION_WORDS | STOP | frozenset(SYNONYMS) | frozenset(words)
    return general, frozenset(names)


def _survey_titles(text: QuestionText, catalog: Catalog, ent: Entities) -> None:
    """A survey named by its title ("what did students say in the lab survey?") reads surveys.

    Only titles of two words or more count: one word ("Feedback") is too common to mean a
    survey; the generic phrases ("the mid-term survey") are read by `read_early`."""
    for title in sorted(catalog.surveys, key=len, reverse=True):
        words = re.findall(r"[a-z0-9]+", fold(title).lower())
        if len(words) < 2:
            continue
        found = text.finditer(r"\b" + r"[\s\-_'’]+".join(map(re.escape, words)) + r"\b")
        for m in found:
            text.consume(m.start(), m.end())
            ent.source = "survey"
            ent.survey = title


def _exclusions(text: QuestionText, catalog: Catalog, ent: Entities) -> None:
    """ "leave out psych", "except CS5800", "other than Okafor": what a scope must not hold."""
    for m in text.finditer(EXCLUDE):
        tail = text.masked[m.end() :]
        stop = re.search(r"[,.;?!]|\b(?:in|for|during|since|from)\b", tail)
        end = m.end() + (stop.start() if stop else len(tail))
        clause = QuestionText(text.masked[m.end() : end])
        found = Entities()
        read_courses(clause, catalog, found)
        for word in WORD.finditer(clause.masked):
            subject = subject_of(word.group(0), catalog.subjects)
            if subject is not None and subject not in found.subjects:
                found.subjects.append(subject)
                clause.consume(word.start(), word.end())
        read_instructors(clause, catalog, found)
        if not (found.courses or found.subjects or found.instructors):
            continue
        ent.exclude_courses += found.courses
        ent.exclude_subjects += found.subjects
        ent.exclude_instructors += found.instructors
        text.consume(m.start(), end)


_POSSESSED_COURSE = re.compile(
    r"(?:'s?|\b(?:his|her|their))\s+((?:[a-z][a-z\-]*\s+){1,3}?)(?:courses?|modules?)\b", re.I
)


_SUBJECT_NOUN = re.compile(
    r"\b((?:[a-z]{2,12}\s+(?:(?:and|&)\s+)?){0,2}[a-z]{2,12})\s+(?:courses?|class(?:es)?|"
    r"modules?|department|dept|major|professors?|profs?|instructors?|teachers?|lecturers?|"
    r"faculty)\b",
    re.I,
)
"""A subject written before a course noun: "econ class", "psychology course", "best computer
science course", "electrical and computer engineering professors", "the online phil module"
(British English)."""


_DELIVERY = frozenset({"online", "hybrid", "remote", "in-person"})
"""How a course is taught, before its subject ("the online phil module"): part of the name."""


_ONLINE_SECTIONS = re.compile(
    r"\b(?:ran|running|runs|had|has|with|in|of|for|both|the|its|two|three|\d+)\s+online\s+"
    r"(?:sections?|offerings?)\b",
    re.I,
)
"""'Gen bio ran two online sections': which sections, not the online sections' own question."""


def _descriptors(text: QuestionText, catalog: Catalog, ent: Entities) -> None:
    """Words that describe a course a person teaches ("Dubois's biology course", "her online
    ethics class", "ran two online sections") or name a subject ("econ class") say which course,
    not what to measure."""
    for m in text.finditer(_ONLINE_SECTIONS):
        text.consume(m.start(), m.end())
    for m in text.finditer(_POSSESSED_COURSE):
        if ent.instructors or ent.courses:
            text.consume(m.start(1), m.end(1))
    for m in text.finditer(_SUBJECT_NOUN):
        words = list(re.finditer(r"[a-z&]+", m.group(1), re.I))
        for first in range(len(words)):  # the longest run of words before the noun that names one
            subject = subject_named([w.group(0) for w in words[first:]], catalog.subjects)
            if subject is None:
                continue
            if not any(c.startswith(subject) for c in ent.courses) and subject not in ent.subjects:
                ent.subjects.append(subject)
            start = words[first].start()
            if first and words[first - 1].group(0).lower() in _DELIVERY:  # "online phil module"
                start = words[first - 1].start()
            text.consume(m.start(1) + start, m.end(1))
            break
    words = list(WORD.finditer(text.masked))
    for index, word in enumerate(words):  # "intro psych (PSYC1101)": the named subject
        subject = subject_of(word.group(0), catalog.subjects)
        if subject is None or not any(c.startswith(subject) for c in ent.courses):
            continue
        text.consume(word.start(), word.end())
        before = words[index - 1] if index else None
        if before is not None and before.group(0).lower() in GENERIC_TITLE_WORDS:
            text.consume(before.start(), before.end())


def _named_titles(text: QuestionText, catalog: Catalog, ent: Entities) -> None:
    """Runs of a named course's title words ("CS7180, the responsible ML special topics
    course") describe the course, not a metric; a single title word may well be a metric."""
    titles = {c.code: c.title for c in catalog.courses}
    for code in ent.courses:
        words = {w for w in re.findall(r"[a-z0-9]+", fold(titles.get(code, "")).lower())}
        words -= {"and", "of", "the", "in", "to", "for"}
        if not words:
            continue
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        run = re.compile(
            rf"\b(?:{alternatives})(?:\W+(?:(?:and|of|the|in)\W+)?(?:{alternatives}))+\b", re.I
        )
        for m in text.finditer(run):
            text.consume(m.start(), m.end())


def _follow_up(new: Entities, previous: Entities) -> Entities:
    """A follow-up inherits only the kinds of scope it does not state itself.

    A new course (or subject) starts a new subject: the old course, section, instructor and term
    go unless the follow-up names them too ("what about CS5800?"). A new term keeps the course,
    instructor and section ("and in Spring 2024?"); a new instructor keeps the course and term
    ("what about Prof. Lee?"); a new section keeps the course and term ("and section 2?"), and
    "the other section" is the course's other sections that term, whoever taught them, and "her
    other course" the person's courses but the last one, in any term. "that
    term" and "the spring of that year" read the previous turn's term. With "more than" or
    "compared to" the named course (or person) is added to the old one, to compare the two; with
    "only" it narrows the old scope instead of replacing it.
    """
    update: dict[str, object] = {}
    named_course = _names_course(new)
    named_time = bool(new.terms or new.term_from is not None or new.term_to is not None)
    terms = previous_terms(new, previous)
    if named_course and new.versus_previous and previous.courses:
        update["courses"] = [
            *previous.courses,
            *(c for c in new.courses if c not in previous.courses),
        ]
        named_course = False
    if new.instructors and new.versus_previous and previous.instructors:
        known = {p.id for p in new.instructors}
        update["instructors"] = [
            *(p for p in previous.instructors if p.id not in known),
            *new.instructors,
        ]
    if new.narrow:  # "only in CS2500": the new course narrows what the last turn asked about
        named_course = False
    if new.other_course and previous.courses and not named_course:
        # "what about her other course?": the same people, any course but the last, any term
        update["courses"] = []
        update["exclude_courses"] = [*previous.exclude_courses, *previous.courses]
        update["instructors"] = new.instructors or previous.instructors
        named_course = True
    if not named_course:
        _inherit_scope(new, previous, update)
    if terms is None and new.versus_previous and new.terms and previous.terms and not named_course:
        # "Fall 2021's" then "vs her fall 2025 number": the two terms, side by side
        terms = [*previous.terms, *(t for t in new.terms if t not in previous.terms)]
    if terms is not None:
        update.update(terms=terms, term_from=None, term_to=None)
    elif not named_time and not named_course and not new.all_terms:
        update.update(terms=previous.terms, term_from=previous.term_from, term_to=previous.term_to)
        if new.seasons:  # "and every fall?": that season in every year of the range, not one term
            update["terms"] = []
    if not (named_time or new.seasons or new.exclude_seasons or new.all_terms or named_course):
        update.update(seasons=previous.seasons, exclude_seasons=previous.exclude_seasons)
    if new.metric is None and not (new.metric_phrase or new.figure or new.hours):
        # "and the median?", "how many 5s?": a new statistic of the same question
        update.update(metric=previous.metric, metric_phrase=previous.metric_phrase)
        if not (new.statistic or new.options):
            update.update(figure=previous.figure, hours=previous.hours)
    if not new.names_measure():
        update.update(
            metric=previous.metric,
            metric_phrase=previous.metric_phrase,
            figure=previous.figure,
            statistic=previous.statistic,
            hours=previous.hours,
            options=previous.options,
            leftover=[],
        )
        if new.breakdown is None and not new.aggregate:
            update["breakdown"] = previous.breakdown
    only_a_rating = bool(new.metric or new.metric_phrase) and not (
        new.statistic or new.options or new.figure or new.hours or new.names_scope()
    )
    if only_a_rating and previous.metric is not None and (previous.statistic or previous.options):
        # "the share giving a 5 on clarity" then "and on fair evaluation?": the same statistic
        update.update(statistic=previous.statistic, options=previous.options)
    if new.without_them and previous.figure == "responses" and not new.figure:
        update["figure"] = "respondents"  # "including declines" then "and excluding them?"
    # the one a ranking put first, asked about anew (not ranked again): "which prof had X in
    # F22?" then "his overall number that semester?"; "which class ate up the most hours?" then
    # "how many students there said 13-16?"
    carried = cast(list[str], update.get("carried", []))
    if new.refers_to_person and not new.instructors and previous.answered:
        update["instructors"] = list(previous.answered)  # named by "his", not carried
        update["carried"] = [k for k in carried if k != "instructors"]
    elif new.refers_to_course and previous.answered_course and not _names_course(new):
        update.update(courses=[previous.answered_course], subjects=[], sections=[])
        update["carried"] = [k for k in carried if k not in ("courses", "sections")]
    else:
        update["intent"] = previous.intent
    update["topic"] = previous.topic
    return new.model_copy(update=update)


def _names_course(ent: Entities) -> bool:
    return bool(ent.courses or ent.unknown_courses or ent.subjects)


def _inherit_scope(new: Entities, previous: Entities, update: dict[str, object]) -> None:
    """The previous turn's course, sections, people and exclusions, where the follow-up names no
    course of its own (or narrows with "only")."""
    if "courses" not in update:
        update["courses"] = previous.courses
    update.update(unknown_courses=previous.unknown_courses, subjects=previous.subjects)
    if new.other_section:
        update["sections"] = []
        update["exclude_sections"] = previous.sections
        if not previous.sections:  # the other section: the one the named person did not teach
            update["exclude_instructors"] = [
                *previous.exclude_instructors,
                *previous.instructors,
            ]
    elif not new.sections and not new.instructors and not new.all_sections:
        update["sections"] = previous.sections
        update["exclude_sections"] = previous.exclude_sections
    if not (new.instructors or new.unknown_instructors or new.other_section):
        update["instructors"] = previous.instructors
        update["unknown_instructors"] = previous.unknown_instructors
    if new.narrow and (new.courses or new.subjects):
        update["courses"] = new.courses
        update["subjects"] = new.subjects
    kept = {
        "courses": update["courses"] == previous.courses and not new.courses,
        "instructors": update.get("instructors") == previous.instructors,
        "sections": update.get("sections") == previous.sections and not new.sections,
    }
    update["carried"] = [kind for kind, same in kept.items() if same]
    update["exclude_courses"] = [*previous.exclude_courses, *new.exclude_courses]
    update["exclude_subjects"] = [*previous.exclude_subjects, *new.exclude_subjects]
    if "exclude_instructors" not in update:
        update["exclude_instructors"] = [
            *previous.exclude_instructors,
            *new.exclude_instructors,
        ]


_QUOTED = re.compile(r"""(?:^|(?<=[\s(:,]))(["'])([^"']{12,}?)\1(?=$|[\s),.?!:;])""")
"""A span in straight quotes (fold straightens curly ones) of a dozen characters or more."""


def _quoted_item(question: str, metric_index: MetricIndex | None) -> MetricRef | None:
    """The question an asker quoted, word for word or nearly (MetricIndex.quoted)."""
    if metric_index is None:
        return None
    for m in _QUOTED.finditer(fold(question).replace("“", '"').replace("”", '"')):
        found = metric_index.quoted(m.group(2))
        if found is not None:
            return found
    return None
