"""Who taught the sections an answer covers, where that changes how to read its numbers."""

from __future__ import annotations

from psycopg import sql

from core.db import Conn
from rag.answer.analytics.sql import SECTIONS_FROM, scope_sql
from rag.answer.plans import Scope

MAX_SECTIONS = 6
"""Said only for answers over a few sections: a trend over years is read per term anyway."""


def co_taught(conn: Conn, *, scope: Scope) -> list[str]:
    """Sentences naming the co-taught sections in the scope ("CS2500 section 02, Fall 2023 was
    co-taught by A and B"): a section's numbers are one evaluation shared by its instructors."""
    where, params = scope_sql(scope)
    query = sql.SQL(
        "SELECT c.code, s.section, t.label AS term,"
        " (SELECT array_agg(i.first_name || ' ' || i.last_name ORDER BY si.position)"
        "  FROM section_instructors si JOIN instructors i ON i.id = si.instructor_id"
        "  WHERE si.section_id = s.id) AS people"
        "{sections} WHERE {where} ORDER BY t.sort_key, c.code, s.section LIMIT {limit}"
    ).format(sections=SECTIONS_FROM, where=where, limit=sql.Literal(MAX_SECTIONS + 1))
    rows = conn.execute(query, params).fetchall()  # more than MAX_SECTIONS: nothing to say
    if len(rows) > MAX_SECTIONS:
        return []
    return [
        f"{r['code']} section {r['section']}, {r['term']} was co-taught by"
        f" {' and '.join(r['people'])}: its numbers are one evaluation of them together"
        for r in rows
        if r["people"] and len(r["people"]) > 1
    ]
