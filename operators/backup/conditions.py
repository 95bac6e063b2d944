"""Kubernetes conditions on a resource's status: set one, keeping its transition time unless it
flips."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from operators.backup.schedule import (
    iso,
)


def with_condition(
    conditions: Any, *, type: str, ok: bool, reason: str, message: str, now: datetime
) -> list[dict[str, str]]:
    """The conditions list with `type` set; its transition time moves only when it flips."""
    old = [dict(c) for c in (conditions or [])]
    previous = next((c for c in old if c.get("type") == type), None)
    status = "True" if ok else "False"
    since = iso(now)
    if previous is not None and previous.get("status") == status:
        since = previous.get("lastTransitionTime") or since
    entry = {
        "type": type,
        "status": status,
        "reason": reason,
        "message": message[:1000],
        "lastTransitionTime": since,
    }
    return sorted([c for c in old if c.get("type") != type] + [entry], key=lambda c: c["type"])
