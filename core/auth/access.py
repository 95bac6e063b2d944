"""Roles and the TRACE read rule: which comments a caller may read, as one SQL condition.

This is the one place the rule lives. Every query that reads comment text, themes or tone adds
`comment_condition` to its WHERE clause, so nothing (a route, a citation, an LLM prompt) can
carry a comment to a caller that may not read it:

- viewer, uploader: no comment text anywhere (aggregate scores only);
- instructor: the comments of the sections they taught;
- analyst: every comment;
- admin: every comment, also of sections under the minimum response count;
- and, for everyone but admins, a section with fewer responses (responses including declines,
  less declines) than the minimum, or an unknown count, shows no comments and no themes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from psycopg import sql

Role = Literal["viewer", "instructor", "analyst", "uploader", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
DEFAULT_MIN_RESPONSES = 5


@dataclass(frozen=True)
class Access:
    """What comment text a caller may read: their roles, their instructor id, the minimum N."""

    roles: frozenset[str]
    instructor_id: int | None = None
    min_responses: int = DEFAULT_MIN_RESPONSES

    @property
    def unrestricted(self) -> bool:
        """Every comment, whatever its section's response count (admins, operator tools)."""
        return "admin" in self.roles

    @property
    def reads_comments(self) -> bool:
        """Whether any comment at all may be readable (an empty result is still enforced by SQL)."""
        return self.unrestricted or "analyst" in self.roles or self.teaches

    @property
    def teaches(self) -> bool:
        return "instructor" in self.roles and self.instructor_id is not None

    def comment_condition(self, comment: str = "m") -> tuple[sql.Composable, list[Any]]:
        """A boolean SQL condition over the comments alias `comment`, and its parameters."""
        if self.unrestricted:
            return sql.SQL("TRUE"), []
        if not self.reads_comments:
            return sql.SQL("FALSE"), []
        alias = sql.Identifier(comment)
        enough = sql.SQL("(acc_s.responses_incl_declines - coalesce(acc_s.declines, 0)) >= %s")
        params: list[Any] = [self.min_responses]
        whose: sql.Composable = sql.SQL("TRUE")
        if "analyst" not in self.roles:
            whose = sql.SQL(
                "EXISTS (SELECT 1 FROM section_instructors acc_si"
                " WHERE acc_si.section_id = acc_s.id AND acc_si.instructor_id = %s)"
            )
            params.append(self.instructor_id)
        condition = sql.SQL(
            "EXISTS (SELECT 1 FROM sections acc_s WHERE acc_s.id = {}.section_id AND {} AND {})"
        ).format(alias, enough, whose)
        return condition, params


def below_minimum(
    responses_incl_declines: int | None, declines: int | None, *, min_responses: int
) -> bool:
    """Whether a section's comments and themes are hidden from all but admins (the same test
    as comment_condition's, for flagging sections in aggregates)."""
    if responses_incl_declines is None:
        return True
    return responses_incl_declines - (declines or 0) < min_responses


EVERYTHING = Access(roles=frozenset({"admin"}))
"""Operator tools run on the machine itself (the CLI, evaluation, benchmarks): every comment."""
