"""Collect student repositories into nbgrader: `python -m autograder collect ROSTER A [--deadline ISO8601]`.

ROSTER is a CSV file with the columns student_id and repository (any URL git can clone). For each student
the repository is cloned, or fetched when a clone is there from an earlier run (under
<root>/.collect/<student>.git), and the notebook of the last commit on the default branch's first-parent
line that can still earn points goes to nbgrader's <root>/submitted/<student>/<A>/<A>.ipynb, with the
commit's time in timestamp.txt, so that `nbgrader autograde A` and `grade-class` take it from there and
charge the same late penalty. Commit times are the committer dates the students' machines wrote.

The deadline is the course's late policy's (autograder/late/, nbgrader_config.py) unless --deadline gives
one; each student's extension moves theirs. A late commit is collected while the policy still gives late work
points (with `per_day` up to `no_credit_after_days`, with no cap the last commit; with `zero` or `none`, the
last commit at the deadline), and each line says how late it is and what that costs. A student whose
repository, notebook or collectable commit is missing is reported at the end, and never stops the others.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..late.extensions import iso_time
from ..late.policy import LatePolicy, course_config
from ..late.policy import load as load_policy
from ..late.rule import how_late

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$")  # a folder name nbgrader can use
TIMESTAMP = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's timestamp.txt format
GIT_ENV = dict(os.environ, GIT_TERMINAL_PROMPT="0")  # a missing private repository fails, never prompts


class CollectError(Exception):
    """Why one student's submission could not be collected; the message is the report's line."""


@dataclass
class Collected:
    commit: str
    time: dt.datetime
    late: list[dt.datetime]  # the times of the commits after the last one that could be collected


def parse_deadline(text: str) -> dt.datetime:
    """An ISO 8601 time with its offset (or Z), e.g. 2026-12-01T23:59:00+01:00."""
    try:
        deadline = iso_time(text)
    except ValueError:
        raise ValueError(f"--deadline {text!r} is not an ISO 8601 time such as 2026-12-01T23:59:00+01:00") from None
    if deadline.tzinfo is None:
        raise ValueError(f"--deadline {text!r} has no time zone: add one, e.g. {text}+00:00 or {text}Z")
    return deadline


def no_deadline(assignment: str) -> ValueError:
    return ValueError(f"no deadline for {assignment}: give --deadline, or set LatePolicy.deadlines in "
                      "nbgrader_config.py")


def closing_time(policy: LatePolicy, assignment: str, student: str, base: dt.datetime | None
                 ) -> tuple[dt.datetime, dt.datetime | None]:
    """The student's deadline and the last time a commit can still earn points (None: no end)."""
    deadline, _ = policy.student_deadline(assignment, student, base)
    if deadline is None:
        raise no_deadline(assignment)
    return deadline, policy.rule.accepts_until(deadline)


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


def collect_one(url: str, clone: Path, notebook: str, dest: Path, deadline: dt.datetime,
                closing: dt.datetime | None) -> Collected:
    """The last commit at or before `closing` (None: the last commit); `deadline` words the message."""
    update_clone(url, clone)
    history = commits(clone)
    late = [when for _, when in history if closing is not None and when > closing]
    taken = [(sha, when) for sha, when in history if closing is None or when <= closing]
    if not taken:
        first = how_late((min(late) - deadline).total_seconds())
        if closing == deadline:
            raise CollectError(f"no commit at or before the deadline ({len(late)} after it, the first {first} late)")
        raise CollectError(f"no commit that can earn points: late work is taken until {closing:%Y-%m-%d %H:%M} UTC "
                           f"({len(late)} after that, the first {first} late)")
    sha, when = taken[0]
    try:
        content = subprocess.run(["git", "show", f"{sha}:{notebook}"], cwd=clone, capture_output=True,
                                 check=True, env=GIT_ENV).stdout
    except subprocess.CalledProcessError:
        raise CollectError(f"no {notebook} in commit {sha[:7]} (the last one that can earn points)") from None
    dest.mkdir(parents=True, exist_ok=True)
    (dest / Path(notebook).name).write_bytes(content)
    (dest / "timestamp.txt").write_text(when.strftime(TIMESTAMP) + "\n")
    return Collected(sha, when, late)


def main(roster: Path, assignment: str, deadline: str | None = None, root: Path = Path(),
         policy: LatePolicy | None = None) -> int:
    """Collect every roster student's notebook; `policy` (default: root's nbgrader_config.py's, else the
    repository's) gives the deadlines, extensions and how long late work is taken."""
    try:
        base = parse_deadline(deadline) if deadline else None
        policy = policy or load_policy(course_config(folder=root)).checked()
        students = read_roster(roster)
        if base is None and policy.deadline(assignment) is None:
            raise no_deadline(assignment)
    except (OSError, ValueError, SyntaxError) as exc:
        print(f"collect: {exc}")
        return 2
    notebook = f"{assignment}/{assignment}.ipynb"
    collected, problems = 0, []
    for student, url in students:
        if not STUDENT_ID.match(student) or not url:
            problems.append(f"{student or '(no id)'}: roster row without a usable student_id and repository")
            continue
        try:
            own, closing = closing_time(policy, assignment, student, base)
            got = collect_one(url, root / ".collect" / f"{student}.git", notebook,
                              root / "submitted" / student / assignment, own, closing)
        except CollectError as exc:
            problems.append(f"{student}: {exc}")
            continue
        collected += 1
        lateness = policy.lateness(assignment, student, got.time, base)
        line = f"{student}: {got.commit[:7]} of {got.time:%Y-%m-%d %H:%M} UTC"
        line += f"; {why}" if (why := lateness.explain()) else ""
        if got.late:
            after = ", ".join(how_late((t - own).total_seconds()) for t in sorted(got.late))
            line += f"; {len(got.late)} later commits not collected, late by {after}"
        print(line)
    print(f"\nCollected {collected} of {len(students)} into {root / 'submitted'}/*/{assignment}/.")
    if problems:
        print("Not collected:\n" + "\n".join(f"  {p}" for p in problems))
    return 0
