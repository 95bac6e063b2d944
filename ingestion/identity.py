"""Who an instructor is: a normalised name within a subject, with aliases an admin can edit.

Names are printed inconsistently (`Núñez, José` and `Nunez, Jose`), and two people can share
a name. So a name resolves through `instructor_aliases`, keyed by (name key, subject): the same
key in the same department is one person; in another department it is another person until an
admin merges them (`tracelens instructors merge`), and a merge can be undone for one subject
(`tracelens instructors split`).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from core.db import Conn
from core.errors import Conflict, NotFound
from core.report import Instructor
from ingestion.audit import record


def name_key(last: str, first: str) -> str:
    """`nunez|jose` for `Núñez, José`: accents, case, spaces and punctuation ignored."""

    def fold(text: str) -> str:
        plain = unicodedata.normalize("NFKD", text)
        return "".join(c for c in plain.lower() if "a" <= c <= "z")

    return f"{fold(last)}|{fold(first)}"


def resolve_instructor(conn: Conn, *, person: Instructor, subject: str) -> int:
    """The instructor this printed name means in `subject`, created on first sight.

    A known name is only read (its instructor row held FOR KEY SHARE, against a merge deleting
    it); the advisory lock that keeps two writers from creating the same person twice is taken
    only for a name not seen yet, so storing a report does not hold every instructor it names
    locked until its transaction ends."""
    key = name_key(person.last, person.first)
    row = _aliased(conn, key, subject)
    if row is not None:
        return int(row["id"])
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{key}@{subject}",))
    row = _aliased(conn, key, subject)
    if row is not None:
        return int(row["id"])
    created = conn.execute(
        "INSERT INTO instructors (last_name, first_name, name_key) VALUES (%s, %s, %s)"
        " RETURNING id",
        (person.last, person.first, key),
    ).fetchone()
    assert created is not None
    conn.execute(
        "INSERT INTO instructor_aliases (name_key, subject, instructor_id, printed)"
        " VALUES (%s, %s, %s, %s)",
        (key, subject, created["id"], f"{person.last}, {person.first}"),
    )
    return int(created["id"])


def _aliased(conn: Conn, key: str, subject: str) -> dict[str, Any] | None:
    return conn.execute(
        "SELECT i.id FROM instructor_aliases a JOIN instructors i ON i.id = a.instructor_id"
        " WHERE a.name_key = %s AND a.subject = %s FOR KEY SHARE OF i",
        (key, subject),
    ).fetchone()


def aliases(conn: Conn, *, instructor_id: int) -> list[dict[str, Any]]:
    """The (name, subject) pairs that resolve to this instructor."""
    rows = conn.execute(
        "SELECT name_key, subject, printed, manual FROM instructor_aliases"
        " WHERE instructor_id = %s ORDER BY subject, name_key",
        (instructor_id,),
    ).fetchall()
    return [dict(r) for r in rows]


def _exists(conn: Conn, instructor_id: int) -> None:
    if conn.execute("SELECT 1 FROM instructors WHERE id = %s", (instructor_id,)).fetchone() is None:
        raise NotFound(f"no instructor with id {instructor_id}")


def merge_instructors(conn: Conn, *, keep: int, drop: int, principal: str) -> None:
    """Make `drop` the same person as `keep`: its aliases, sections and API keys move over."""
    if keep == drop:
        raise Conflict("an instructor cannot be merged into itself")
    with conn.transaction():
        _exists(conn, keep)
        _exists(conn, drop)
        conn.execute(
            "UPDATE instructor_aliases SET instructor_id = %s, manual = true"
            " WHERE instructor_id = %s",
            (keep, drop),
        )
        conn.execute(
            "INSERT INTO section_instructors (section_id, instructor_id, position)"
            " SELECT section_id, %s, position FROM section_instructors WHERE instructor_id = %s"
            " ON CONFLICT DO NOTHING",
            (keep, drop),
        )
        conn.execute("DELETE FROM section_instructors WHERE instructor_id = %s", (drop,))
        conn.execute(
            "UPDATE api_keys SET instructor_id = %s WHERE instructor_id = %s", (keep, drop)
        )
        conn.execute("DELETE FROM instructors WHERE id = %s", (drop,))
        record(conn, principal=principal, action="merge", details={"keep": keep, "drop": drop})


def split_instructor(conn: Conn, *, instructor_id: int, subject: str, principal: str) -> int:
    """Give the sections `instructor_id` taught in `subject` to a new instructor of the same
    name (two people sharing a name); returns the new id."""
    with conn.transaction():
        person = conn.execute(
            "SELECT last_name, first_name, name_key FROM instructors WHERE id = %s",
            (instructor_id,),
        ).fetchone()
        if person is None:
            raise NotFound(f"no instructor with id {instructor_id}")
        moving = conn.execute(
            "SELECT name_key FROM instructor_aliases WHERE instructor_id = %s AND subject = %s",
            (instructor_id, subject),
        ).fetchall()
        if not moving:
            raise Conflict(f"instructor {instructor_id} has no sections in subject {subject!r}")
        created = conn.execute(
            "INSERT INTO instructors (last_name, first_name, name_key) VALUES (%s, %s, %s)"
            " RETURNING id",
            (person["last_name"], person["first_name"], person["name_key"]),
        ).fetchone()
        assert created is not None
        new_id = int(created["id"])
        conn.execute(
            "UPDATE instructor_aliases SET instructor_id = %s, manual = true"
            " WHERE instructor_id = %s AND subject = %s",
            (new_id, instructor_id, subject),
        )
        conn.execute(
            "UPDATE section_instructors si SET instructor_id = %s FROM sections s, courses c"
            " WHERE si.section_id = s.id AND c.id = s.course_id AND si.instructor_id = %s"
            " AND c.subject = %s",
            (new_id, instructor_id, subject),
        )
        record(
            conn,
            principal=principal,
            action="split",
            details={"from": instructor_id, "to": new_id, "subject": subject},
        )
    return new_id
