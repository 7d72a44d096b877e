"""The course's late policy: each assignment's deadline, each student's extension, and what lateness costs.

Declared once, in nbgrader_config.py (`c.LatePolicy...`, docs/late-policy.md), and applied by the same code
wherever a grade is made: `nbgrader autograde` (nbgrader_steps/late.py, through nbgrader's own late-submission
plugin), `grade-class` and its report (from each submission's timestamp.txt), and `collect`.
"""
