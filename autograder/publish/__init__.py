"""What goes to students and CI: the student's repository (template.py) and its push workflow
(workflow.py, templates/), Classroom 50 and Gradescope bundles, collecting student repositories into
nbgrader's submitted/ folder (collect.py), and the page a student reads after a push (student_page.py).
"""
