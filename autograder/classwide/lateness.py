"""Lateness in a class's grades: each results file's submission time against the course's late policy.

grade-class writes into each results file when the notebook was handed in (`extra_data.submitted_at`, from
the submission folder's timestamp.txt, which `collect` and nbgrader's own exchange write); the report charges
the policy (autograder/late/) from it, so a new extension or deadline needs a `report`, never a regrade. The
results file's score stays the grader's; grades.csv's `score` is what is left after the penalty, and the
columns before it say why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..late.policy import Lateness, LatePolicy
from ..late.rule import how_late, penalty_points
from .tally import Entry


@dataclass(frozen=True)
class Charge:
    """One row's lateness: the grader's score, the points lost, and the line that explains them."""

    raw: float | None
    penalty: float
    lateness: Lateness | None
    problem: str = ""  # why lateness could not be counted

    @property
    def score(self) -> float | None:
        return None if self.raw is None else round(self.raw - self.penalty, 2)

    def explain(self) -> str:
        """'late 1 d 2 h, 2 days: 20 % off (2.8 of 14 points)': the row's answer to "why this score?"."""
        text = self.problem or (self.lateness.explain() if self.lateness else "")
        return text + (f" ({self.penalty:g} of {self.raw:g} points)" if self.penalty and self.raw else "")


def charge(entry: Entry, policy: LatePolicy) -> Charge:
    raw = entry.score
    if entry.doc is None or entry.missing:
        return Charge(raw, 0.0, None)
    problem = entry.extra.get("timestamp_error")
    if problem:
        return Charge(raw, 0.0, None, f"lateness not counted: {problem}")
    text = entry.extra.get("submitted_at")
    try:
        submitted = dt.datetime.fromisoformat(text) if isinstance(text, str) else None
        lateness = policy.lateness(entry.assignment, entry.student, submitted)
    except ValueError as exc:
        return Charge(raw, 0.0, None, f"lateness not counted: {exc}")
    return Charge(raw, penalty_points(raw or 0.0, lateness.fraction), lateness)


def late_list(entries: list[Entry], charges: list[Charge]) -> dict[str, list[dict]]:
    """Per assignment, who was late, by how much, and what it cost (for summary.json and the report)."""
    found: dict[str, list[dict]] = {}
    for entry, c in zip(entries, charges, strict=True):
        if c.lateness is not None and c.lateness.seconds:
            found.setdefault(entry.assignment, []).append({
                "student": entry.student, "submitted": f"{c.lateness.submitted:%Y-%m-%d %H:%M} UTC",
                "late_by": how_late(c.lateness.seconds), "days": c.lateness.days, "penalty": c.penalty,
                "raw_score": c.raw, "score": c.score, "why": c.explain()})
    return found
