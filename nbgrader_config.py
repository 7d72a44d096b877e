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
