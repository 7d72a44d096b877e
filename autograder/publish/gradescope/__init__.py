"""Gradescope: `python -m autograder gradescope OUT` writes one autograder zip per assignment (bundle.py);
Gradescope runs its setup.sh once and its run_autograder for each submission (run.py)."""
