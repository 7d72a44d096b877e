"""What lateness costs: a submission late by some seconds, the days charged, the fraction of its score lost.

Lateness is elapsed time, the way nbgrader counts it (`SubmittedAssignment.total_seconds_late`): a day is 24
hours after the deadline, whatever the clocks do meanwhile, so a deadline the evening before a daylight-saving
change and a submission at the same wall-clock time the next evening are 23 (or 25) hours apart, one day. A
submission exactly at the deadline is on time; a second later it is late by one day (a day or part of a day).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

DAY = 24 * 3600
METHODS = ("none", "per_day", "zero")


@dataclass(frozen=True)
class Rule:
    """`none`: lateness is recorded and costs nothing; `zero`: any lateness costs the whole score; `per_day`:
    `per_day` of the score for each day or part of a day, and the whole score once more than
    `no_credit_after_days` days late (None: never). A submission no more than `grace_minutes` late is on
    time."""

    method: str = "none"
    per_day: float = 0.0
    no_credit_after_days: int | None = None
    grace_minutes: float = 0.0

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"LatePolicy.penalty is {self.method!r}: one of {', '.join(METHODS)}")
        if not 0 <= self.per_day <= 1:
            raise ValueError(f"LatePolicy.per_day is {self.per_day}: a fraction of the score, 0 to 1 (0.1 = 10 %)")
        if self.no_credit_after_days is not None and self.no_credit_after_days < 0:
            raise ValueError(f"LatePolicy.no_credit_after_days is {self.no_credit_after_days}: 0 or more days")
        if self.grace_minutes < 0:
            raise ValueError(f"LatePolicy.grace_minutes is {self.grace_minutes}: 0 or more minutes")

    def days(self, seconds_late: float) -> int:
        """Days charged: 0 on time (or within the grace), else each day or part of a day."""
        if seconds_late <= self.grace_minutes * 60:
            return 0
        return math.ceil(seconds_late / DAY)

    def fraction(self, seconds_late: float) -> float:
        """The fraction of the score that lateness costs."""
        days = self.days(seconds_late)
        if days == 0 or self.method == "none":
            return 0.0
        if self.method == "zero":
            return 1.0
        if self.no_credit_after_days is not None and days > self.no_credit_after_days:
            return 1.0
        return min(1.0, days * self.per_day)

    def accepts_until(self, deadline: dt.datetime) -> dt.datetime | None:
        """The last time late work can still earn points (what `collect` takes up to); None: no end."""
        if self.method == "per_day" and self.per_day > 0:
            if self.no_credit_after_days is None:
                return None
            return deadline + dt.timedelta(days=self.no_credit_after_days)
        return deadline + dt.timedelta(minutes=self.grace_minutes)

    def describe(self) -> str:
        """The rule in a sentence, for reports and the notes of grades.csv."""
        grace = f" ({self.grace_minutes:g} minutes' grace)" if self.grace_minutes else ""
        if self.method == "none":
            return "lateness is recorded, with no penalty" + grace
        if self.method == "zero":
            return "no credit for late work" + grace
        cap = "" if self.no_credit_after_days is None else f", no credit after {self.no_credit_after_days} days"
        return f"{percent(self.per_day)} of the score per day or part of a day late{cap}" + grace


def percent(fraction: float) -> str:
    return f"{fraction * 100:.4g} %"


def penalty_points(score: float, fraction: float) -> float:
    """The points lost, to the cent (what grades.csv and nbgrader's gradebook both hold)."""
    return round(max(0.0, score) * fraction + 1e-9, 2) if fraction else 0.0


def how_late(seconds: float) -> str:
    """'1 d 2 h 5 min', '6 d', '23 h', '42 s' for under a minute: the parts that are not zero."""
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    parts = [f"{days} d"] * bool(days) + [f"{rest // 60} h"] * bool(rest // 60) + [f"{rest % 60} min"] * bool(rest % 60)
    return " ".join(parts) if minutes else f"{seconds:.0f} s"
