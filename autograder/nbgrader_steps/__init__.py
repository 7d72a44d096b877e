"""`nbgrader autograde` through the autograder: the steps nbgrader runs in place of its Execute, one module
each, in the order nbgrader_config.py declares them: read (a file that is no notebook), restore (test cells
from the gradebook; tampering named), score_cells (the test cells' scores and messages). ahead.py grades the
run's notebooks on every core before nbgrader asks; run.py holds the run's state and its "needs a look"
list. scratch_course.py and demo.py make a scratch nbgrader course (the demo, the tests, the benchmark).
"""
