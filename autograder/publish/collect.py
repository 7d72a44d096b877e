"""Collect student repositories into nbgrader: `python -m autograder collect ROSTER A --deadline ISO8601`.

ROSTER is a CSV file with the columns student_id and repository (any URL git can clone). For each student
the repository is cloned, or fetched when a clone is there from an earlier run (under
<root>/.collect/<student>.git), and the notebook of the last commit at or before the deadline on the
default branch's first-parent line goes to nbgrader's <root>/submitted/<student>/<A>/<A>.ipynb, with the
commit's time in timestamp.txt, so that `nbgrader autograde A` (or `python -m autograder grade`) takes it
from there. Commit times are the committer dates the students' machines wrote. A student whose repository,
notebook or commit before the deadline is missing is reported at the end, and never stops the others; late
commits are listed with how late they are.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$")  # a folder name nbgrader can use
TIMESTAMP = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's timestamp.txt format
GIT_ENV = dict(os.environ, GIT_TERMINAL_PROMPT="0")  # a missing private repository fails, never prompts


class CollectError(Exception):
    """Why one student's submission could not be collected; the message is the report's line."""


@dataclass
class Collected:
    commit: str
    time: dt.datetime
    late: list[dt.datetime]  # the times of the commits after the deadline


def parse_deadline(text: str) -> dt.datetime:
    """An ISO 8601 time with its offset (or Z), e.g. 2026-12-01T23:59:00+01:00."""
    try:
        deadline = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"--deadline {text!r} is not an ISO 8601 time such as 2026-12-01T23:59:00+01:00") from None
    if deadline.tzinfo is None:
        raise ValueError(f"--deadline {text!r} has no time zone: add one, e.g. {text}+00:00 or {text}Z")
    return deadline


def read_roster(path: Path) -> list[tuple[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    if rows and not {"student_id", "repository"} <= set(rows[0]):
        raise ValueError(f"{path}: the roster needs the columns student_id,repository")
    return [((row["student_id"] or "").strip(), (row["repository"] or "").strip()) for row in rows
            if any((value or "").strip() for value in row.values())]


def git(*args: str, cwd: Path | None = None) -> str:
    run = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=GIT_ENV, timeout=600)
    if run.returncode != 0:
        fatal = [line for line in run.stderr.splitlines() if line.startswith("fatal: ")]
        raise CollectError(fatal[0].removeprefix("fatal: ") if fatal else f"git {args[0]} failed")
    return run.stdout


def update_clone(url: str, clone: Path) -> None:
    if clone.is_dir():
        git("remote", "set-url", "origin", url, cwd=clone)
        git("fetch", "--quiet", "--prune", "origin", cwd=clone)
    else:
        clone.parent.mkdir(parents=True, exist_ok=True)
        git("clone", "--quiet", "--mirror", url, str(clone))


def commits(clone: Path) -> list[tuple[str, dt.datetime]]:
    """The default branch's first-parent commits, newest first, with their committer times."""
    try:
        log = git("log", "--first-parent", "--format=%H %ct", "HEAD", cwd=clone)
    except CollectError:
        raise CollectError("the repository has no commits") from None
    return [(sha, dt.datetime.fromtimestamp(int(seconds), dt.timezone.utc))
            for sha, seconds in (line.split() for line in log.splitlines())]


def collect_one(url: str, clone: Path, notebook: str, dest: Path, deadline: dt.datetime) -> Collected:
    update_clone(url, clone)
    history = commits(clone)
    late = [when for _, when in history if when > deadline]
    on_time = [(sha, when) for sha, when in history if when <= deadline]
    if not on_time:
        raise CollectError(f"no commit at or before the deadline ({len(late)} after it, "
                           f"the first {how_late(min(late), deadline)} late)")
    sha, when = on_time[0]
    try:
        content = subprocess.run(["git", "show", f"{sha}:{notebook}"], cwd=clone, capture_output=True,
                                 check=True, env=GIT_ENV).stdout
    except subprocess.CalledProcessError:
        raise CollectError(f"no {notebook} in commit {sha[:7]} (the last one before the deadline)") from None
    dest.mkdir(parents=True, exist_ok=True)
    (dest / Path(notebook).name).write_bytes(content)
    (dest / "timestamp.txt").write_text(when.strftime(TIMESTAMP) + "\n")
    return Collected(sha, when, late)


def how_late(when: dt.datetime, deadline: dt.datetime) -> str:
    minutes = int((when - deadline).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    parts = [f"{days} d"] * bool(days) + [f"{rest // 60} h"] * bool(rest // 60) + [f"{rest % 60} min"]
    return " ".join(parts)


def main(roster: Path, assignment: str, deadline: str, root: Path = Path()) -> int:
    try:
        when = parse_deadline(deadline)
        students = read_roster(roster)
    except (OSError, ValueError) as exc:
        print(f"collect: {exc}")
        return 2
    notebook = f"{assignment}/{assignment}.ipynb"
    collected, problems = 0, []
    for student, url in students:
        if not STUDENT_ID.match(student) or not url:
            problems.append(f"{student or '(no id)'}: roster row without a usable student_id and repository")
            continue
        try:
            got = collect_one(url, root / ".collect" / f"{student}.git", notebook,
                              root / "submitted" / student / assignment, when)
        except CollectError as exc:
            problems.append(f"{student}: {exc}")
            continue
        collected += 1
        line = f"{student}: {got.commit[:7]} of {got.time:%Y-%m-%d %H:%M} UTC"
        if got.late:
            lateness = ", ".join(how_late(t, when) for t in sorted(got.late))
            line += f"; {len(got.late)} later commits not collected, late by {lateness}"
        print(line)
    print(f"\nCollected {collected} of {len(students)} into {root / 'submitted'}/*/{assignment}/.")
    if problems:
        print("Not collected:\n" + "\n".join(f"  {p}" for p in problems))
    return 0
