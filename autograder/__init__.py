"""Grade the course's notebooks: hidden pytest checks against the reference, student code isolated.

    from autograder import grade
    results = grade("submission.ipynb", results_path="results.json")
"""

from .grade import grade
from .protocol import Limits
from .results import Results, TestResult

__all__ = ["Limits", "Results", "TestResult", "grade"]
