"""When a PostgresBackup runs next: pure functions of its cron schedule, status and the time.

A run goes through two timer ticks: `start` records the run in the status (phase Running), and
`run` does the work. An operator restarted in between, or during the work, finds the run in the
status and does it again; a slot missed while no operator ran is run once, late, on return.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from croniter import croniter

from core.errors import ConfigError

MISSED_COUNT_CAP = 1000


def check_schedule(schedule: str) -> str:
    if not isinstance(schedule, str) or not croniter.is_valid(schedule):
        raise ConfigError(f"schedule must be a cron expression like '0 2 * * *', not {schedule!r}")
    return schedule


def next_slot(schedule: str, *, after: datetime) -> datetime:
    """The first scheduled time strictly after `after` (UTC)."""
    nxt: datetime = croniter(check_schedule(schedule), after.astimezone(UTC)).get_next(datetime)
    return nxt


def latest_slot(schedule: str, *, after: datetime, now: datetime) -> datetime | None:
    """The most recent scheduled time in (after, now], or None when none has come."""
    start = now.astimezone(UTC) + timedelta(seconds=1)  # get_prev is strictly before its start
    prev: datetime = croniter(check_schedule(schedule), start).get_prev(datetime)
    return prev if prev > after else None


def missed_between(schedule: str, *, after: datetime, before: datetime) -> int:
    """How many scheduled times fell strictly between two times (capped)."""
    it = croniter(check_schedule(schedule), after.astimezone(UTC))
    count = 0
    while count < MISSED_COUNT_CAP and it.get_next(datetime) < before:
        count += 1
    return count


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


def iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Decision:
    """What a timer tick does: wait, start a run (record it), or run the recorded one."""

    action: Literal["wait", "start", "run"]
    slot: datetime | None = None
    trigger: Literal["schedule", "manual"] = "schedule"
    missed: int = 0
    next_run: datetime | None = None


def decide(
    *,
    schedule: str,
    suspended: bool,
    status: Mapping[str, Any],
    created: datetime,
    run_now: str | None,
    now: datetime,
) -> Decision:
    """The next step for one PostgresBackup.

    `created` is the resource's creation time (the baseline before any run), `run_now` the
    value of its `tracelens.io/run-now` annotation: a value not yet seen starts a manual run.
    """
    current = status.get("currentRun") or {}
    if status.get("phase") == "Running" and current.get("slot"):
        if current.get("trigger") == "manual":
            return Decision("run", parse_time(current["slot"]), "manual")
        return Decision("run", parse_time(current["slot"]), "schedule")
    if run_now and run_now != status.get("manualRunToken"):
        return Decision("start", now.astimezone(UTC), "manual")
    if suspended:
        return Decision("wait")
    last = parse_time(status.get("lastScheduleTime")) or created.astimezone(UTC)
    due = latest_slot(schedule, after=last, now=now)
    if due is None:
        return Decision("wait", next_run=next_slot(schedule, after=now))
    missed = missed_between(schedule, after=last, before=due)
    return Decision("start", due, "schedule", missed=missed)
