"""Grade the course's notebooks: hidden pytest checks against the reference, student code isolated.

    from autograder import grade
    results = grade("submission.ipynb", results_path="results.json")
"""

from .grading.grade import grade
from .grading.results import Results, TestResult
from .sandbox.inside.protocol import Limits

__all__ = ["Limits", "Results", "TestResult", "grade"]
