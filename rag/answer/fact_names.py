"""The names in fact labels (people, courses and sections, terms), so the guard can tell whose a
number is: "John Roe 4.71" is refused when the facts give 4.71 to Jane Doe.

The rule: a number the facts supply belongs to a name written in its clause (a sentence, a `;` part
or a line): when names stand on both sides of it and the next name after it has a number of its
own, names come before their numbers ("A had 4.7 and B had 4.2", "A's 4.7 tops B's 4.2") and the
number is the nearest preceding name's; otherwise it is the nearest name's, in characters, the
later one on a tie ("4.7 for A and 4.2 for B"). When that name is one of the facts' names, a fact
whose label carries it must supply the number. A clause that names no one takes the name of the
clause before it, if that clause names exactly one ("John Roe. 4.71."). Names that every fact
carries tell nothing apart and are ignored. A person may be written by surname or first name alone
when no other person in the facts shares it. Instructors named only in citations count (owning no
fact) when the facts are about people, so a co-teacher cannot take a colleague's number.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
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
                    spelled = f"(?:{re.escape(word)}|{re.escape(word.upper())})"
                    self.patterns[person].append(re.compile(rf"(?<![\w-]){spelled}\b"))

    def facts_of(self, name: str) -> set[int]:
        return self.owners.get(name, set())


class NameReader:
    """The names written in one answer, found once, and whose each of its numbers is."""

    def __init__(self, text: str, names: Names):
        self.text, self.names = text, names
        found = [
            (match.start(), match.end(), name)
            for name, patterns in names.patterns.items()
            for pattern in patterns
            for match in pattern.finditer(text)
        ]
        self.mentions = sorted(found)
        self.starts = [s for s, _, _ in self.mentions]
        bounds = list(_CLAUSE_END.finditer(text))
        self.bound_starts = [m.start() for m in bounds]
        self.bound_ends = [m.end() for m in bounds]
        blank = _CITE.sub(_spaces, _COURSE.sub(_spaces, _TERM.sub(_spaces, text)))
        self.numerals = [m.start() for m in _NUMERAL.finditer(blank)]

    def nearest(self, start: int, end: int) -> list[str]:
        """The names the number text[start:end] belongs to by the rule above; [] when its clause
        (or the one before) names none, or when the number is part of a name (CS5800)."""
        clause = bisect_right(self.bound_ends, start)
        left, right = self._clause(clause)
        first, last = bisect_left(self.starts, left), bisect_left(self.starts, right)
        if not any(e <= right for _, e, _ in self.mentions[first:last]):
            # "John Roe. 4.71": the clause before, when it names one name only
            named = {name for _, _, name in self._within(*self._previous(clause))}
            return sorted(named) if len(named) == 1 else []
        here = bisect_left(self.starts, end)
        before: list[tuple[int, int, str]] = []  # (gap, end, name), nearest first
        for s, e, name in reversed(self.mentions[first:here]):
            if s <= start and end <= e:
                return []  # the number is part of a name
            if before and start - s > before[0][0] + _LONGEST:
                break  # every mention further back ends further away
            if e <= start:
                before = sorted([*before, (start - e, e, name)])
        after: list[tuple[int, int, str]] = []
        for s, e, name in self.mentions[here:last]:
            if after and s - end > after[0][0]:
                break
            if e <= right:
                after = sorted([*after, (s - end, e, name)])
        if not before or not after:
            side = before or after
            return sorted({name for gap, _, name in side if gap == side[0][0]})
        p_gap, (f_gap, f_end, _) = before[0][0], after[0]
        preceding = sorted({name for gap, _, name in before if gap == p_gap})
        following = sorted({name for gap, _, name in after if gap == f_gap})
        i = bisect_left(self.numerals, f_end)
        if i < len(self.numerals) and self.numerals[i] < right:
            return preceding  # the next name has a number of its own: "A had 4.7, B 4.2"
        return preceding if p_gap < f_gap else following  # "4.7 for A and 4.2 for B"

    def _clause(self, k: int) -> tuple[int, int]:
        left = self.bound_ends[k - 1] if k else 0
        right = self.bound_starts[k] if k < len(self.bound_starts) else len(self.text)
        return left, right

    def _previous(self, k: int) -> tuple[int, int]:
        """The last clause before clause k with anything in it; (0, 0) when there is none."""
        for j in range(k - 1, -1, -1):
            left, right = self._clause(j)
            if self.text[left:right].strip():
                return left, right
        return 0, 0

    def _within(self, left: int, right: int) -> list[tuple[int, int, str]]:
        i = bisect_left(self.starts, left)
        found = []
        while i < len(self.mentions) and self.starts[i] < right:
            if self.mentions[i][1] <= right:
                found.append(self.mentions[i])
            i += 1
        return found


_NUMERAL = re.compile(r"\d")


_LONGEST = 80
"""Longer than any name as written, so a scan back may stop once this far past the nearest."""


_CITE = re.compile(r"\[[^\[\]]*\]")


def _spaces(match: re.Match[str]) -> str:
    return " " * len(match.group())


def _course(letters: str, digits: str, section: str) -> re.Pattern[str]:
    return re.compile(rf"\b{letters}\s?{digits}{re.escape(section)}(?![\w-])", re.IGNORECASE)


def _person(person: str) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(w) for w in person.split())
    return re.compile(rf"(?<![\w-]){words}\b", re.IGNORECASE)
