"""The TRACE read rule, per role, checked against the database rather than the route's logic.

For each role, search, both ask routes (and the prompt the LLM server receives), the themes
dashboard and the stored conversations carry no comment the role may not read. What a role
may read is computed here in plain SQL from the rule as the README states it: viewers nothing,
instructors their own sections, analysts every section with at least the minimum responses,
admins everything. One section is cut to 4 responses: no one but admins reads it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.db import Database, connect
from devtools.processes import AppServer
from tests.conftest import LiveServer, make_key
from tests.rag.answer.test_llm_providers import Canned, fake_llm_app
from tests.ui.live import fake_settings, load_corpus, own_database

QUERIES = ("the homework", "lectures were clear", "exams", "the instructor", "office hours")
READ_ROLES = ("viewer", "instructor", "analyst", "admin")


@dataclass
class World:
    url: str
    db_url: str
    keys: dict[str, str]
    canned: Canned
    small_section: int
    small_course: str
    instructor: int
    texts: dict[int, str]
    """Every comment id -> text."""
    readable: dict[str, set[int]]
    """Role -> the comment ids it may read, from the rule in plain SQL."""


def _readable(conn: Any, instructor: int) -> dict[str, set[int]]:
    every = {r["id"] for r in conn.execute("SELECT id FROM comments").fetchall()}
    enough = {
        r["id"]
        for r in conn.execute(
            "SELECT m.id FROM comments m JOIN sections s ON s.id = m.section_id"
            " WHERE s.responses_incl_declines - coalesce(s.declines, 0) >= 5"
        ).fetchall()
    }
    taught = {
        r["id"]
        for r in conn.execute(
            "SELECT m.id FROM comments m JOIN section_instructors si"
            " ON si.section_id = m.section_id WHERE si.instructor_id = %s",
            (instructor,),
        ).fetchall()
    }
    return {"viewer": set(), "instructor": enough & taught, "analyst": enough, "admin": every}


@pytest.fixture(scope="module")
def world(
    pg_server: Database, corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    canned = Canned(reply="Students mostly praise the lectures.")
    with AppServer(fake_llm_app(canned)) as llm, own_database(pg_server) as db_url:
        settings = fake_settings(tmp_path_factory.mktemp("privacy"), db_url).model_copy(
            update={
                "llm_provider": "openai",
                "llm_model": "canned-model",
                "llm_base_url": f"{llm.url}/v1",
            }
        )
        load_corpus(settings, corpus)
        with connect(db_url, autocommit=True) as conn:
            # the instructor teaching most commented sections; one of theirs gets 4 responses
            sections = conn.execute(
                "SELECT si.instructor_id, array_agg(DISTINCT s.id) AS ids FROM sections s"
                " JOIN section_instructors si ON si.section_id = s.id"
                " WHERE EXISTS (SELECT 1 FROM comments m WHERE m.section_id = s.id)"
                " GROUP BY 1 ORDER BY count(DISTINCT s.id) DESC, 1 LIMIT 1"
            ).fetchone()
            assert sections is not None and len(sections["ids"]) >= 2, sections
            instructor, small = int(sections["instructor_id"]), int(sorted(sections["ids"])[0])
            conn.execute(
                "UPDATE sections SET responses_incl_declines = 4, declines = 0 WHERE id = %s",
                (small,),
            )
            course = conn.execute(
                "SELECT c.code FROM sections s JOIN courses c ON c.id = s.course_id"
                " WHERE s.id = %s",
                (small,),
            ).fetchone()
            texts = {
                int(r["id"]): r["text"]
                for r in conn.execute("SELECT id, text FROM comments").fetchall()
            }
            readable = _readable(conn, instructor)
        assert course is not None
        with LiveServer(settings) as server:
            keys = {
                role: make_key(
                    settings, role, instructor_id=instructor if role == "instructor" else None
                )
                for role in READ_ROLES
            }
            yield World(
                url=server.url,
                db_url=db_url,
                keys=keys,
                canned=canned,
                small_section=small,
                small_course=course["code"],
                instructor=instructor,
                texts=texts,
                readable=readable,
            )


def _client(world: World, role: str) -> httpx.Client:
    headers = {"Authorization": f"Bearer {world.keys[role]}"}
    return httpx.Client(base_url=world.url, headers=headers, timeout=120)


def _forbidden_texts(world: World, role: str) -> list[str]:
    """Texts of the comments the role may not read: long enough to be unmistakable, and not
    also part of a comment it may read (the generated corpus reuses sentences)."""
    allowed = world.readable[role]
    mine = "\n".join(world.texts[i] for i in allowed)
    return [
        text
        for cid, text in world.texts.items()
        if cid not in allowed and len(text) >= 25 and text not in mine
    ]


def _leaks(blob: str, forbidden: list[str]) -> list[str]:
    return [text for text in forbidden if text in blob]


def _ask_stream(http: httpx.Client, question: str) -> dict[str, Any]:
    final: dict[str, Any] = {}
    with http.stream("POST", "/v1/ask/stream", json={"question": question}) as response:
        assert response.status_code == 200
        event = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[len("event: ") :]
            elif line.startswith("data: ") and event == "final":
                final = json.loads(line[len("data: ") :])
    assert final, "no final event"
    answer: dict[str, Any] = final["answer"]
    return answer


@pytest.mark.parametrize("role", READ_ROLES)
def test_no_route_carries_a_comment_the_role_may_not_read(world: World, role: str) -> None:
    allowed = world.readable[role]
    forbidden = _forbidden_texts(world, role)
    seen: set[int] = set()
    blobs: list[str] = []
    with _client(world, role) as http:
        for query in QUERIES:
            for filters in ({}, {"course": world.small_course}):
                response = http.post(
                    "/v1/search", json={"query": query, "k": 100, "filters": filters}
                )
                assert response.status_code == 200, response.text
                hits = response.json()["hits"]
                seen |= {h["citation"]["comment_id"] for h in hits}
                blobs.append(response.text)
        world.canned.requests.clear()
        question = f"what do students say about the lectures in {world.small_course}?"
        answers = [http.post("/v1/ask", json={"question": question}).json()]
        answers.append(_ask_stream(http, "what do students say about the homework?"))
        for answer in answers:
            seen |= {q["citation"]["comment_id"] for q in answer["citations"]}
            blobs.append(json.dumps(answer))
        prompts = json.dumps(world.canned.requests)
        themes = http.get(f"/v1/dashboards/courses/{world.small_course}/themes")
        assert themes.status_code == 200, themes.text
    assert seen <= allowed, f"{role} read comments {sorted(seen - allowed)[:10]}"
    assert not _leaks("\n".join(blobs), forbidden), f"{role}: comment text in a response"
    assert not _leaks(prompts, forbidden), f"{role}: comment text in the LLM prompt"
    if role != "viewer":
        assert seen, f"{role} read nothing at all: the test would pass vacuously"
    with connect(world.db_url) as conn:
        in_course = {
            r["id"]
            for r in conn.execute(
                "SELECT m.id FROM comments m JOIN sections s ON s.id = m.section_id"
                " JOIN courses c ON c.id = s.course_id WHERE c.code = %s",
                (world.small_course,),
            ).fetchall()
        }
        stored = conn.execute(
            "SELECT t.answer::text AS answer FROM conversation_turns t"
            " JOIN conversations c ON c.id = t.conversation_id"
            " WHERE c.principal = %s",
            ("key:" + world.keys[role].split("_")[1],),
        ).fetchall()
    assert themes.json()["comments"] == len(in_course & allowed)
    assert stored, "the asks were not stored as a conversation"
    assert not _leaks("\n".join(r["answer"] for r in stored), forbidden)


def test_the_small_section_is_read_by_admins_only(world: World) -> None:
    with connect(world.db_url) as conn:
        small = {
            r["id"]
            for r in conn.execute(
                "SELECT id FROM comments WHERE section_id = %s", (world.small_section,)
            ).fetchall()
        }
    assert small
    for role in READ_ROLES:
        assert bool(small & world.readable[role]) == (role == "admin")
    found: set[int] = set()
    with _client(world, "admin") as http:
        for query in QUERIES:
            body = http.post(
                "/v1/search",
                json={"query": query, "k": 100, "filters": {"course": world.small_course}},
            ).json()
            found |= {h["citation"]["comment_id"] for h in body["hits"]}
    assert found & small, "admins read the small section's comments"
    with _client(world, "viewer") as http:  # and the aggregates flag the section
        course = http.get(f"/v1/courses/{world.small_course}").json()
    flags = {s["id"]: s["below_minimum"] for s in course["sections"]}
    assert flags[world.small_section] is True
    with connect(world.db_url) as conn:
        enough = {
            r["id"]
            for r in conn.execute(
                "SELECT s.id FROM sections s JOIN courses c ON c.id = s.course_id"
                " WHERE c.code = %s AND s.responses_incl_declines - coalesce(s.declines, 0) >= 5",
                (world.small_course,),
            ).fetchall()
        }
    assert {sid for sid, flag in flags.items() if not flag} == enough
