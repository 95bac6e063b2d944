"""The operator's schedule logic with a fixed clock (no cluster, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import ConfigError
from operators.backup.schedule import (
    check_schedule,
    decide,
    iso,
    latest_slot,
    missed_between,
    next_slot,
)

DAILY = "0 2 * * *"
CREATED = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


def test_slots() -> None:
    assert next_slot(DAILY, after=CREATED) == at(11, 2)
    assert next_slot(DAILY, after=at(11, 2)) == at(12, 2)  # strictly after
    assert latest_slot(DAILY, after=CREATED, now=at(11, 1, 59)) is None
    assert latest_slot(DAILY, after=CREATED, now=at(11, 2)) == at(11, 2)  # a slot is due at once
    assert latest_slot(DAILY, after=at(11, 2), now=at(11, 23)) is None  # already served
    assert latest_slot(DAILY, after=at(11, 2), now=at(14, 9)) == at(14, 2)
    assert missed_between(DAILY, after=at(11, 2), before=at(14, 2)) == 2  # the 12th and 13th
    assert latest_slot("*/15 * * * *", after=at(11, 2), now=at(11, 2, 44, 59)) == at(11, 2, 30)


def test_a_new_backup_waits_for_its_first_slot() -> None:
    d = decide(schedule=DAILY, suspended=False, status={}, created=CREATED, run_now=None,
               now=at(11, 1, 59))  # fmt: skip
    assert d.action == "wait" and d.next_run == at(11, 2)


def test_a_due_slot_starts_then_runs() -> None:
    start = decide(schedule=DAILY, suspended=False, status={}, created=CREATED, run_now=None,
                   now=at(11, 2, 0, 20))  # fmt: skip
    assert (start.action, start.slot, start.trigger, start.missed) == (
        "start", at(11, 2), "schedule", 0
    )  # fmt: skip
    running = {
        "phase": "Running",
        "currentRun": {"slot": iso(at(11, 2)), "trigger": "schedule"},
    }
    run = decide(schedule=DAILY, suspended=False, status=running, created=CREATED, run_now=None,
                 now=at(11, 2, 0, 50))  # fmt: skip
    assert (run.action, run.slot, run.trigger) == ("run", at(11, 2), "schedule")
    done = {"phase": "Succeeded", "lastScheduleTime": iso(at(11, 2))}
    after = decide(schedule=DAILY, suspended=False, status=done, created=CREATED, run_now=None,
                   now=at(11, 2, 1, 20))  # fmt: skip
    assert after.action == "wait" and after.next_run == at(12, 2)


def test_a_run_cut_short_by_a_restart_runs_again_even_days_later() -> None:
    running = {
        "phase": "Running",
        "currentRun": {"slot": iso(at(11, 2)), "trigger": "schedule"},
        "lastScheduleTime": iso(at(10, 2)),
    }
    d = decide(schedule=DAILY, suspended=False, status=running, created=CREATED, run_now=None,
               now=at(13, 9))  # fmt: skip
    assert (d.action, d.slot) == ("run", at(11, 2))


def test_slots_missed_while_down_run_once_late() -> None:
    status = {"phase": "Succeeded", "lastScheduleTime": iso(at(11, 2))}
    d = decide(schedule=DAILY, suspended=False, status=status, created=CREATED, run_now=None,
               now=at(15, 8, 30))  # fmt: skip
    assert (d.action, d.slot, d.missed) == ("start", at(15, 2), 3)  # 12th, 13th, 14th skipped


def test_manual_runs_and_suspension() -> None:
    status = {"phase": "Succeeded", "lastScheduleTime": iso(at(11, 2))}
    now = at(11, 10)
    manual = decide(schedule=DAILY, suspended=True, status=status, created=CREATED,
                    run_now="2026-03-11", now=now)  # fmt: skip
    assert (manual.action, manual.trigger, manual.slot) == ("start", "manual", now)
    seen = {**status, "manualRunToken": "2026-03-11"}
    again = decide(schedule=DAILY, suspended=False, status=seen, created=CREATED,
                   run_now="2026-03-11", now=now)  # fmt: skip
    assert again.action == "wait"
    suspended = decide(schedule=DAILY, suspended=True, status=seen, created=CREATED,
                       run_now="2026-03-11", now=at(20, 3))  # fmt: skip
    assert suspended.action == "wait" and suspended.next_run is None
    resumed = decide(schedule=DAILY, suspended=False, status=seen, created=CREATED,
                     run_now="2026-03-11", now=at(20, 3))  # fmt: skip
    assert (resumed.action, resumed.slot) == ("start", at(20, 2))


def test_bad_schedules_are_refused() -> None:
    assert check_schedule("@daily") == "@daily"
    for bad in ("", "every day", "61 * * * *"):
        with pytest.raises(ConfigError, match="cron expression"):
            check_schedule(bad)
    assert timedelta(0) < next_slot("@hourly", after=CREATED) - CREATED <= timedelta(hours=1)
