"""The late policy as nbgrader_config.py declares it, and each student's deadline for each assignment.

    c.LatePolicy.deadlines = {"01_neuron": "2027-01-22 23:59", "02_logistic_regression": "2027-02-05 23:59"}
    c.LatePolicy.timezone = "America/New_York"     # the zone of a deadline written without an offset
    c.LatePolicy.penalty = "per_day"               # or "zero", or "none"
    c.LatePolicy.per_day = 0.10                    # 10 % of the score per day or part of a day
    c.LatePolicy.no_credit_after_days = 5
    c.LatePolicy.extensions = "extensions.csv"     # relative to the course root

`LatePolicy` is a traitlets Configurable, so nbgrader's own steps read it from the configuration nbgrader
loaded, and `load()` reads it from the same file for grade-class and collect.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from nbgrader.utils import parse_utc
from traitlets import Dict, Enum, Float, Int, Unicode
from traitlets.config import Configurable
from traitlets.config.loader import PyFileConfigLoader

from ..course import ROOT
from .extensions import Extension, read_extensions, when
from .rule import METHODS, Rule, how_late, percent

UTC = dt.timezone.utc


@dataclass(frozen=True)
class Lateness:
    """One submission against its deadline: how late, what that costs, and why, in a line."""

    deadline: dt.datetime | None  # the student's own (extension included), UTC; None: the assignment has none
    submitted: dt.datetime | None  # UTC; None: no time is known (no timestamp.txt)
    seconds: float  # late by; 0 when on time or when either time is unknown
    days: int  # charged
    fraction: float  # of the score lost
    extension: Extension | None = None

    def explain(self) -> str:
        """'late 1 d 2 h (2 days × 10 % = 20 %)', '' when on time with nothing to say."""
        moved = f" (extension to {self.deadline:%Y-%m-%d %H:%M} UTC)" if self.extension and self.deadline else ""
        if not self.seconds:
            return f"on time{moved}" if moved else ""
        cost = f"{self.days} day{'s' * (self.days != 1)}: {percent(self.fraction)} off" if self.fraction \
            else "no penalty"
        return f"late {how_late(self.seconds)}{moved}, {cost}"


class LatePolicy(Configurable):
    """The course's deadlines and late rule (docs/late-policy.md)."""

    deadlines = Dict(key_trait=Unicode(), value_trait=Unicode(),
                     help="Assignment -> deadline, ISO 8601 ('2027-01-22 23:59', or with an offset)").tag(config=True)
    timezone = Unicode("UTC", help="The IANA zone of deadlines written without an offset").tag(config=True)
    penalty = Enum(METHODS, default_value="none", help="'none', 'per_day' or 'zero'").tag(config=True)
    per_day = Float(0.0, help="Fraction of the score lost per day or part of a day late").tag(config=True)
    no_credit_after_days = Int(None, allow_none=True, help="More days late than this: no credit").tag(config=True)
    grace_minutes = Float(0.0, help="A submission this many minutes late is on time").tag(config=True)
    extensions = Unicode("", help="CSV of extensions (student_id, assignment, new_deadline or extra_days), "
                                  "relative to the course root").tag(config=True)
    root = Unicode("", help="The folder relative paths start from (the course root)").tag(config=True)

    @property
    def rule(self) -> Rule:
        return Rule(self.penalty, self.per_day, self.no_credit_after_days, self.grace_minutes)

    @property
    def zone(self) -> dt.tzinfo:
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"LatePolicy.timezone {self.timezone!r} is not a time zone (e.g. Europe/Paris)") \
                from None

    def checked(self) -> LatePolicy:
        """The policy, once every part of it reads (zone, rule, deadlines, extensions); else a ValueError that
        says which part is wrong."""
        _ = self.zone, self.rule, self.extension_list
        for name in self.deadlines:
            self.deadline(name)
        return self

    def deadline(self, assignment: str) -> dt.datetime | None:
        """The assignment's deadline, in the course's zone; None when the policy gives it none."""
        text = self.deadlines.get(assignment)
        return None if text is None else when(text, self.zone, f"LatePolicy.deadlines[{assignment!r}]")

    @functools.cached_property
    def extension_list(self) -> dict[tuple[str, str], Extension]:
        """The extensions file's rows, read once."""
        if not self.extensions:
            return {}
        path = Path(os.path.expanduser(self.extensions))
        return read_extensions(path if path.is_absolute() else Path(self.root or ".") / path, self.zone)

    def student_deadline(self, assignment: str, student: str, base: dt.datetime | None = None
                         ) -> tuple[dt.datetime | None, Extension | None]:
        """The student's own deadline (UTC), extension included, and the extension; `base` in place of the
        assignment's deadline (collect's --deadline)."""
        deadline = base if base is not None else self.deadline(assignment)
        extension = self.extension_list.get((student, assignment))
        if extension is not None:
            deadline = extension.applied_to(deadline, assignment)
        return (None if deadline is None else deadline.astimezone(UTC)), extension

    def lateness(self, assignment: str, student: str, submitted: dt.datetime | None,
                 base: dt.datetime | None = None) -> Lateness:
        deadline, extension = self.student_deadline(assignment, student, base)
        if deadline is None or submitted is None:
            return Lateness(deadline, submitted, 0.0, 0, 0.0, extension)
        seconds = max(0.0, (submitted.astimezone(UTC) - deadline).total_seconds())
        rule = self.rule
        return Lateness(deadline, submitted.astimezone(UTC), seconds, rule.days(seconds), rule.fraction(seconds),
                        extension)


def submitted_at(folder: Path) -> dt.datetime | None:
    """The time in a submission folder's timestamp.txt (nbgrader's, or collect's), read as nbgrader's
    autograde reads it; None when there is none. A time nbgrader cannot read is an error, as it is there."""
    path = Path(folder) / "timestamp.txt"
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    if not text:
        return None
    words = text.split()
    if len(words) == 3 and len(words[2]) == 5 and words[2][0] in "+-" and words[2][1:].isdigit():
        # nbgrader would read "-0400" as -400 seconds: refuse rather than count lateness from a wrong time
        raise ValueError(f"{path}: {text!r} gives its offset as {words[2]}, which nbgrader reads as seconds; "
                         f"write {words[0]} {words[1]}{words[2][:3]}:{words[2][3:]} or the time in UTC")
    try:
        return parse_utc(text).replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise ValueError(f"{path}: {text[:60]!r} is not a time nbgrader can read") from None


def course_config(given: Path | None = None, folder: Path | None = None) -> Path:
    """The nbgrader_config.py whose policy applies: the one given, else `folder`'s (the current folder by
    default, as nbgrader reads it), else the repository's."""
    if given is not None:
        return Path(given)
    here = Path(folder if folder is not None else Path.cwd()) / "nbgrader_config.py"
    return here if here.is_file() else ROOT / "nbgrader_config.py"


def load(config_file: Path) -> LatePolicy:
    """The policy an nbgrader_config.py declares (its load_subconfig lines followed), relative paths from the
    course root it sets (CourseDirectory.root), else from its folder. No file: no deadlines."""
    config_file = Path(config_file).resolve()
    if not config_file.is_file():
        return LatePolicy(root=str(config_file.parent))
    config = PyFileConfigLoader(config_file.name, path=str(config_file.parent)).load_config()
    root = config.get("CourseDirectory", {}).get("root") or str(config_file.parent)
    policy = LatePolicy(config=config)
    policy.root = policy.root or str(root)
    return policy
