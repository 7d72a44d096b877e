"""nbgrader configuration: stock nbgrader commands work from the repository root.

nbgrader's "source" folder is `solutions/` (the instructor's notebooks, solutions and hidden tests inline)
and its "release" folder is `exercises/` (what students receive), so

    nbgrader generate_assignment 01_neuron --force

turns solutions/01_neuron/01_neuron.ipynb into exercises/01_neuron/01_neuron.ipynb.
"""

import os

c = get_config()  # noqa: F821 -- injected by traitlets when nbgrader loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "neuron-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# The stub a student sees in place of each solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# `nbgrader autograde` scores through the autograder (autograder/nbgrader_steps/): nbgrader's own steps stay,
# but no kernel runs student code. Read: a file that is no notebook still gets a row of zeros. Sanitize:
# RestoreTestCells rebuilds the test cells from the gradebook and reports what a student changed.
# Autograde: GradeWithAutograder in place of Execute gives each test cell its function's points.
c.Autograde.exporter_class = "autograder.nbgrader_steps.read.ReadSubmission"
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "autograder.nbgrader_steps.restore.RestoreTestCells",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.autograde_preprocessors = [
    "autograder.nbgrader_steps.score_cells.GradeWithAutograder",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "autograder.nbgrader_steps.late.SetDeadlines",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.AssignLatePenalties.plugin_class = "autograder.nbgrader_steps.late.LatePenalty"

# The late policy (docs/late-policy.md): one rule for `nbgrader autograde`, `grade-class` and `collect`.
# A deadline without an offset is in `timezone`; lateness is charged per day or part of a day.
c.LatePolicy.deadlines = {}  # e.g. {"01_neuron": "2027-01-22 23:59", "02_logistic_regression": "2027-02-05 23:59"}
c.LatePolicy.timezone = "UTC"
c.LatePolicy.penalty = "none"  # "none" (recorded only), "per_day", or "zero" (no credit for late work)
c.LatePolicy.per_day = 0.10  # with "per_day": 10 % of the score per day or part of a day
c.LatePolicy.no_credit_after_days = 5  # with "per_day": nothing after 5 days late (None: no end)
c.LatePolicy.grace_minutes = 0
c.LatePolicy.extensions = ""  # a CSV: student_id, assignment, new_deadline or extra_days (keep it out of git)
