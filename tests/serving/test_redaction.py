"""POST /v1/comments/{id}/redact: no trace of the text in rows, vectors, themes, the parsed
sources, conversations, search, answers or the run's logs; the number stays; audited."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from core.blobs import LocalBlobStore, sha256_hex
from core.db import connect
from core.settings import Settings
from ingestion.store import remerge_section
from tests.conftest import LiveServer, make_key
from tests.ui.live import load_corpus

QUESTION = "what do students say about the homework?"


def test_a_redacted_comment_leaves_no_trace(
    settings: Settings, corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    load_corpus(settings, corpus)
    assert settings.database_dsn is not None
    with LiveServer(settings) as server, server.client(timeout=120) as admin:
        asked = admin.post("/v1/ask", json={"question": QUESTION})
        assert asked.status_code == 200, asked.text
        quotes = asked.json()["citations"]
        with connect(settings.database_dsn) as conn:
            # a quoted comment whose text no other comment holds (the corpus reuses sentences)
            unique = [
                q["citation"]["comment_id"]
                for q in quotes
                if conn.execute(
                    "SELECT count(*) AS n FROM comments WHERE strpos(text, %s) > 0", (q["text"],)
                ).fetchone()
                == {"n": 1}
            ]
            assert unique, "the answer quotes no comment of its own text to redact"
            target = unique[0]
            before = conn.execute(
                "SELECT m.text, m.number, m.section_id, (SELECT count(*) FROM comments n"
                " WHERE n.section_id = m.section_id) AS siblings,"
                " EXISTS (SELECT 1 FROM comment_themes ct WHERE ct.comment_id = m.id) AS tagged"
                " FROM comments m WHERE m.id = %s",
                (target,),
            ).fetchone()
        assert before is not None and before["tagged"]
        text = before["text"]
        assert len(text) > 20

        analyst = make_key(settings, "analyst")
        refused = admin.post(
            f"/v1/comments/{target}/redact",
            json={"reason": "x" * 5},
            headers={"Authorization": f"Bearer {analyst}"},
        )
        assert refused.status_code == 403
        with connect(settings.database_dsn) as conn:
            holders = conn.execute(
                "SELECT r.id, r.sha256 FROM report_sources rs JOIN reports r ON r.id = rs.report_id"
                " WHERE rs.section_id = %s",
                (before["section_id"],),
            ).fetchall()
        blobs = LocalBlobStore(settings.blob_path)
        assert holders and all(blobs.exists(h["sha256"]) for h in holders)
        done = admin.post(f"/v1/comments/{target}/redact", json={"reason": "faculty request"})
        assert done.status_code == 200, done.text
        assert done.json()["number"] == before["number"] and not done.json()["already"]
        assert done.json()["files_removed"] >= 1
        again = admin.post(f"/v1/comments/{target}/redact", json={"reason": "twice"})
        assert again.status_code == 200 and again.json()["already"]

        # the uploaded file that held the comment is gone from the blob store, and stays gone
        # when the same bytes are uploaded again (a duplicate of the redacted report)
        gone = [h for h in holders if not blobs.exists(h["sha256"])]
        assert len(gone) == done.json()["files_removed"]
        shown = admin.get(f"/v1/reports/{gone[0]['id']}").json()
        assert shown["file_removed_at"] is not None and shown["status"] == "processed"
        original = next(
            p
            for p in corpus.rglob("*")
            if p.is_file() and sha256_hex(p.read_bytes()) == gone[0]["sha256"]
        )
        again_up = admin.post("/v1/reports", files={"file": (original.name, original.read_bytes())})
        assert again_up.status_code in (200, 202), again_up.text
        assert again_up.json()["id"] == gone[0]["id"]
        assert not blobs.exists(gone[0]["sha256"])

        found = admin.post("/v1/search", json={"query": text[:300], "k": 100})
        assert found.status_code == 200, found.text
        hits = found.json()["hits"]
        assert all(h["citation"]["comment_id"] != target for h in hits)
        assert all(text not in h["text"] for h in hits)
        reasked = admin.post("/v1/ask", json={"question": QUESTION}).json()
        assert target not in {q["citation"]["comment_id"] for q in reasked["citations"]}

    with connect(settings.database_dsn) as conn:
        remerge_section(conn, section_id=before["section_id"])  # a later merge keeps it redacted
        conn.commit()
        after = conn.execute(
            "SELECT text, number, redacted_at, (SELECT count(*) FROM comments n"
            " WHERE n.section_id = %s) AS siblings FROM comments WHERE id = %s",
            (before["section_id"], target),
        ).fetchone()
        assert after is not None
        assert after["text"] == "" and after["redacted_at"] is not None
        assert after["number"] == before["number"] and after["siblings"] == before["siblings"]
        keyed = conn.execute(
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'comment_id'"
            " AND table_schema = current_schema()"
        ).fetchall()
        vector_tables = [r["table_name"] for r in keyed if "vector" in r["table_name"]]
        assert vector_tables, "no vector table to check"
        for r in keyed:
            left = conn.execute(
                f'SELECT count(*) AS n FROM "{r["table_name"]}" WHERE comment_id = %s', (target,)
            ).fetchone()
            assert left is not None and left["n"] == 0, r["table_name"]
        texts = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema ="
            " current_schema() AND table_name LIKE 'text\\_vectors\\_%%'"
        ).fetchall()
        assert texts, "no text_vectors table to check"
        for r in texts:  # one vector per distinct text: this text was the comment's alone
            left = conn.execute(
                f'SELECT count(*) AS n FROM "{r["table_name"]}" WHERE text_md5 = md5(%s)', (text,)
            ).fetchone()
            assert left is not None and left["n"] == 0, r["table_name"]
        for query in (
            "SELECT parsed::text AS t FROM report_sources",
            "SELECT answer::text AS t FROM conversation_turns",
            "SELECT details::text AS t FROM audit_log",
        ):
            held = [r["t"] for r in conn.execute(query).fetchall()]
            assert held and not any(text in t for t in held), query
        audit = conn.execute(
            "SELECT principal, details FROM audit_log WHERE action = 'redact'"
        ).fetchall()
        assert len(audit) == 1
        assert audit[0]["details"]["comment_id"] == target
        assert audit[0]["details"]["reason"] == "faculty request"
        assert audit[0]["principal"].startswith("key:")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert text not in logged and text not in caplog.text
