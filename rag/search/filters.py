"""Search filters and their translation to SQL over comments, sections, courses and terms."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from psycopg import sql
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from core.auth.access import EVERYTHING, Access
from core.db import like_escape
from core.errors import TraceLensError
from core.report import normalize_code, parse_term


class InvalidFilter(TraceLensError):
    status_code = 422
    code = "invalid_filter"


TERM_PATTERN = r"^\s*(Fall|Spring|Summer 1|Summer 2|Full Summer|Winter)\s+\d{4}\s*$"
_TERM: dict[str, Any] = {"pattern": TERM_PATTERN}
NAME = 80
"""The longest filter string accepted (a course title, a name, prompt words)."""


def _not_bool(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("an instructor id is a number, not true or false")
    return value


class SearchFilters(BaseModel):
    """Exact filters; every one that is set must hold for a hit."""

    model_config = ConfigDict(extra="forbid")

    subject: str | None = Field(default=None, max_length=NAME, examples=["CS"])
    course: str | None = Field(
        default=None,
        max_length=NAME,
        description="Course code in any spelling",
        examples=["CS 5800"],
    )
    section: str | None = Field(default=None, max_length=NAME, examples=["01"])
    # The pattern is documented in the schema; the validator below enforces it with a message
    # that names the term.
    term: str | None = Field(default=None, json_schema_extra=_TERM, examples=["Fall 2023"])
    term_from: str | None = Field(
        default=None, json_schema_extra=_TERM, description="First term of a range (inclusive)"
    )
    term_to: str | None = Field(
        default=None, json_schema_extra=_TERM, description="Last term of a range (inclusive)"
    )
    instructor: str | None = Field(
        default=None,
        max_length=NAME,
        description="`Last`, `Last, First` or `First Last`",
        examples=["Doe, Jane"],
    )
    instructor_id: Annotated[int | None, BeforeValidator(_not_bool)] = Field(
        default=None, ge=1, le=2**62
    )
    prompt: str | None = Field(
        default=None,
        max_length=NAME,
        description="Words of the comment prompt",
        examples=["strengths"],
    )
    min_score: float | None = Field(
        default=None, ge=1, le=5, description="Minimum of the section's mean course score (1-5)"
    )
    source: Literal["trace", "survey"] | None = Field(
        default=None,
        description="Only TRACE reports (`trace`) or only instructors' own surveys (`survey`)",
    )
    survey: str | None = Field(
        default=None, max_length=200, description="One instructor's survey, by its title"
    )

    @field_validator("term", "term_from", "term_to")
    @classmethod
    def _known_term(cls, value: str | None) -> str | None:
        if value is None:
            return None
        term = parse_term(value)
        if term is None:
            raise ValueError(f"{value!r} is not a TRACE term such as 'Fall 2023'")
        return term.label

    def active(self) -> bool:
        return any(v is not None for v in self.model_dump().values())


def _sort_key(label: str) -> int:
    term = parse_term(label)
    if term is None:  # validated already; kept for type narrowing
        raise InvalidFilter(f"unknown term {label!r}")
    return term.sort_key


def compile_filters(
    filters: SearchFilters, access: Access = EVERYTHING
) -> tuple[sql.Composable, list[Any]]:
    """A WHERE condition over aliases m (comments), s (sections), c (courses), t (terms), with
    the reader's access rule (core.auth.access) among its terms."""
    parts: list[sql.Composable] = []
    params: list[Any] = []
    if not access.unrestricted:
        condition, values = access.comment_condition("m")
        parts.append(condition)
        params.extend(values)

    def add(fragment: str, *values: Any) -> None:
        parts.append(sql.SQL(fragment))
        params.extend(values)

    if filters.subject:
        add("c.subject = %s", filters.subject.strip().upper())
    if filters.course:
        add("c.code = %s", normalize_code(filters.course))
    if filters.section:
        add("s.section = %s", filters.section.strip())
    if filters.term:
        add("t.label = %s", filters.term)
    if filters.term_from:
        add("t.sort_key >= %s", _sort_key(filters.term_from))
    if filters.term_to:
        add("t.sort_key <= %s", _sort_key(filters.term_to))
    if filters.instructor_id is not None:
        add(
            "EXISTS (SELECT 1 FROM section_instructors si WHERE si.section_id = s.id"
            " AND si.instructor_id = %s)",
            filters.instructor_id,
        )
    if filters.instructor:
        name = " ".join(filters.instructor.split()).lower()
        add(
            "EXISTS (SELECT 1 FROM section_instructors si JOIN instructors i"
            " ON i.id = si.instructor_id WHERE si.section_id = s.id AND ("
            " lower(i.last_name) = %s OR lower(i.last_name || ', ' || i.first_name) = %s"
            " OR lower(i.first_name || ' ' || i.last_name) = %s))",
            name,
            name,
            name,
        )
    if filters.prompt:
        add("m.prompt ILIKE %s", f"%{like_escape(filters.prompt.strip())}%")
    if filters.min_score is not None:
        add(
            "(SELECT avg(qs.course_mean) FROM question_scores qs WHERE qs.section_id = s.id) >= %s",
            filters.min_score,
        )
    if filters.source is not None:
        add("s.source_type = %s", filters.source)
    if filters.survey:
        add("s.source_type = 'survey' AND s.title = %s", filters.survey.strip())
    if not parts:
        return sql.SQL("TRUE"), []
    return sql.SQL(" AND ").join(parts), params
