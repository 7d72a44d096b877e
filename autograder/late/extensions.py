"""Per-student extensions, from a CSV an instructor keeps (a spreadsheet's "CSV UTF-8" will do):

    student_id,assignment,new_deadline,extra_days
    ada,02_logistic_regression,2027-02-08 23:59,
    ben,02_logistic_regression,,2

Each row gives either a new deadline (in the course's zone unless it has an offset) or extra days, added
on the calendar of the course's zone (two extra days after 23:59 is 23:59 two days later, on either side of
a daylight-saving change). One row per student and assignment.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Extension:
    student: str
    assignment: str
    new_deadline: dt.datetime | None = None
    extra_days: float = 0.0

    def applied_to(self, deadline: dt.datetime | None, assignment: str) -> dt.datetime:
        if self.new_deadline is not None:
            return self.new_deadline
        if deadline is None:
            raise ValueError(f"an extension of {self.extra_days:g} days for {self.student} on {assignment}, "
                             "which has no deadline in LatePolicy.deadlines to add them to")
        return deadline + dt.timedelta(days=self.extra_days)  # wall-clock arithmetic in the deadline's zone


def iso_time(text: str) -> dt.datetime:
    """An ISO 8601 time ('2027-01-22 23:59', '2027-01-22T23:59:00+01:00', '...Z'); naive when it has no offset.
    ValueError when it is not one."""
    return dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))


def when(text: str, zone: dt.tzinfo, where: str) -> dt.datetime:
    """An ISO 8601 time, in `zone` if it has no offset; a ValueError naming `where` when it is not one."""
    try:
        moment = iso_time(text)
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not a time such as 2027-01-22 23:59 or 2027-01-22T23:59+01:00") \
            from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def read_extensions(path: Path, zone: dt.tzinfo) -> dict[tuple[str, str], Extension]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise ValueError(f"LatePolicy.extensions: cannot read {path} ({exc.strerror})") from None
    if rows and not {"student_id", "assignment"} <= set(rows[0]):
        raise ValueError(f"{path}: the extensions need the columns student_id, assignment, and new_deadline "
                         "or extra_days")
    found: dict[tuple[str, str], Extension] = {}
    for line, row in enumerate(rows, start=2):
        cells = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if not any(cells.values()):
            continue
        where = f"{path}, line {line}"
        student, assignment = cells.get("student_id", ""), cells.get("assignment", "")
        new, extra = cells.get("new_deadline", ""), cells.get("extra_days", "")
        if not student or not assignment:
            raise ValueError(f"{where}: no student_id or assignment")
        if bool(new) == bool(extra):
            raise ValueError(f"{where}: give new_deadline or extra_days (one of them)")
        if (student, assignment) in found:
            raise ValueError(f"{where}: a second extension for {student} on {assignment}")
        if new:
            found[student, assignment] = Extension(student, assignment, new_deadline=when(new, zone, where))
            continue
        try:
            days = float(extra)
        except ValueError:
            raise ValueError(f"{where}: extra_days {extra!r} is not a number") from None
        if not math.isfinite(days) or days < 0:
            raise ValueError(f"{where}: extra_days {extra!r} is not a number of days, 0 or more")
        found[student, assignment] = Extension(student, assignment, extra_days=days)
    return found
