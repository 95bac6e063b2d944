"""An instructor's key outlives the sweep of unused instructors and follows a merge."""

from __future__ import annotations

from core.auth.keys import create_key
from core.db import connect
from core.settings import Settings
from ingestion.deletion import sweep_orphans
from ingestion.identity import merge_instructors


def _instructor(conn: object, last: str) -> int:
    row = conn.execute(  # type: ignore[attr-defined]
        "INSERT INTO instructors (last_name, first_name, name_key) VALUES (%s, 'Jo', %s)"
        " RETURNING id",
        (last, f"{last.lower()}|jo"),
    ).fetchone()
    return int(row["id"])


def test_the_sweep_keeps_an_instructor_a_key_names_and_a_merge_moves_keys(
    settings: Settings,
) -> None:
    assert settings.database_dsn is not None
    with connect(settings.database_dsn, autocommit=True) as conn:
        kept, dropped, unused = (_instructor(conn, n) for n in ("Keep", "Drop", "Unused"))
        create_key(conn, name="drop", roles=["instructor"], instructor_id=dropped)
        sweep_orphans(conn)  # none has a section: only the two without keys may go
        left = {r["id"] for r in conn.execute("SELECT id FROM instructors").fetchall()}
        assert dropped in left and unused not in left and kept not in left
        kept = _instructor(conn, "Keep")
        merge_instructors(conn, keep=kept, drop=dropped, principal="test")
        keys = conn.execute("SELECT instructor_id FROM api_keys").fetchall()
        assert [k["instructor_id"] for k in keys] == [kept]
