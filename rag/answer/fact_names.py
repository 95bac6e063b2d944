"""The names in fact labels (people, courses and sections, terms), so the guard can tell whose a
number is: "John Roe 4.71" is refused when the facts give 4.71 to Jane Doe.

The rule: a number the facts supply belongs to the name written nearest to it (in characters)
in its clause (a sentence, a `;` part or a line). When that name is one of the facts' names, one
of the facts whose label carries the name must supply the number. A tie between a name before
and a name after the number is broken by the clause's order: when a number follows the later
name ("A had 4.7 and B had 4.2") names come before their numbers, else after them ("4.7 for A
and 4.2 for B"). Names that every fact carries tell nothing apart and are ignored. A person may be
written by surname or first name alone when no other person in the facts shares it. Instructors
named only in citations count (owning no fact) when the facts are about people, so a co-teacher
cannot take a colleague's number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rag.answer.answers import Fact, Quote

_COURSE = re.compile(r"\b([A-Z]{2,5})\s?(\d{4}[A-Z]?)(-\w{1,4})?\b")
_TERM = re.compile(r"\b(Fall|Spring|Summer(?:\s(?:1|2|I|II|Full))?|Winter)\s+(\d{4})\b")
_PERSON = re.compile(r"\b[A-Z][a-z][\w'’.-]*(?:[ \t]+[A-Z][a-z][\w'’.-]*)+")
_SEASONS = {"Fall", "Spring", "Summer", "Winter"}
_CLAUSE_END = re.compile(r"[;\n]|[.!?](?=\s)")


@dataclass
class Names:
    """Each name that tells facts apart, the facts that carry it, and how it is written."""

    owners: dict[str, set[int]] = field(default_factory=dict)
    patterns: dict[str, list[re.Pattern[str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, facts: Sequence[Fact], quotes: Sequence[Quote] = ()) -> Names:
        names = cls()
        found: dict[str, re.Pattern[str]] = {}
        people: set[str] = set()
        for fact in facts:
            for match in _COURSE.finditer(fact.label):
                letters, digits, section = match.groups()
                found.setdefault(letters + digits, _course(letters, digits, ""))
                if section:
                    found.setdefault(match.group(), _course(letters, digits, section))
            for match in _TERM.finditer(fact.label):
                season, year = match.groups()
                spelled = rf"\b{re.escape(season)}\s+{year}\b".replace(r"\ ", r"\s+")
                found.setdefault(f"{season} {year}", re.compile(spelled, re.IGNORECASE))
            for match in _PERSON.finditer(fact.label):
                person = re.sub(r"(['’]s|[.'’-])+$", "", match.group())
                if person.split()[0] not in _SEASONS:
                    people.add(person)
        if people:  # the facts are about people: a co-teacher named in a citation counts too
            people |= {name for q in quotes for name in q.citation.instructors if " " in name}
        for person in people:
            found.setdefault(person, _person(person))
        for name, pattern in found.items():
            owners = {i for i, fact in enumerate(facts) if pattern.search(fact.label)}
            if len(owners) < len(facts):  # a name every fact carries tells nothing apart
                names.owners[name] = owners
                names.patterns[name] = [pattern]
        names._add_aliases(sorted(people & set(names.owners)))
        return names

    def _add_aliases(self, people: list[str]) -> None:
        """A surname or first name alone, for a person no other person shares it with."""
        words = [w for person in people for w in {person.split()[0], person.split()[-1]}]
        for person in people:
            for word in {person.split()[0], person.split()[-1]}:
                if words.count(word) == 1 and len(word) > 2:
                    self.patterns[person].append(re.compile(rf"(?<![\w-]){re.escape(word)}\b"))

    def facts_of(self, name: str) -> set[int]:
        return self.owners.get(name, set())


def nearest_names(text: str, start: int, end: int, names: Names) -> list[str]:
    """The names written nearest to text[start:end] in its clause; [] when none, or when the
    number is part of a name (CS5800, Fall 2023)."""
    if not names.owners:
        return []
    left = max((m.end() for m in _CLAUSE_END.finditer(text, 0, start)), default=0)
    clause_end = _CLAUSE_END.search(text, end)
    right = clause_end.start() if clause_end else len(text)
    mentions: list[tuple[int, int, str]] = []
    for name, patterns in names.patterns.items():
        for pattern in patterns:
            for match in pattern.finditer(text, left, right):
                mentions.append((match.start(), match.end(), name))
    if any(s <= start and end <= e for s, e, _ in mentions):
        return []
    before: dict[str, int] = {}
    after: dict[str, int] = {}
    for s, e, name in mentions:
        side, gap = (before, start - e) if e <= start else (after, s - end)
        side[name] = min(gap, side.get(name, gap))
    gaps = [*before.values(), *after.values()]
    if not gaps:
        return []
    closest = min(gaps)
    preceding = [name for name, gap in before.items() if gap == closest]
    following = [name for name, gap in after.items() if gap == closest]
    if preceding and following:  # "A had 4.7 and B had 4.2" or "4.7 for A and 4.2 for B"
        last = max(e for s, e, name in mentions if name in following and s >= end)
        named_first = _NUMERAL.search(_COURSE.sub(" ", _TERM.sub(" ", text[last:right])))
        return sorted(set(preceding if named_first else following))
    return sorted(set(preceding + following))


_NUMERAL = re.compile(r"\d")


def _course(letters: str, digits: str, section: str) -> re.Pattern[str]:
    return re.compile(rf"\b{letters}\s?{digits}{re.escape(section)}(?![\w-])", re.IGNORECASE)


def _person(person: str) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(w) for w in person.split())
    return re.compile(rf"(?<![\w-]){words}\b")
