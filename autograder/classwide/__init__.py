"""A whole class: `grade-class` (grade_class.py), a pool of grading processes with content hashes; the
class's numbers (tally.py); grades.csv, summary.json and the HTML report (report.py, plots.py); submissions
whose graded code is the same (similar.py).
"""
