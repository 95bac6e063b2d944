"""The extractive answer: composed from the evidence alone (offline, deterministic), always
available, and what an LLM's answer falls back to."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from rag.answer.answers import Evidence, Fact, Quote
from rag.answer.prose import lead_sentence
from rag.search.hybrid import Citation

EXTRACTIVE = "extractive"


FALLBACK = "extractive-fallback"
"""The answerer recorded when an LLM answer was rejected or the model failed."""


SMALL_N = 10
"""Fewer responses than this and a mean moves by almost half a point per response: say so."""


MAX_FACTS = 10


MAX_QUOTE_CHARS = 300


QUOTE_MIN_WORDS = 4
"""Quoted spans shorter than this are terms or scare quotes ("workload"), not quotations."""


_TONE = {
    "positive": "mostly positive",
    "negative": "mostly negative",
    "mixed": "mixed",
    "neutral": "mostly neutral",
}


def extractive_answer(question: str, evidence: Evidence) -> str:
    """Markdown composed only from the evidence: one sentence that answers, then what it rests
    on (for opinions, the themes lead), then how relative words were read ("last fall")."""
    text = _answer(evidence)
    if evidence.notes:
        text += "\n\n" + _md("; ".join(evidence.notes) + ".")
    return text


def _answer(evidence: Evidence) -> str:
    if evidence.route == "unanswerable" or not (
        evidence.facts or evidence.quotes or evidence.themes
    ):
        return dont_say(
            evidence.searched,
            understood=evidence.understood,
            unclear=evidence.unclear,
            example=evidence.example,
            missing=evidence.missing,
        )
    themed = evidence.route == "mixed" and bool(evidence.plan.get("theme"))
    leads = evidence.route in ("quantitative", "mixed") and not themed
    lead = lead_sentence(evidence) if leads else None
    facts = _facts_block(
        evidence.facts, units=fact_units(evidence.plan, len(evidence.facts)), lead=lead
    )
    themes, quotes = _themes_block(evidence), _quotes_block(evidence)
    if evidence.route == "qualitative" or themed:  # an asked theme: what students say leads
        blocks = [themes, quotes, facts]
    elif evidence.route == "mixed" and evidence.plan.get("lead") == "comments":
        blocks = [themes, quotes, _md_lead(lead), facts]  # "what do students say about X"
    elif evidence.route == "mixed":
        blocks = [_md_lead(lead), themes, quotes, facts]
    else:
        blocks = [_md_lead(lead), facts, themes, quotes]
    return "\n\n".join(block for block in blocks if block)


def _md_lead(lead: str | None) -> str:
    """The lead sentence with its data escaped but its bold kept."""
    if not lead:
        return ""
    return "**".join(_md(part) for part in lead.split("**"))


def dont_say(
    searched: str,
    *,
    understood: list[str] | None = None,
    unclear: list[str] | None = None,
    example: str | None = None,
    missing: list[str] | None = None,
) -> str:
    """The plain answer to a question the data cannot answer: what was searched (or which
    named course or person the reports do not hold), what of the question was understood and
    what not, and a question that would work."""
    searched = searched.strip().rstrip(".")
    if missing:
        text = "The reports don't say: " + "; ".join(missing) + "."
    elif searched:
        text = f"The reports don't say. I searched {searched}."
    else:
        text = "The reports don't say."
    if understood:
        text += f" I understood {', '.join(understood)}."
    if unclear:
        text += " I did not understand " + ", ".join(f"“{u}”" for u in unclear) + "."
    if example:
        text += f" A question that works: “{example}”"
    return _md(text)


def n_unit(plan: Mapping[str, Any]) -> str:
    """What a fact's N counts: a count's N is the sections counted over (rag.answer.analytics), not
    responses, whether it counts comments, instructors or sections; every other N is responses.
    """
    return "section" if plan.get("kind") == "count" else "response"


def fact_units(plan: Mapping[str, Any], count: int) -> list[str]:
    """What each of `count` facts' N counts: a second answer's facts (rag.answer.second_measure:
    `first_facts` of the first plan, then the `also` plan's) count by their own plan."""
    also = plan.get("also")
    first = int(plan.get("first_facts", count)) if isinstance(also, Mapping) else count
    second = n_unit(also) if isinstance(also, Mapping) else n_unit(plan)
    return [n_unit(plan)] * min(first, count) + [second] * max(count - first, 0)


def _facts_block(facts: list[Fact], *, units: list[str], lead: str | None = None) -> str:
    """The facts as a list, each N in its unit; without a lead sentence the first fact leads in
    bold."""
    if not facts:
        return ""
    lines: list[str] = []
    rest, rest_units = facts, units
    if lead is None:
        (first, *rest), (unit, *rest_units) = facts, units
        lines = [f"{_md(first.label)}: **{_num(first.value)}**{_n_note(first.n, unit)}."]
        if rest:
            lines.append("")
    lines += [
        f"- {_md(f.label)}: {_num(f.value)}{_n_note(f.n, u)}"
        for f, u in zip(rest[: MAX_FACTS - 1], rest_units, strict=False)
    ]
    if len(rest) > MAX_FACTS - 1:
        lines.append("- More facts are listed with the answer.")
    return "\n".join(lines)


def _n_note(n: int | None, unit: str = "response") -> str:
    if n is None:
        return ""
    if n == 0:
        return f" (no {unit}s)"
    noun = unit if n == 1 else f"{unit}s"
    if unit == "response" and n < SMALL_N:  # a mean over few responses is fragile; a count is not
        return f" ({n} {noun}; few responses, read with care)"
    return f" ({n} {noun})"


_TONE_VERB = {"positive": ("praise", "praised"), "negative": ("criticise", "criticised")}


def _themes_block(evidence: Evidence) -> str:
    if not evidence.themes:
        return ""
    tone = evidence.plan.get("tone")
    if tone in _TONE_VERB and all(t.toned is not None for t in evidence.themes):
        return _toned_block(evidence, str(tone))
    lead, *rest = evidence.themes
    verb = "mentions" if lead.count == 1 else "mention"
    noun = "comment" if lead.of == 1 else "comments"
    tone = f" ({_TONE[lead.tone]})" if lead.tone else ""
    text = (
        f"**{lead.count} of {lead.of} {noun}**{_scope(evidence.quotes)} {verb} "
        f"{_md(lead.name)}{tone}."
    )
    if rest:
        others = ", ".join(
            f"{_md(t.name)} ({t.count} of {t.of}{', ' + _TONE[t.tone] if t.tone else ''})"
            for t in rest
        )
        text += f" Other themes: {others}."
    return text


def _toned_block(evidence: Evidence, tone: str) -> str:
    """Praise or complaints asked for: the themes most comments of that tone are on, first."""
    verb, done = _TONE_VERB[tone]
    lead, *rest = evidence.themes
    noun = "comment" if lead.of == 1 else "comments"
    text = (
        f"**{lead.toned} of {lead.of} {noun}**{_scope(evidence.quotes)} {verb}"
        f" {_md(lead.name)} ({lead.toned} of the {lead.count} on it)."
    )
    if rest:
        others = ", ".join(f"{_md(t.name)} ({t.toned} of {t.count})" for t in rest)
        text += f" Also {done}: {others}."
    return text


def _scope(quotes: list[Quote]) -> str:
    """' on CS5800' when every quoted comment is about one course, else nothing."""
    courses = {q.citation.course_code for q in quotes}
    return f" on {_md(courses.pop())}" if len(courses) == 1 else ""


def _quotes_block(evidence: Evidence) -> str:
    if not evidence.quotes:
        return ""
    head = "What students wrote:" if evidence.themes else "Comments that match the question:"
    cites = zip(evidence.quotes, cite_all(evidence.quotes), strict=True)
    lines = [f"- “{_md(_clip(q.text))}” [{_md(c)}]" for q, c in cites]
    return "\n".join([head, *lines])


def cite(citation: Citation, *, prompt_words: int = 0) -> str:
    """The short citation used in answers and prompts: 'CS5800-01 Fall 2023, #3'; a survey's
    names it: 'CS5800 survey “Mid-term check-in” Fall 2023, #3'. Comments are numbered per
    prompt, so `prompt_words` > 0 also names the prompt by its first words:
    'CS5800-01 Fall 2023, “What were the strengths” #3'."""
    n = citation.comment_number
    prompt = f"“{_first_words(citation.prompt, prompt_words)}” " if prompt_words else ""
    if citation.source == "survey":
        return f"{citation.course_code} survey “{citation.survey}” {citation.term}, {prompt}#{n}"
    return f"{citation.course_code}-{citation.section} {citation.term}, {prompt}#{n}"


PROMPT_WORDS = 4
"""Words of a prompt a citation names at least, when one answer quotes several prompts of one
section (or survey)."""


def cite_all(quotes: Sequence[Quote]) -> list[str]:
    """The citations of one answer's quotes, each unambiguous within the answer.

    A report numbers its comments per prompt (a survey per question), so two quotes of one
    section under different prompts could both read '#3': those name their prompt, by as many
    of its first words as tell the prompts apart."""
    prompts: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for q in quotes:
        prompts[_place(q.citation)].add(q.citation.prompt)
    words: dict[tuple[str, ...], int] = {}
    for place, texts in prompts.items():
        if len(texts) < 2:
            continue
        longest = max(len(t.split()) for t in texts)
        n = PROMPT_WORDS
        while n < longest and len({_first_words(t, n) for t in texts}) < len(texts):
            n += 1
        words[place] = n
    return [cite(q.citation, prompt_words=words.get(_place(q.citation), 0)) for q in quotes]


def _place(citation: Citation) -> tuple[str, ...]:
    """Where a comment's number counts from: the section (or survey) and term."""
    if citation.source == "survey":
        return ("survey", citation.course_code, citation.survey or "", citation.term)
    return ("trace", citation.course_code, citation.section, citation.term)


def _first_words(text: str, n: int) -> str:
    return " ".join(text.strip().rstrip("?.!:").split()[:n])


def _clip(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= MAX_QUOTE_CHARS:
        return text
    return text[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def _num(value: float | int | str) -> str:
    if isinstance(value, float):
        return str(round(value, 2)) if math.isfinite(value) else "no value"
    return str(value)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def _md(text: str) -> str:
    """Markdown-escape data, so a comment cannot become a link, an image or HTML in the chat UI."""
    return _MD_SPECIAL.sub(r"\\\1", text)
