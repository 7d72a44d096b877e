"""One notebook -> Results: the grading core.

`grade` (grade.py) reads the notebook (notebook.py), works out what it defines when each check runs
(program.py), runs the reference (reference.py) and the student's code in its sandboxed process
(student.py), and hands both to pytest through the plugin (plugin.py), which runs the hidden checks
(checks.py, feedback.py, mistakes.py) and collects one `TestResult` per check (results.py).
Front doors (nbgrader_steps, classwide, publish, the command line) import this package; it imports none of them.
"""
