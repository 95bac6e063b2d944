"""Conventional commits for the pipeline: check subjects, and derive the next semantic version.

    python .ci/commits.py check REV_RANGE     # every subject in the range is conventional
    python .ci/commits.py next-version        # from the last vX.Y.Z tag and the commits since

feat -> minor, fix/perf -> patch, `!` after the type or a BREAKING CHANGE footer -> major (minor
while the major is 0); other types release nothing new (the version stays).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable

TYPES = (
    "feat",
    "fix",
    "perf",
    "refactor",
    "docs",
    "test",
    "build",
    "ci",
    "chore",
    "style",
    "revert",
)
SUBJECT = re.compile(rf"^(?P<type>{'|'.join(TYPES)})(\([a-z0-9 ,./_-]+\))?(?P<bang>!)?: \S.*")
MERGE = re.compile(r"^(Merge |Revert \")")


def is_conventional(subject: str) -> bool:
    return bool(SUBJECT.match(subject) or MERGE.match(subject))


def next_version(current: str, messages: Iterable[str]) -> str:
    """The version after `current` (X.Y.Z) given the full messages of the commits since it."""
    major, minor, patch = (int(p) for p in current.split("."))
    bump = None
    for message in messages:
        subject, _, body = message.partition("\n")
        match = SUBJECT.match(subject)
        if not match:
            continue
        if match.group("bang") or "BREAKING CHANGE:" in body:
            bump = "major"
        elif match.group("type") == "feat" and bump != "major":
            bump = "minor"
        elif match.group("type") in ("fix", "perf") and bump is None:
            bump = "patch"
    if bump == "major" and major > 0:
        return f"{major + 1}.0.0"
    if bump in ("major", "minor"):
        return f"{major}.{minor + 1}.0"
    if bump == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return current


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"] and len(argv) == 2:
        bad = [
            s for s in _git("log", "--format=%s", argv[1]).splitlines() if not is_conventional(s)
        ]
        for subject in bad:
            print(f"not a conventional commit: {subject}", file=sys.stderr)
        return 1 if bad else 0
    if argv == ["next-version"]:
        tags = _git("tag", "--list", "v[0-9]*.[0-9]*.[0-9]*", "--sort=-v:refname").split()
        last = tags[0] if tags else None
        rev = f"{last}..HEAD" if last else "HEAD"
        messages = [m for m in _git("log", "--format=%B%x00", rev).split("\x00") if m.strip()]
        print(next_version(last.lstrip("v") if last else "0.0.0", (m.strip() for m in messages)))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
