"""The course's late policy inside `nbgrader autograde`: deadlines into the gradebook, penalties out of it.

nbgrader already knows lateness: `AssignLatePenalties` asks its plugin for a penalty whenever a submission's
timestamp is past the gradebook's due date plus the student's extension. Two pieces make that the course's
rule (autograder/late/), the one grade-class and collect apply:

  - `SetDeadlines`, a step just before `AssignLatePenalties`, writes the policy's deadline for the assignment
    into the gradebook and the student's extension into their submission, so nbgrader's lateness, its
    export's `duedate` and the formgrader all show the same deadline;
  - `LatePenalty`, the plugin (`AssignLatePenalties.plugin_class`), turns the seconds late into points with
    the policy's rule.
"""

from __future__ import annotations

import datetime as dt
import functools
import os

from nbformat import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets.config import Configurable

from ..late.policy import UTC, LatePolicy
from ..late.rule import how_late, penalty_points


def course_policy(configurable: Configurable) -> LatePolicy:
    """The policy from the configuration nbgrader loaded (the parent's), relative paths from the course root."""
    policy = LatePolicy(parent=configurable)
    policy.root = policy.root or configurable.config.get("CourseDirectory", {}).get("root") or os.getcwd()
    return policy


def naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)  # how nbgrader's gradebook stores times


class SetDeadlines(NbGraderPreprocessor):
    """The policy's deadline and the student's extension, written into the gradebook before nbgrader reads
    them. An assignment the policy gives no deadline keeps the gradebook's (a warning says grade-class will
    not see it)."""

    @functools.cached_property
    def policy(self) -> LatePolicy:
        return course_policy(self)  # once per run: the step serves every submission, the CSV is read once

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        assignment, student = info["assignment"], info["student"]
        policy = self.policy
        deadline = policy.deadline(assignment)
        own, _ = policy.student_deadline(assignment, student)
        with Gradebook(info["db_url"]) as gradebook:
            record = gradebook.find_assignment(assignment)
            if deadline is None:
                if record.duedate is not None:
                    self.log.warning("%s has a due date in the gradebook (%s UTC) but none in LatePolicy.deadlines: "
                                     "grade-class and collect will not count lateness for it", assignment,
                                     record.duedate)
                return nb, resources
            record.duedate = naive_utc(deadline)
            try:
                submission = gradebook.find_submission(assignment, student)
            except MissingEntry:
                gradebook.db.commit()
                return nb, resources
            extension = own - deadline.astimezone(UTC) if own is not None else dt.timedelta(0)
            submission.extension = extension or None
            gradebook.db.commit()
        return nb, resources


class LatePenalty(LateSubmissionPlugin):
    """nbgrader's late-submission plugin, with the course's rule: the points lost for being this late."""

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float:
        rule = course_policy(self.parent).rule
        fraction = rule.fraction(total_seconds_late)
        self.log.info("%s late %s: %s (%s)", student_id, how_late(total_seconds_late), fraction, rule.describe())
        return penalty_points(score, fraction)
